"""Sign-ups (all or nothing, seats first come first served) and attendance."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.access import ADMIN, COORDINATOR, SCHOOL, STAFF
from outreach.api import schemas as s
from outreach.api.blueprint import ID, PageArgs, actor, bp, page_of
from outreach.attendance import services as attendance
from outreach.errors import NotFound
from outreach.extensions import db
from outreach.i18n import _
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop

SIGNING_UP = (ADMIN, COORDINATOR, SCHOOL)


@bp.route(f"/workshops/<{ID}:workshop_id>/signups", methods=["POST"])
@bp.doc(summary="Sign students up to a workshop, all or nothing",
        description="One item per student, in the order given: seats first come, first served, the rest "
                    "waitlisted in order; a student already signed up gets the existing sign-up back. Checked "
                    "in this order: unknown workshop or another school's student (404); cancelled workshop, or "
                    "for a school representative one that has started (409); a grade outside the workshop's "
                    "range (422).")
@bp.roles(*SIGNING_UP)
@bp.arguments(s.SignupsIn)
@bp.response(201, s.SignupItems)
@bp.errors(400, 401, 404, 409, 413)
def create_signups(data: dict[str, Any], workshop_id: int):
    results = signups.register(workshop_id, data["student_ids"], actor=actor())
    return {"items": [result.signup for result in results]}


@bp.route(f"/workshops/<{ID}:workshop_id>/signups")
@bp.doc(summary="Sign-ups of a workshop (a school representative: its own students only)",
        description="Cancelled sign-ups are listed too. Erased students' sign-ups have student_id null.")
@bp.roles(*SIGNING_UP)
@bp.arguments(PageArgs, location="query")
@bp.response(200, s.SignupPage)
@bp.errors(401, 404)
def list_signups(args: dict[str, Any], workshop_id: int):
    user = actor()
    if db.session.get(Workshop, workshop_id) is None:
        raise NotFound(_("The workshop was not found."))
    query = (select(Signup).where(Signup.workshop_id == workshop_id)
             .options(selectinload(Signup.student)).order_by(Signup.id))
    if user.role == SCHOOL:
        query = query.join(Student, Student.id == Signup.student_id).where(Student.school_id == user.school_id)
    return page_of(query, args)


@bp.route(f"/signups/<{ID}:signup_id>", methods=["DELETE"])
@bp.doc(summary="Cancel a sign-up; a freed seat goes to the head of the waitlist",
        description="A school representative may cancel its own students' sign-ups until the workshop starts "
                    "(then 409). Cancelling twice is 409.")
@bp.roles(*SIGNING_UP)
@bp.response(200, s.Cancellation)
@bp.errors(401, 404, 409)
def cancel_signup(signup_id: int):
    cancelled, promoted = signups.cancel(signup_id, actor=actor())
    return {"cancelled": cancelled, "promoted": promoted}


@bp.route(f"/workshops/<{ID}:workshop_id>/attendance", methods=["PUT"])
@bp.doc(summary="Record who came: everyone confirmed and not listed is absent",
        description="Only for a workshop that has started (else 409); every id must have a confirmed "
                    "sign-up (else 422).")
@bp.roles(*STAFF)
@bp.arguments(s.AttendanceIn)
@bp.response(200, s.AttendanceOut)
@bp.errors(400, 401, 404, 409, 413)
def put_attendance(data: dict[str, Any], workshop_id: int):
    return attendance.record(workshop_id, data["present"], actor=actor())
