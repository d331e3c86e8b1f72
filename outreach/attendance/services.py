"""Recording who came to a workshop."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select

from outreach.attendance.models import Attendance
from outreach.audit.services import record as audit
from outreach.dbtypes import utcnow
from outreach.errors import Conflict, NotFound, OutreachError
from outreach.extensions import db
from outreach.i18n import _l
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop


def record(workshop_id: int, present_student_ids: Iterable[int], *, actor: Any) -> dict[str, int]:
    """Set attendance for every confirmed sign-up; those not listed are absent. Marks the workshop completed."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(_l("The workshop was not found."))
    if workshop.status == "cancelled":
        raise Conflict(_l("This workshop was cancelled; attendance cannot be recorded."), code="workshop_cancelled")
    if not workshop.has_started():
        raise Conflict(_l("Attendance can be taken once the workshop has started."), code="workshop_not_started")
    confirmed = {s.student_id: s for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed"))}
    present = set(int(i) for i in present_student_ids)
    unknown = present - set(confirmed)
    if unknown:
        raise OutreachError(_l("Attendance can only be recorded for students with a confirmed place."),
                            code="not_confirmed", fields={"present": [_l("Not a confirmed student of this workshop.")]})
    existing = {a.signup_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.signup_id.in_([s.id for s in confirmed.values()])))}
    correction = bool(existing)
    now = utcnow()
    for student_id, signup in confirmed.items():
        row = existing.get(signup.id)
        is_present = student_id in present
        if row is None:
            db.session.add(Attendance(signup_id=signup.id, present=is_present, recorded_at=now,
                                      recorded_by_id=getattr(actor, "id", None)))
        elif row.present != is_present:
            row.present, row.recorded_at, row.recorded_by_id = is_present, now, getattr(actor, "id", None)
    workshop.status = "completed"
    workshop.attendance_recorded_at = now
    db.session.flush()
    counts = {"present": len(present), "absent": len(confirmed) - len(present)}
    audit(actor, "attendance.corrected" if correction else "attendance.recorded", workshop, **counts)
    return counts
