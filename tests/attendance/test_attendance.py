"""Attendance: open from the start of the workshop, confirmed students only, corrections audited, completes it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.attendance import services as attendance
from outreach.attendance.models import Attendance
from outreach.audit.models import AuditEvent
from outreach.dbtypes import utcnow
from outreach.errors import Conflict, OutreachError
from outreach.extensions import db
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop
from tests.factories import make_school, make_student, make_user, make_workshop


@pytest.fixture
def setup():
    """A workshop that started ten minutes ago: three confirmed students, one on the waitlist."""
    coordinator = make_user("coordinator")
    workshop = make_workshop(starts_at=utcnow() - timedelta(minutes=10), capacity=3)
    school = make_school()
    students = [make_student(school, first_name=f"Оқушы{i}", last_name="Сейітова") for i in range(4)]
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    return coordinator, workshop, students


def ticked(html: str) -> set[int]:
    return {int(m.group(1)) for m in re.finditer(r'<input[^>]*value="(\d+)"[^>]*\bchecked\b[^>]*>', html)
            if 'name="present"' in m.group(0)}


def present_by_student(workshop) -> dict[int, bool]:
    rows = db.session.execute(select(Signup.student_id, Attendance.present).join(Attendance).where(
        Signup.workshop_id == workshop.id)).all()
    return dict(rows)


def test_not_before_the_start(client, login):
    coordinator = login("coordinator")
    workshop = make_workshop(starts_at=utcnow() + timedelta(hours=2))
    db.session.commit()
    with pytest.raises(Conflict) as error:
        attendance.record(workshop.id, [], actor=coordinator)
    assert error.value.code == "workshop_not_started"
    page = client.get(f"/workshops/{workshop.id}/attendance?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "once the workshop has started" in html
    # the roster is on the page (so a phone can keep it for the trip) but closed until the start
    assert re.search(r'<form[^>]*id="attendance-form"[^>]*\bhidden\b', html)
    assert page.headers["X-Offline-User"] == str(coordinator.id)
    assert client.post(f"/workshops/{workshop.id}/attendance", data={}).status_code in (400, 409)
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).status == "scheduled"


def test_the_roster_lists_confirmed_students_only(client, login, setup):
    coordinator, workshop, students = setup
    login("coordinator")
    html = client.get(f"/workshops/{workshop.id}/attendance").get_data(as_text=True)
    for student in students[:3]:
        assert student.first_name in html
    assert students[3].first_name not in html  # on the waitlist
    assert html.count('name="present"') == 3


def test_recording_marks_the_workshop_completed(client, login, csrf, setup):
    _, workshop, students = setup
    login("coordinator")
    token = csrf.token(client, f"/workshops/{workshop.id}/attendance")
    response = client.post(f"/workshops/{workshop.id}/attendance?lang=en",
                           data={"csrf_token": token, "present": [str(students[0].id), str(students[2].id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert present_by_student(workshop) == {students[0].id: True, students[1].id: False, students[2].id: True}
    assert db.session.get(Workshop, workshop.id).status == "completed"
    page = client.get(f"/workshops/{workshop.id}?lang=en").get_data(as_text=True)
    assert "2 students present, 1 absent" in page and "Completed" in page


def test_only_confirmed_students_can_be_marked(client, login, csrf, setup):
    coordinator, workshop, students = setup
    with pytest.raises(OutreachError) as error:
        attendance.record(workshop.id, [students[3].id], actor=coordinator)
    assert error.value.status == 422
    db.session.rollback()
    login("coordinator")
    token = csrf.token(client, f"/workshops/{workshop.id}/attendance")
    response = client.post(f"/workshops/{workshop.id}/attendance",
                           data={"csrf_token": token, "present": [str(students[0].id), str(students[3].id)]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # what was ticked is still ticked
    assert students[0].id in ticked(html) and students[1].id not in ticked(html)
    assert present_by_student(workshop) == {}


def test_a_correction_is_possible_and_audited(setup):
    coordinator, workshop, students = setup
    attendance.record(workshop.id, [students[0].id, students[1].id], actor=coordinator)
    first_signup = db.session.scalar(select(Signup.id).where(Signup.student_id == students[1].id))
    counts = attendance.record(workshop.id, [students[0].id], actor=coordinator)
    assert counts == {"present": 1, "absent": 2}
    assert present_by_student(workshop)[students[1].id] is False
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "workshop", AuditEvent.object_id == workshop.id,
        AuditEvent.action.like("attendance.%")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["attendance.recorded", "attendance.corrected"]
    assert events[1].details["changed_signup_ids"] == [first_signup]
    assert events[1].actor_id == coordinator.id
    assert "Сейітова" not in str(events[1].details)  # ids, never names


def test_a_cancelled_workshop_takes_no_attendance(client, login, setup):
    coordinator, workshop, _ = setup
    workshop.status = "cancelled"
    db.session.commit()
    with pytest.raises(Conflict):
        attendance.record(workshop.id, [], actor=coordinator)
    login("coordinator")
    html = client.get(f"/workshops/{workshop.id}/attendance").get_data(as_text=True)
    assert 'name="present"' not in html
