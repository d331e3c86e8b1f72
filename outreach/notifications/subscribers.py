"""Messages follow the domain events: promoted students' schools, and schools of a moved or cancelled workshop."""
from __future__ import annotations

from typing import Any

from outreach import events
from outreach.notifications import services


def _on_signup_changed(_workshop_id: Any, *, promoted: Any = (), **_kw: Any) -> None:
    if promoted:
        services.signups_promoted(list(promoted))


def _on_workshop_changed(_workshop_id: Any, *, change: str | None = None, workshop: Any = None, **_kw: Any) -> None:
    if change in ("moved", "cancelled") and workshop is not None:
        services.workshop_changed(workshop, change)


events.signup_changed.connect(_on_signup_changed)
events.workshop_changed.connect(_on_workshop_changed)
