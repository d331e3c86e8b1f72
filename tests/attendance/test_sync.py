"""Marks taken on phones, sent in batches: once per idempotency key, the later mark per student wins, refusals
shown per mark, every change audited, impact facts exact; and the API's GET /workshops/{id}/attendance."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.attendance import services as attendance
from outreach.attendance.models import Attendance
from outreach.audit.models import AuditEvent
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.reports import rollups
from outreach.reports.models import ImpactFact
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop
from tests.api.conftest import Api
from tests.factories import make_school, make_student, make_user, make_workshop


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def setup():
    """A workshop that started an hour ago with three confirmed students."""
    coordinator = make_user("coordinator")
    workshop = make_workshop(starts_at=utcnow() - timedelta(hours=1), capacity=5)
    school = make_school()
    students = [make_student(school) for _ in range(3)]
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    return coordinator, workshop, students


def iso(moment):
    return moment.isoformat()


def marks(workshop, students, present, at):
    return [{"workshop_id": workshop.id, "student_id": s.id, "present": p, "marked_at": iso(at)}
            for s, p in zip(students, present)]


def present_by_student(workshop) -> dict[int, bool]:
    return dict(db.session.execute(select(Signup.student_id, Attendance.present).join(Attendance).where(
        Signup.workshop_id == workshop.id)).all())


def test_a_batch_is_applied_audited_and_completes_the_workshop(api, setup):
    coordinator, workshop, students = setup
    at = utcnow() - timedelta(minutes=20)
    response = api.post("/attendance/sync", as_=coordinator,
                        json={"idempotency_key": "phone-a-1", "marks": marks(workshop, students, [True, False, True], at)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["replayed"] is False and body["applied"] == 3 and body["refused"] == 0
    assert [i["status"] for i in body["items"]] == ["applied"] * 3
    assert [i["current"] for i in body["items"]] == [True, False, True]
    assert present_by_student(workshop) == {students[0].id: True, students[1].id: False, students[2].id: True}
    assert db.session.get(Workshop, workshop.id).status == "completed"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.synced")).all()
    assert len(events) == 1 and events[0].actor_id == coordinator.id and events[0].object_id == workshop.id
    assert len(events[0].details["present_signup_ids"]) == 2 and len(events[0].details["absent_signup_ids"]) == 1
    assert rollups.drift() == 0
    attended = db.session.scalars(select(ImpactFact.attended).where(ImpactFact.workshop_id == workshop.id)).all()
    assert sorted(attended) == [0, 1, 1]
    listed = api.get(f"/workshops/{workshop.id}/attendance", as_=coordinator).get_json()
    assert listed["recorded"] is True and listed["total"] == 3
    assert {i["student_id"]: i["present"] for i in listed["items"]} == present_by_student(workshop)


def test_the_same_batch_sent_twice_changes_nothing_the_second_time(api, setup):
    coordinator, workshop, students = setup
    body = {"idempotency_key": "phone-a-2", "marks": marks(workshop, students, [True, True, False],
                                                          utcnow() - timedelta(minutes=5))}
    first = api.post("/attendance/sync", as_=coordinator, json=body).get_json()
    # meanwhile another phone marks the third student present, later
    api.post("/attendance/sync", as_=coordinator, json={"idempotency_key": "phone-b-1", "marks": marks(
        workshop, students[2:], [True], utcnow() - timedelta(minutes=1))})
    audit_before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    again = api.post("/attendance/sync", as_=coordinator, json=body)
    assert again.status_code == 200
    second = again.get_json()
    assert second["replayed"] is True and first["replayed"] is False
    assert [i["status"] for i in second["items"]] == [i["status"] for i in first["items"]]
    assert present_by_student(workshop)[students[2].id] is True  # the replay did not undo the newer mark
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == audit_before
    # the same key with other marks is refused
    other = {**body, "marks": marks(workshop, students, [False, False, False], utcnow())}
    reused = api.post("/attendance/sync", as_=coordinator, json=other)
    assert reused.status_code == 409 and reused.get_json()["error"]["code"] == "idempotency_key_reused"
    assert present_by_student(workshop)[students[0].id] is True


def test_two_phones_with_different_times_the_later_mark_wins_whatever_arrives_last(api, setup):
    coordinator, workshop, students = setup
    other = make_user("coordinator")
    db.session.commit()
    start = utcnow() - timedelta(minutes=30)
    # phone B marked student 0 absent at +10 min but comes online first; phone A marked her present at +5 min
    # and student 1 present at +20 min, and arrives last
    b = api.post("/attendance/sync", as_=other, json={"idempotency_key": "b", "marks": [
        {"workshop_id": workshop.id, "student_id": students[0].id, "present": False,
         "marked_at": iso(start + timedelta(minutes=10))},
        {"workshop_id": workshop.id, "student_id": students[1].id, "present": False,
         "marked_at": iso(start + timedelta(minutes=10))}]}).get_json()
    a = api.post("/attendance/sync", as_=coordinator, json={"idempotency_key": "a", "marks": [
        {"workshop_id": workshop.id, "student_id": students[0].id, "present": True,
         "marked_at": iso(start + timedelta(minutes=5))},
        {"workshop_id": workshop.id, "student_id": students[1].id, "present": True,
         "marked_at": (start + timedelta(minutes=20)).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Almaty"))
         .isoformat()}]}).get_json()
    assert [i["status"] for i in b["items"]] == ["applied", "applied"]
    assert [i["status"] for i in a["items"]] == ["superseded", "applied"]
    assert a["items"][0]["current"] is False
    assert present_by_student(workshop) == {students[0].id: False, students[1].id: True}
    assert rollups.drift() == 0
    # a phone whose clock runs fast cannot win forever: a future time counts as the time the batch arrived
    api.post("/attendance/sync", as_=coordinator, json={"idempotency_key": "fast", "marks": [
        {"workshop_id": workshop.id, "student_id": students[2].id, "present": True,
         "marked_at": iso(utcnow() + timedelta(days=2))}]})
    later = api.post("/attendance/sync", as_=other, json={"idempotency_key": "fix", "marks": [
        {"workshop_id": workshop.id, "student_id": students[2].id, "present": False,
         "marked_at": iso(utcnow() + timedelta(seconds=1))}]}).get_json()
    assert later["items"][0]["status"] == "applied"


def test_marks_for_a_cancelled_workshop_or_a_student_no_longer_confirmed_are_refused(api, setup):
    coordinator, workshop, students = setup
    cancelled = make_workshop(starts_at=utcnow() - timedelta(hours=2))
    signups.register(cancelled.id, [students[0].id], actor=coordinator)
    cancelled.status = "cancelled"
    signup = db.session.scalar(select(Signup).where(Signup.workshop_id == workshop.id,
                                                    Signup.student_id == students[1].id))
    signups.cancel(signup.id, actor=coordinator)
    db.session.commit()
    at = utcnow() - timedelta(minutes=1)
    response = api.post("/attendance/sync", as_=coordinator, lang="kk", json={"idempotency_key": "c", "marks": [
        {"workshop_id": cancelled.id, "student_id": students[0].id, "present": True, "marked_at": iso(at)},
        {"workshop_id": workshop.id, "student_id": students[1].id, "present": True, "marked_at": iso(at)},
        {"workshop_id": workshop.id, "student_id": students[2].id, "present": True, "marked_at": iso(at)},
        {"workshop_id": 999999, "student_id": students[2].id, "present": True, "marked_at": iso(at)}]})
    body = response.get_json()
    assert response.status_code == 200 and body["refused"] == 3 and body["applied"] == 1
    codes = [i["error"]["code"] if i["error"] else None for i in body["items"]]
    assert codes == ["workshop_cancelled", "not_confirmed", None, "workshop_not_found"]
    assert all(i["error"]["message"] and "cancelled" not in i["error"]["message"]  # in Kazakh
               for i in body["items"] if i["error"])
    assert present_by_student(workshop) == {students[2].id: True}
    assert db.session.get(Workshop, cancelled.id).attendance_recorded_at is None


def test_not_before_the_start_and_bad_bodies(api, setup):
    coordinator, _workshop, students = setup
    future = make_workshop(starts_at=utcnow() + timedelta(days=1))
    db.session.commit()
    refused = api.post("/attendance/sync", as_=coordinator, json={"idempotency_key": "f", "marks": [
        {"workshop_id": future.id, "student_id": students[0].id, "present": True, "marked_at": iso(utcnow())}]})
    assert refused.get_json()["items"][0]["error"]["code"] == "workshop_not_started"
    for body, status in (({"idempotency_key": "x", "marks": [{"workshop_id": future.id, "student_id": 1,
                                                              "present": "yes", "marked_at": iso(utcnow())}]}, 400),
                         ({"idempotency_key": "x", "marks": [{"workshop_id": future.id, "student_id": 1,
                                                              "present": True, "marked_at": "yesterday"}]}, 422),
                         ({"idempotency_key": "x", "marks": [{"workshop_id": future.id, "student_id": 1,
                                                              "present": True, "marked_at": "2026-11-28T09:30Z"}]},
                          422),
                         ({"idempotency_key": "bad key\n", "marks": []}, 422),
                         ({"marks": []}, 422), ([], 400)):
        response = api.post("/attendance/sync", as_=coordinator, json=body)
        assert response.status_code == status, (body, response.get_json())


def test_the_attendance_list_before_recording_has_null_marks(api, setup):
    coordinator, workshop, students = setup
    school_user = make_user("school")
    db.session.commit()
    listed = api.get(f"/workshops/{workshop.id}/attendance?per_page=2", as_=coordinator).get_json()
    assert listed["recorded"] is False and listed["total"] == 3 and len(listed["items"]) == 2
    assert all(i["present"] is None for i in listed["items"])
    assert api.get(f"/workshops/{workshop.id}/attendance", as_=school_user).status_code == 403
    assert api.get("/workshops/999999/attendance", as_=coordinator).status_code == 404


def test_the_page_endpoint_sends_only_under_the_user_who_took_the_marks(client, login, csrf, setup):
    _coordinator, workshop, students = setup
    assert client.get("/attendance/session").status_code == 401  # signed out: the page asks to sign in
    me = login("coordinator")
    session = client.get("/attendance/session").get_json()
    assert session["user_id"] == me.id and session["csrf_token"]
    body = {"idempotency_key": "page-1", "user_id": me.id + 1000,
            "marks": marks(workshop, students, [True, True, True], utcnow())}
    headers = {"X-CSRFToken": session["csrf_token"]}
    wrong = client.post("/attendance/sync", json=body, headers=headers)
    assert wrong.status_code == 409 and wrong.get_json()["error"]["code"] == "other_user"
    assert present_by_student(workshop) == {}
    right = client.post("/attendance/sync", json={**body, "user_id": me.id, "flash": True}, headers=headers)
    assert right.status_code == 200 and right.get_json()["applied"] == 3
    db.session.expire_all()
    assert set(present_by_student(workshop).values()) == {True}
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Attendance saved: 3 students present, 0 absent." in page
    assert client.post("/attendance/sync", json=body).status_code == 400  # no CSRF token
