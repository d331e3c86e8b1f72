"""The audit trail follows the domain events: every event with an `action` is recorded (ids only, no names)."""
from __future__ import annotations

from typing import Any

from outreach import events
from outreach.audit.services import record


def _on_event(_sender: Any, *, actor: Any = None, action: str | None = None, subject: Any = None,
              details: dict[str, Any] | None = None, **_kw: Any) -> None:
    if action:
        record(actor, action, subject, **(details or {}))


for _signal in events.ALL:
    _signal.connect(_on_event)
