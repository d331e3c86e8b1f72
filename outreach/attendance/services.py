"""Recording who came to a workshop."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select

from outreach.attendance.models import Attendance
from outreach.dbtypes import utcnow
from outreach.errors import Conflict, NotFound, OutreachError
from outreach.events import announce, attendance_recorded
from outreach.extensions import db
from outreach.i18n import _l
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop


def check_can_record(workshop: Workshop) -> None:
    """Attendance is taken for workshops that were not cancelled, from the moment they start."""
    if workshop.status == "cancelled":
        raise Conflict(_l("This workshop was cancelled; attendance cannot be recorded."), code="workshop_cancelled")
    if not workshop.has_started():
        raise Conflict(_l("Attendance can be taken once the workshop has started."), code="workshop_not_started")


def recorded(workshop_id: int) -> dict[int, bool]:
    """What was recorded so far for the workshop's confirmed students: student id → present."""
    rows = db.session.execute(select(Signup.student_id, Attendance.present).join(
        Attendance, Attendance.signup_id == Signup.id).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed")).all()
    return {student_id: present for student_id, present in rows}


def record(workshop_id: int, present_student_ids: Iterable[int], *, actor: Any) -> dict[str, int]:
    """Set attendance for every confirmed sign-up; those not listed are absent. Marks the workshop completed.

    Recording again corrects the earlier record; the audit trail keeps which sign-ups changed (ids only)."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(_l("The workshop was not found."))
    check_can_record(workshop)
    confirmed = {s.student_id: s for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed"))}
    present = set(int(i) for i in present_student_ids)
    unknown = present - set(confirmed)
    if unknown:
        raise OutreachError(_l("Attendance can only be recorded for students with a confirmed place."),
                            code="not_confirmed", fields={"present": [_l("Not a confirmed student of this workshop.")]})
    existing = {a.signup_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.signup_id.in_([s.id for s in confirmed.values()])))}
    correction = bool(existing) or workshop.attendance_recorded_at is not None
    now = utcnow()
    changed: list[int] = []
    for student_id, signup in confirmed.items():
        row = existing.get(signup.id)
        is_present = student_id in present
        if row is None:
            db.session.add(Attendance(signup_id=signup.id, present=is_present, recorded_at=now,
                                      recorded_by_id=getattr(actor, "id", None)))
            if correction:
                changed.append(signup.id)
        elif row.present != is_present:
            row.present, row.recorded_at, row.recorded_by_id = is_present, now, getattr(actor, "id", None)
            changed.append(signup.id)
    workshop.status = "completed"
    workshop.attendance_recorded_at = now
    db.session.flush()
    counts = {"present": len(present), "absent": len(confirmed) - len(present)}
    if correction:
        announce(attendance_recorded, workshop_id, actor=actor, action="attendance.corrected", subject=workshop,
                 details={"changed_signup_ids": sorted(changed), **counts})
    else:
        announce(attendance_recorded, workshop_id, actor=actor, action="attendance.recorded", subject=workshop,
                 details=counts)
    return counts
