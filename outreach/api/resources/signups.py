"""Sign-ups (all or nothing, seats first come first served) and attendance."""
from __future__ import annotations

from typing import Any

from outreach.access import KEEP_ROSTER, TAKE_ATTENDANCE, requires
from outreach.api.schemas import signups as s
from outreach.api.blueprint import ID, actor, bp, page_of
from outreach.attendance import services as attendance
from outreach.signups import services as signups
from outreach.workshops import queries as workshops



@bp.route(f"/workshops/<{ID}:workshop_id>/signups", methods=["POST"])
@bp.doc(summary="Sign students up to a workshop, all or nothing",
        description="One item per student, in the order given: seats first come, first served, the rest "
                    "waitlisted in order; a student already signed up gets the existing sign-up back. Checked "
                    "in this order: unknown workshop or another school's student (404); cancelled workshop, or "
                    "for a school representative one that has started (409); a grade outside the workshop's "
                    "range (422).")
@requires(KEEP_ROSTER)
@bp.arguments(s.SignupsIn)
@bp.response(201, s.SignupItems)
@bp.errors(400, 401, 404, 409, 413)
def create_signups(data: dict[str, Any], workshop_id: int):
    results = signups.register(workshop_id, data["student_ids"], actor=actor())
    return {"items": [result.signup for result in results]}


@bp.route(f"/workshops/<{ID}:workshop_id>/signups")
@bp.doc(summary="Sign-ups of a workshop (a school representative: its own students only)",
        description="Cancelled sign-ups are listed too. Erased students' sign-ups have student_id null.")
@requires(KEEP_ROSTER)
@bp.arguments(s.SignupsArgs, location="query")
@bp.response(200, s.SignupPage)
@bp.errors(401, 404)
def list_signups(args: dict[str, Any], workshop_id: int):
    user = actor()
    workshops.get_workshop(user, workshop_id)  # 404 for a workshop this user may not see
    return page_of(signups.workshop_signups_query(workshop_id, actor=user, status=args.get("status")), args)


@bp.route(f"/signups/<{ID}:signup_id>", methods=["DELETE"])
@bp.doc(summary="Cancel a sign-up; a freed seat goes to the head of the waitlist",
        description="A school representative may cancel its own students' sign-ups until the workshop starts "
                    "(then 409). Cancelling twice is 409.")
@requires(KEEP_ROSTER)
@bp.response(200, s.Cancellation)
@bp.errors(401, 404, 409)
def cancel_signup(signup_id: int):
    cancelled, promoted = signups.cancel(signup_id, actor=actor())
    return {"cancelled": cancelled, "promoted": promoted}


@bp.route(f"/workshops/<{ID}:workshop_id>/attendance", methods=["PUT"])
@bp.doc(summary="Record who came: everyone confirmed and not listed is absent",
        description="Either present (the shorthand: these present, the rest absent) or marks (present, late "
                    "with the minutes attended, excused, absent). Only for a workshop that has started (else "
                    "409); every id must have a confirmed sign-up, and late minutes must be 1 … the duration "
                    "(else 422).")
@requires(TAKE_ATTENDANCE)
@bp.arguments(s.AttendanceIn)
@bp.response(200, s.AttendanceOut)
@bp.errors(400, 401, 404, 409, 413)
def put_attendance(data: dict[str, Any], workshop_id: int):
    workshops.get_workshop(actor(), workshop_id)  # a teaching artist: its own workshops only (else 404)
    if "present" in data:
        return attendance.record(workshop_id, data["present"], actor=actor())
    marks = [(m["student_id"], attendance.Recorded(m["status"], m["minutes"])) for m in data["marks"]]
    return attendance.record_marks(workshop_id, marks, actor=actor())


@bp.route(f"/workshops/<{ID}:workshop_id>/attendance")
@bp.doc(summary="Attendance of a workshop: one item per confirmed sign-up",
        description="present, status and minutes are null while attendance is not recorded (recorded: false).")
@requires(TAKE_ATTENDANCE)
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.AttendanceList)
@bp.errors(401, 404)
def get_attendance(args: dict[str, Any], workshop_id: int):
    workshop = workshops.get_workshop(actor(), workshop_id)
    recorded = workshop.attendance_recorded_at is not None
    page = page_of(attendance.workshop_attendance(workshop.id), args, scalars=False)
    page["items"] = [{"signup_id": signup.id, "student_id": s._student_id(signup),
                      "present": status in attendance.ATTENDED if recorded and status else None,
                      "status": status if recorded else None, "minutes": minutes if recorded else None,
                      "media_consent": bool(signup.student is not None and signup.student.media_consent)}
                     for signup, status, minutes in page["items"]]
    return {**page, "recorded": recorded}


@bp.route("/attendance/sync", methods=["POST"])
@bp.doc(summary="Send a batch of attendance marks taken offline",
        description="Each mark says how a student attended a workshop (mark: present, late with the minutes "
                    "attended, excused, absent; or the older present: true/false) and when it was taken. "
                    "Per student the later mark wins; a mark for a cancelled or not yet started workshop, or for "
                    "a student without a confirmed place, is refused (status refused, with an error) while the "
                    "rest apply. Sending the same batch (same idempotency_key and marks) again changes nothing "
                    "and returns the first answer with replayed: true; the same key with other marks is 409 "
                    "idempotency_key_reused.")
@requires(TAKE_ATTENDANCE)
@bp.arguments(s.SyncIn)
@bp.response(200, s.SyncOut)
@bp.errors(400, 401, 409, 413)
def sync_attendance(data: dict[str, Any]):
    return s.sync_answer(attendance.sync(data["idempotency_key"], s.marks_of(data), actor=actor()))
