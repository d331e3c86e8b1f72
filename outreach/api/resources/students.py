"""Students: staff see all of them, a school representative its own; funders never see a student."""
from __future__ import annotations

from typing import Any

from flask import Response

from outreach.access import KEEP_ROSTER, requires
from outreach.api.schemas import students as s
from outreach.api.blueprint import ID, actor, bp, page_of
from outreach.students import services as students



@bp.route("/students")
@bp.doc(summary="Students (a school representative: its own)")
@requires(KEEP_ROSTER)
@bp.arguments(s.StudentsArgs, location="query")
@bp.response(200, s.StudentPage)
@bp.errors(401)
def list_students(args: dict[str, Any]):
    query = students.students_query(actor(), school_id=args.get("school_id"), q=args.get("q"),
                                    grade=args.get("grade"))
    return page_of(query, args)


@bp.route("/students", methods=["POST"])
@bp.doc(summary="Add a student, with the guardian's consent",
        description="A school representative's students always go to its own school; coordinators and admins "
                    "give school_id. No consent: 422.")
@requires(KEEP_ROSTER)
@bp.arguments(s.StudentIn)
@bp.response(201, s.StudentOut)
@bp.errors(400, 401, 413)
def create_student(data: dict[str, Any]):
    return students.create_student(data, actor=actor())


@bp.route(f"/students/<{ID}:student_id>")
@bp.doc(summary="One student (erased students are 404)")
@requires(KEEP_ROSTER)
@bp.response(200, s.StudentOut)
@bp.errors(401, 404)
def get_student(student_id: int):
    return students.get_student(student_id, actor=actor())


@bp.route(f"/students/<{ID}:student_id>", methods=["DELETE"])
@bp.doc(summary="Erase a student",
        description="Personal fields and the guardian's details are removed for good; sign-ups and attendance "
                    "stay as anonymous records (student_id null in sign-up lists), so figures do not change. "
                    "The student is 404 afterwards.")
@requires(KEEP_ROSTER)
@bp.response(204)
@bp.errors(401, 404)
def erase_student(student_id: int):
    user = actor()
    students.erase_student(students.get_student(student_id, actor=user), actor=user)
    return Response(status=204)
