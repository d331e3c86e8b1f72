"""Every sign-up, anonymous (coordinators and administrators only): the rows of the sign-ups export."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import select

from outreach.access import sees_exact_figures
from outreach.attendance.models import Attendance
from outreach.errors import Forbidden
from outreach.extensions import db
from outreach.i18n import _l
from outreach.reports.models import grade_band
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop


@dataclass
class SignupRow:
    workshop_id: int
    workshop_title: dict
    starts_at: datetime
    region_code: str
    settlement_type: str
    grade_band: str
    gender: str
    status: str
    attended: bool | None  # None: not confirmed, or attendance not recorded


def signup_rows(user: Any, batch_size: int = 5000) -> Iterator[SignupRow]:
    """Every sign-up ever made, without a name, streamed from server-side cursors in flat memory."""
    if not sees_exact_figures(user):
        raise Forbidden(_l("The list of all sign-ups is for coordinators."))
    return _stream_signups(batch_size)


def _stream_signups(batch_size: int) -> Iterator[SignupRow]:
    # two streams in workshop order, merged here: the workshop's title and times are read once per
    # workshop instead of once per sign-up (Core rows: no ORM bookkeeping per row)
    connection = db.session.connection()
    signups = connection.execute(
        select(Signup.workshop_id, School.region_code, School.settlement_type, Student.grade, Student.gender,
               Signup.status, Attendance.present)
        .join(Student, Student.id == Signup.student_id)
        .join(School, School.id == Student.school_id)
        .outerjoin(Attendance, Attendance.signup_id == Signup.id)
        .order_by(Signup.workshop_id, Signup.status, Signup.id)  # the (workshop_id, status) index's order
        .execution_options(yield_per=batch_size))
    workshops = iter(connection.execute(
        select(Workshop.id, Workshop.title, Workshop.starts_at, Workshop.attendance_recorded_at)
        .order_by(Workshop.id).execution_options(yield_per=batch_size)))
    workshop = next(workshops, None)
    bands = {grade: grade_band(grade) for grade in range(12)}
    for workshop_id, region_code, settlement_type, grade, gender, status, present in signups:
        while workshop is not None and workshop[0] < workshop_id:
            workshop = next(workshops, None)
        if workshop is None or workshop[0] != workshop_id:  # cannot happen: a sign-up's workshop exists
            continue
        attended = bool(present) if status == "confirmed" and workshop[3] is not None else None
        yield SignupRow(workshop_id, workshop[1], workshop[2], region_code, settlement_type, bands[grade], gender,
                        status, attended)
