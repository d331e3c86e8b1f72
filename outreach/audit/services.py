"""Recording the audit trail."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from outreach.audit.models import AuditEvent
from outreach.auth.models import ROLES, User
from outreach.extensions import db
from outreach.i18n import _l, _lp, localize
from outreach.funders.models import Funder
from outreach.initiatives.models import Initiative
from outreach.schools.models import School
from outreach.students.models import CONSENT_METHODS
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
    "user.signed_out_everywhere": _l("Signed out on all devices"),
    "user.password_reset_requested": _l("Password reset asked for"),
    "user.password_reset_link_created": _l("Password reset link made by an administrator"),
    "user.password_reset": _lp("audit event", "Password reset"),  # the event (done), not the page title
    "user.deactivated": _l("Account deactivated"),
    "user.reactivated": _l("Account reactivated"),
    "user.role_changed": _l("Role changed"),
    "user.feed_token_regenerated": _l("Calendar feed address renewed"),
    "user.reminders_on": _l("E-mail reminders turned on"),
    "user.reminders_off": _l("E-mail reminders turned off"),
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
    "student.kept": _l("Student kept: still in the programme"),
    "students.imported": _l("Students imported"),
    "signup.created": _l("Sign-up made"),
    "signup.cancelled": _l("Sign-up cancelled"),
    "attendance.recorded": _l("Attendance recorded"),
    "attendance.corrected": _l("Attendance corrected"),
    "attendance.synced": _l("Attendance sent from a phone"),
    "artist.created": _l("Teaching artist added"),
    "artist.updated": _l("Teaching artist edited"),
    "artist.merged": _l("Teaching artists' records merged"),
    "artist.unavailable_added": _l("Unavailable period added"),
    "artist.unavailable_removed": _l("Unavailable period removed"),
    "venue.created": _l("Venue added"),
    "venue.updated": _l("Venue edited"),
    "venue.merged": _l("Venues' records merged"),
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
    "artist": _l("Teaching artist"),
    "venue": _l("Venue"),
    "system": _l("System"),
}
DETAIL_KEYS = {
    "role": _l("Role"), "previous_role": _l("Previous role"), "school_id": _l("School"), "funder_id": _l("Funder"),
    "funder_ids": _l("Funders"), "initiative_id": _l("Initiative"), "user_id": _l("Account"),
    "fields": _l("Fields"), "count": _l("Count"), "sessions": _l("Sessions"), "workshop_id": _l("Workshop"),
    "workshop_ids": _l("Workshops"), "promoted_id": _l("Sign-up confirmed from the waitlist"),
    # counts of marks ("Late: 1"): a context of their own, since "Late" and "Excused absence" are also the buttons
    "present": _l("Present"), "absent": _l("Absent"), "late": _lp("audit count", "Late"),
    "excused": _lp("audit count", "Excused absence"),
    "confirmed": _l("Confirmed"), "waitlisted": _l("Waitlisted"),
    "signup_ids": _l("Sign-ups"), "changed_signup_ids": _l("Sign-ups changed"), "recorded": _l("Recorded"),
    "reason": _l("Reason"), "consent_method": _l("Consent"), "upcoming_signups_cancelled": _l("Sign-ups cancelled"),
    "roster": _l("Roster"),
    "first_record": _l("Recorded as"), "present_signup_ids": _l("Marked present"),
    "absent_signup_ids": _l("Marked absent"), "late_signup_ids": _l("Marked late"),
    "excused_signup_ids": _l("Marked absent for a good reason"),
    "already_on_roster": _l("Already on the roster, left as they were"),
    "skipped_with_problems": _l("Rows with problems, skipped"),
    "merged_id": _l("Record merged into this one"),
}
#: Details that mean nothing to a person (a phone's batch key): recorded, never shown.
HIDDEN_DETAILS = frozenset({"batch"})
#: Codes inside details, in words.
DETAIL_VALUES = {
    "consent_method": CONSENT_METHODS,
    "first_record": {True: _l("first record"), False: _l("correction")},
}
#: The fields named by "fields": the API names of what changed.
FIELDS = {
    "name": _l("Name"), "region": _l("Region"), "locality": _l("City, town or village"),
    "settlement_type": _l("Settlement"), "languages": _l("Languages of instruction"),
    "title": _l("Title"), "description": _l("Description"), "art_form": _l("Art form"),
    "starts_on": _l("Starts on"), "ends_on": _l("Ends on"), "target_students": _l("Target (students)"),
    "funder_ids": _l("Funders"), "initiative_id": _l("Initiative"), "starts_at": _l("Start time"),
    "duration_minutes": _l("Duration (minutes)"), "capacity": _l("Capacity"), "venue": _l("Venue"),
    "instructor": _l("Instructor"), "language": _l("Language"), "min_grade": _l("From grade"),
    "max_grade": _l("To grade"), "status": _l("Status"), "first_name": _l("First name"),
    "last_name": _l("Last name"), "grade": _l("Grade"), "gender": _l("Gender"), "school_id": _l("School"),
    "guardian_consent.guardian_name": _l("Guardian's full name"),
    "guardian_consent.relationship": _l("Relationship to the student"),
    "art_forms": _l("Art forms"), "home_region": _l("Home region"), "email": _l("Email"),
    "phone": _l("Phone"), "address": _l("Address"),
    "guardian_consent.given_on": _l("Consent date"), "guardian_consent.method": _l("How consent was given"),
    "media_consent": _l("Photos and video"),
}


def labels() -> dict[str, dict]:
    return {"actions": ACTIONS, "object_types": OBJECT_TYPES, "detail_keys": DETAIL_KEYS, "roles": ROLES,
            "hidden": HIDDEN_DETAILS, "values": DETAIL_VALUES, "fields": FIELDS}


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
