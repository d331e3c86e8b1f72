"""Recording the audit trail."""
from __future__ import annotations

from typing import Any

from outreach.audit.models import AuditEvent
from outreach.extensions import db


def record(actor: Any, action: str, obj: Any = None, *, object_type: str | None = None,
           object_id: int | None = None, **details: Any) -> AuditEvent:
    """Add an audit event. Pass ids and codes in details, never names or other personal data."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or (obj.__tablename__ if obj is not None else "system"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        details=details,
    )
    db.session.add(event)
    return event
