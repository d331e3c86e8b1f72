"""Recording the audit trail."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from outreach.audit.models import AuditEvent
from outreach.auth.models import ROLES, User
from outreach.extensions import db
from outreach.i18n import _l, localize
from outreach.initiatives.models import Funder, Initiative
from outreach.schools.models import School
from outreach.workshops.models import Workshop


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


# -- reading the trail (the administrators' audit log page) ----------------------------------------------------

ACTIONS = {
    "user.created": _l("Account created"),
    "user.invited": _l("Person invited"),
    "user.invitation_accepted": _l("Invitation accepted"),
    "invitation.revoked": _l("Invitation revoked"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset_requested": _l("Password reset asked for"),
    "user.password_reset": _l("Password reset"),
    "user.deactivated": _l("Account deactivated"),
    "user.reactivated": _l("Account reactivated"),
    "user.role_changed": _l("Role changed"),
    "user.feed_token_regenerated": _l("Calendar feed address renewed"),
    "api_token.revoked": _l("API token revoked"),
    "funder.created": _l("Funder organisation added"),
    "funder.updated": _l("Funder organisation edited"),
    "school.created": _l("School added"),
    "school.updated": _l("School edited"),
    "initiative.created": _l("Initiative created"),
    "initiative.updated": _l("Initiative edited"),
    "initiative.archived": _l("Initiative archived"),
    "initiative.restored": _l("Initiative restored"),
    "workshop.created": _l("Workshop created"),
    "workshop.updated": _l("Workshop edited"),
    "workshop.cancelled": _l("Workshop cancelled"),
    "series.created": _l("Series created"),
    "student.created": _l("Student added"),
    "student.updated": _l("Student edited"),
    "student.erased": _l("Student erased"),
    "students.imported": _l("Students imported"),
    "signup.created": _l("Sign-up made"),
    "signup.cancelled": _l("Sign-up cancelled"),
    "attendance.recorded": _l("Attendance recorded"),
    "attendance.corrected": _l("Attendance corrected"),
}
OBJECT_TYPES = {
    "user": _l("Account"),
    "invitation": _l("Invitation"),
    "api_token": _l("API token"),
    "funder": _l("Funder organisation"),
    "school": _l("School"),
    "initiative": _l("Initiative"),
    "workshop": _l("Workshop"),
    "workshop_series": _l("Series"),
    "student": _l("Student"),
    "signup": _l("Sign-up"),
    "system": _l("System"),
}
DETAIL_KEYS = {
    "role": _l("Role"), "previous_role": _l("Previous role"), "school_id": _l("School"), "funder_id": _l("Funder"),
    "funder_ids": _l("Funders"), "initiative_id": _l("Initiative"), "user_id": _l("Account"),
    "fields": _l("Fields"), "count": _l("Count"), "sessions": _l("Sessions"), "workshop_id": _l("Workshop"),
    "workshop_ids": _l("Workshops"), "promoted_id": _l("Sign-up confirmed from the waitlist"),
    "present": _l("Present"), "absent": _l("Absent"), "confirmed": _l("Confirmed"), "waitlisted": _l("Waitlisted"),
    "signup_ids": _l("Sign-ups"), "changed_signup_ids": _l("Sign-ups changed"), "recorded": _l("Recorded"),
    "reason": _l("Reason"), "consent_method": _l("Consent"), "upcoming_signups_cancelled": _l("Sign-ups cancelled"),
    "roster": _l("Roster"),
}


def labels() -> dict[str, dict]:
    return {"actions": ACTIONS, "object_types": OBJECT_TYPES, "detail_keys": DETAIL_KEYS, "roles": ROLES}


def events_query(*, actor_id: int | None = None, action: str | None = None, object_type: str | None = None,
                 object_id: int | None = None, since: datetime | None = None, until: datetime | None = None):
    """Audit events matching the filters, newest first."""
    query = select(AuditEvent)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def about(user: Any, *, limit: int = 20) -> list[AuditEvent]:
    """The latest events done by or to this account."""
    return list(db.session.scalars(
        select(AuditEvent).where(or_(AuditEvent.actor_id == user.id,
                                     (AuditEvent.object_type == "user") & (AuditEvent.object_id == user.id)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def names_for(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """Readable names for the objects and actors of a page of events (never a child's name: students stay
    numbers). One query per kind of object on the page."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_id is not None:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
        if event.actor_id is not None:
            wanted.setdefault("user", set()).add(event.actor_id)
        for key, kind in (("school_id", "school"), ("funder_id", "funder"), ("initiative_id", "initiative"),
                          ("user_id", "user"), ("workshop_id", "workshop")):
            value = (event.details or {}).get(key)
            if isinstance(value, int):
                wanted.setdefault(kind, set()).add(value)
    names: dict[tuple[str, int], str] = {}
    loaders = {
        "user": (User, lambda u: u.display_name),
        "school": (School, lambda s: s.name),
        "funder": (Funder, lambda f: f.name),
        "initiative": (Initiative, lambda i: localize(i.title)),
        "workshop": (Workshop, lambda w: localize(w.title)),
    }
    for kind, ids in wanted.items():
        if kind not in loaders or not ids:
            continue
        model, name = loaders[kind]
        for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
            names[(kind, obj.id)] = name(obj)
    return names
