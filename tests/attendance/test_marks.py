"""Marks: present, late (with the minutes attended), excused and absent — through the API's `marks` form (the
`present` shorthand keeps working), the phone batches, the attendance page's menu; corrections audited; the
report counting minutes attended and leaving excused sign-ups out of the attendance rate."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.attendance import services as attendance
from outreach.attendance.models import Attendance
from outreach.audit.models import AuditEvent
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.reports import rollups, services as reports
from outreach.signups import services as signups
from outreach.signups.models import Signup
from tests.api.conftest import Api
from tests.factories import make_school, make_student, make_user, make_workshop


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def setup():
    """A 60-minute workshop that started two hours ago with four confirmed students."""
    coordinator = make_user("coordinator")
    workshop = make_workshop(starts_at=utcnow() - timedelta(hours=2), duration_minutes=60, capacity=6)
    school = make_school()
    students = [make_student(school) for _ in range(4)]
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    return coordinator, workshop, students


def marks_by_student(workshop) -> dict[int, tuple[str, int | None]]:
    return {sid: (status, minutes) for sid, status, minutes in db.session.execute(
        select(Signup.student_id, Attendance.status, Attendance.minutes).join(Attendance).where(
            Signup.workshop_id == workshop.id))}


def test_the_marks_form_records_late_excused_and_absent(api, setup):
    coordinator, workshop, students = setup
    a, b, c, d = students
    response = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator, json={"marks": [
        {"student_id": a.id, "status": "present"}, {"student_id": b.id, "status": "late", "minutes": 45},
        {"student_id": c.id, "status": "excused"}]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"present": 1, "late": 1, "excused": 1, "absent": 1}
    assert marks_by_student(workshop) == {a.id: ("present", None), b.id: ("late", 45), c.id: ("excused", None),
                                          d.id: ("absent", None)}  # not listed: absent
    items = {i["student_id"]: i for i in api.get(f"/workshops/{workshop.id}/attendance",
                                                  as_=coordinator).get_json()["items"]}
    assert [(items[s.id]["status"], items[s.id]["minutes"], items[s.id]["present"]) for s in students] == [
        ("present", None, True), ("late", 45, True), ("excused", None, False), ("absent", None, False)]


def test_the_present_shorthand_still_works(api, setup):
    coordinator, workshop, students = setup
    response = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator,
                       json={"present": [students[0].id, students[1].id]})
    assert response.status_code == 200
    assert response.get_json() == {"present": 2, "absent": 2}
    items = api.get(f"/workshops/{workshop.id}/attendance", as_=coordinator).get_json()["items"]
    assert sorted(i["status"] for i in items) == ["absent", "absent", "present", "present"]


@pytest.mark.parametrize("mark, field", [
    ({"status": "late"}, "marks"),  # late needs its minutes
    ({"status": "late", "minutes": 61}, "marks"),  # more than the workshop's 60 minutes
    ({"status": "present", "minutes": 10}, "marks"),  # minutes only for late
    ({"status": "sick"}, "marks.0.status"),
])
def test_minutes_and_statuses_are_checked(api, setup, mark, field):
    coordinator, workshop, students = setup
    response = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator,
                       json={"marks": [{"student_id": students[0].id, **mark}]})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert marks_by_student(workshop) == {}


def test_one_form_at_a_time_and_one_mark_per_student(api, setup):
    coordinator, workshop, students = setup
    both = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator,
                   json={"present": [], "marks": []})
    assert both.status_code == 422
    twice = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator, json={"marks": [
        {"student_id": students[0].id, "status": "present"}, {"student_id": students[0].id, "status": "absent"}]})
    assert twice.status_code == 422
    assert marks_by_student(workshop) == {}


def test_a_correction_from_present_to_late_is_audited(setup):
    coordinator, workshop, students = setup
    attendance.record(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    attendance.record_marks(workshop.id, {students[0].id: attendance.Recorded("late", 30),
                                          students[1].id: attendance.Recorded("present"),
                                          students[2].id: attendance.Recorded("present"),
                                          students[3].id: attendance.Recorded("excused")}, actor=coordinator)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.corrected")).one()
    changed = {s.id for s in db.session.scalars(select(Signup).where(
        Signup.student_id.in_([students[0].id, students[3].id])))}
    assert set(event.details["changed_signup_ids"]) == changed
    assert event.details["late"] == 1 and event.details["excused"] == 1


def test_the_report_counts_minutes_attended_and_leaves_excused_out_of_the_rate(setup):
    coordinator, workshop, students = setup
    attendance.record_marks(workshop.id, {students[0].id: attendance.Recorded("present"),
                                          students[1].id: attendance.Recorded("late", 30),
                                          students[2].id: attendance.Recorded("excused")}, actor=coordinator)
    db.session.commit()
    report = reports.impact_report(coordinator)
    assert report["student_hours"] == 1.5  # 60 + 30 minutes; excused and absent count none
    assert report["attendance_rate"] == round(2 / 3, 4)  # the excused sign-up is not in the denominator
    assert report["students_reached"] == 2 and report["signups"] == 4
    assert rollups.drift() == 0


def test_phone_batches_carry_the_marks_and_old_yes_no_batches_still_apply(api, setup):
    coordinator, workshop, students = setup
    at = (utcnow() - timedelta(minutes=30)).isoformat()
    response = api.post("/attendance/sync", as_=coordinator, json={"idempotency_key": "phone-1", "marks": [
        {"workshop_id": workshop.id, "student_id": students[0].id, "mark": "late", "minutes": 40, "marked_at": at},
        {"workshop_id": workshop.id, "student_id": students[1].id, "mark": "excused", "marked_at": at},
        {"workshop_id": workshop.id, "student_id": students[2].id, "present": True, "marked_at": at},
        {"workshop_id": workshop.id, "student_id": students[3].id, "mark": "late", "minutes": 90, "marked_at": at},
    ]})
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [(i["status"], i["current_mark"], i["current_minutes"]) for i in items[:3]] == [
        ("applied", "late", 40), ("applied", "excused", None), ("applied", "present", None)]
    assert items[3]["status"] == "refused" and items[3]["error"]["code"] == "invalid_minutes"
    assert marks_by_student(workshop) == {students[0].id: ("late", 40), students[1].id: ("excused", None),
                                          students[2].id: ("present", None)}
    again = api.post("/attendance/sync", as_=coordinator, json={"idempotency_key": "phone-1", "marks": [
        {"workshop_id": workshop.id, "student_id": students[0].id, "mark": "late", "minutes": 40, "marked_at": at},
        {"workshop_id": workshop.id, "student_id": students[1].id, "mark": "excused", "marked_at": at},
        {"workshop_id": workshop.id, "student_id": students[2].id, "present": True, "marked_at": at},
        {"workshop_id": workshop.id, "student_id": students[3].id, "mark": "late", "minutes": 90, "marked_at": at},
    ]})
    assert again.get_json()["replayed"] is True
    other = api.post("/attendance/sync", as_=coordinator, json={"idempotency_key": "phone-1", "marks": [
        {"workshop_id": workshop.id, "student_id": students[0].id, "mark": "late", "minutes": 41, "marked_at": at}]})
    assert other.status_code == 409  # other minutes under the same key
    assert rollups.drift() == 0


def test_the_page_records_late_and_excused_from_the_menu(client, login, csrf, setup):
    coordinator, workshop, students = setup
    login(coordinator)
    path = f"/workshops/{workshop.id}/attendance"
    token = csrf.token(client, path)
    a, b, c, d = students
    response = client.post(path, data={"csrf_token": token, "present": [str(a.id), str(b.id)],
                                       f"mark_{b.id}": "late", f"late_{b.id}": "15", f"mark_{c.id}": "excused"})
    assert response.status_code == 302
    # late 15 minutes of 60: 45 minutes attended
    assert marks_by_student(workshop) == {a.id: ("present", None), b.id: ("late", 45), c.id: ("excused", None),
                                          d.id: ("absent", None)}
    page = client.get(path).get_data(as_text=True)
    assert f'id="mark_{b.id}-late" checked' in page and f'value="15"' in page
    missing = client.post(path, data={"csrf_token": token, f"mark_{a.id}": "late"})
    assert missing.status_code == 422
    assert marks_by_student(workshop)[a.id] == ("present", None)
