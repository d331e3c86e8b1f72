"""Sign-ups through the API: all or nothing in the contract's order, waitlists without gaps, cancelling,
attendance."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.signups.models import Signup
from tests.api.conftest import error_of
from tests.factories import make_school, make_student, make_user, make_workshop


@pytest.fixture
def school_user():
    user = make_user("school")
    db.session.commit()
    return user


@pytest.fixture
def coordinator():
    user = make_user("coordinator")
    db.session.commit()
    return user


def students(school, n, **kw):
    made = [make_student(school, **kw) for _ in range(n)]
    db.session.commit()
    return made


def signup_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Signup))


def test_seats_first_come_first_served_the_rest_waitlisted_in_order(api, school_user):
    workshop = make_workshop(capacity=2)
    kids = students(school_user.school, 4)
    response = api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json={"student_ids": [k.id for k in kids]})
    assert response.status_code == 201
    items = response.get_json()["items"]
    assert [i["student_id"] for i in items] == [k.id for k in kids]
    assert [(i["status"], i["waitlist_position"]) for i in items] == [
        ("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    assert all(i["workshop_id"] == workshop.id for i in items)
    shown = api.get(f"/workshops/{workshop.id}", as_=school_user).get_json()
    assert (shown["seats_taken"], shown["waitlist_length"]) == (2, 2)


def test_a_student_already_signed_up_gets_the_same_sign_up_back(api, school_user):
    workshop = make_workshop(capacity=5)
    first, second = students(school_user.school, 2)
    earlier = api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json={"student_ids": [first.id]})
    again = api.post(f"/workshops/{workshop.id}/signups", as_=school_user,
                     json={"student_ids": [second.id, first.id]})
    assert again.status_code == 201
    items = again.get_json()["items"]
    assert [i["student_id"] for i in items] == [second.id, first.id]
    assert items[1]["id"] == earlier.get_json()["items"][0]["id"]
    assert signup_count() == 2


def test_after_a_cancelled_sign_up_a_new_one_is_made(api, school_user):
    workshop = make_workshop(capacity=5)
    (kid,) = students(school_user.school, 1)
    old = api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json={"student_ids": [kid.id]})
    old_id = old.get_json()["items"][0]["id"]
    assert api.delete(f"/signups/{old_id}", as_=school_user).status_code == 200
    new = api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json={"student_ids": [kid.id]})
    assert new.status_code == 201
    assert new.get_json()["items"][0]["id"] != old_id
    listed = api.get(f"/workshops/{workshop.id}/signups", as_=school_user).get_json()["items"]
    assert sorted(s["status"] for s in listed) == ["cancelled", "confirmed"]


def test_unknown_workshop_is_404(api, school_user):
    (kid,) = students(school_user.school, 1)
    response = api.post("/workshops/987654/signups", as_=school_user, json={"student_ids": [kid.id]})
    assert response.status_code == 404
    assert signup_count() == 0


def test_one_student_of_another_school_refuses_the_whole_request(api, school_user):
    workshop = make_workshop(capacity=10)
    mine = students(school_user.school, 3)
    (theirs,) = students(make_school(), 1)
    response = api.post(f"/workshops/{workshop.id}/signups", as_=school_user,
                        json={"student_ids": [mine[0].id, mine[1].id, theirs.id, mine[2].id]})
    assert response.status_code == 404
    assert signup_count() == 0
    assert api.get(f"/workshops/{workshop.id}", as_=school_user).get_json()["seats_taken"] == 0


def test_the_404_comes_before_the_409_and_the_422(api, school_user):
    workshop = make_workshop(capacity=10, min_grade=1, max_grade=2, status="cancelled")
    (wrong_grade,) = students(school_user.school, 1, grade=9)
    (theirs,) = students(make_school(), 1, grade=9)
    both = {"student_ids": [wrong_grade.id, theirs.id]}
    assert api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json=both).status_code == 404
    only_mine = {"student_ids": [wrong_grade.id]}
    response = api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json=only_mine)
    assert response.status_code == 409  # cancelled, before the grade is looked at


def test_a_cancelled_workshop_is_409_for_everyone(api, school_user, coordinator):
    workshop = make_workshop(status="cancelled")
    (kid,) = students(school_user.school, 1)
    for user in (school_user, coordinator):
        response = api.post(f"/workshops/{workshop.id}/signups", as_=user, json={"student_ids": [kid.id]})
        assert response.status_code == 409
    assert signup_count() == 0


def test_a_started_workshop_is_409_for_a_school_but_open_to_coordinators(api, school_user, coordinator):
    workshop = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(days=2))
    (kid,) = students(school_user.school, 1)
    body = {"student_ids": [kid.id]}
    assert api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json=body).status_code == 409
    assert api.post(f"/workshops/{workshop.id}/signups", as_=coordinator, json=body).status_code == 201


def test_a_grade_outside_the_range_refuses_everyone_with_422(api, school_user):
    workshop = make_workshop(capacity=10, min_grade=5, max_grade=7)
    ok = students(school_user.school, 2, grade=6)
    (young,) = students(school_user.school, 1, grade=0)
    response = api.post(f"/workshops/{workshop.id}/signups", as_=school_user,
                        json={"student_ids": [ok[0].id, young.id, ok[1].id]})
    assert response.status_code == 422
    assert signup_count() == 0


def test_an_empty_or_bad_list_is_refused(api, school_user):
    workshop = make_workshop()
    assert api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json={"student_ids": []}).status_code == 422
    assert api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json={}).status_code == 422
    assert api.post(f"/workshops/{workshop.id}/signups", as_=school_user,
                    json={"student_ids": "1,2"}).status_code == 400


def test_cancelling_a_confirmed_sign_up_promotes_the_head_of_the_waitlist(api, school_user):
    workshop = make_workshop(capacity=1)
    kids = students(school_user.school, 3)
    items = api.post(f"/workshops/{workshop.id}/signups", as_=school_user,
                     json={"student_ids": [k.id for k in kids]}).get_json()["items"]
    response = api.delete(f"/signups/{items[0]['id']}", as_=school_user)
    assert response.status_code == 200
    body = response.get_json()
    assert body["cancelled"]["id"] == items[0]["id"] and body["cancelled"]["status"] == "cancelled"
    assert body["promoted"]["id"] == items[1]["id"]
    assert (body["promoted"]["status"], body["promoted"]["waitlist_position"]) == ("confirmed", None)
    listed = {s["id"]: s for s in api.get(f"/workshops/{workshop.id}/signups", as_=school_user).get_json()["items"]}
    assert (listed[items[2]["id"]]["status"], listed[items[2]["id"]]["waitlist_position"]) == ("waitlisted", 1)


def test_cancelling_a_waitlisted_sign_up_closes_the_gap(api, school_user):
    workshop = make_workshop(capacity=1)
    kids = students(school_user.school, 4)
    items = api.post(f"/workshops/{workshop.id}/signups", as_=school_user,
                     json={"student_ids": [k.id for k in kids]}).get_json()["items"]
    body = api.delete(f"/signups/{items[1]['id']}", as_=school_user).get_json()
    assert body["promoted"] is None
    listed = {s["id"]: s for s in api.get(f"/workshops/{workshop.id}/signups", as_=school_user).get_json()["items"]}
    assert [listed[i["id"]]["waitlist_position"] for i in items[2:]] == [1, 2]


def test_cancelling_twice_is_409_and_after_the_start_a_school_cannot_cancel(api, school_user, coordinator):
    workshop = make_workshop(capacity=3)
    kids = students(school_user.school, 2)
    items = api.post(f"/workshops/{workshop.id}/signups", as_=school_user,
                     json={"student_ids": [k.id for k in kids]}).get_json()["items"]
    assert api.delete(f"/signups/{items[0]['id']}", as_=school_user).status_code == 200
    assert api.delete(f"/signups/{items[0]['id']}", as_=school_user).status_code == 409
    workshop.set_time(datetime.now(timezone.utc) - timedelta(minutes=5), workshop.duration_minutes)
    db.session.commit()
    assert api.delete(f"/signups/{items[1]['id']}", as_=school_user).status_code == 409
    assert api.delete(f"/signups/{items[1]['id']}", as_=coordinator).status_code == 200
    assert api.delete("/signups/987654", as_=coordinator).status_code == 404


def test_erased_students_stay_in_sign_up_lists_without_an_id(api, school_user, coordinator):
    workshop = make_workshop(capacity=5)
    kids = students(school_user.school, 2)
    api.post(f"/workshops/{workshop.id}/signups", as_=school_user, json={"student_ids": [k.id for k in kids]})
    assert api.delete(f"/students/{kids[0].id}", as_=school_user).status_code == 204
    assert api.get(f"/students/{kids[0].id}", as_=school_user).status_code == 404
    assert api.get(f"/students/{kids[0].id}", as_=coordinator).status_code == 404
    listed = api.get(f"/workshops/{workshop.id}/signups", as_=coordinator).get_json()["items"]
    assert sorted((s["student_id"] is None, s["status"]) for s in listed) == [
        (False, "confirmed"), (True, "cancelled")]  # its upcoming sign-up was cancelled, the record kept
    assert api.delete(f"/students/{kids[0].id}", as_=coordinator).status_code == 404
    # an erased student cannot be signed up again
    assert api.post(f"/workshops/{workshop.id}/signups", as_=coordinator,
                    json={"student_ids": [kids[0].id]}).status_code == 404


# ------------------------------------------------------------------------------------------- attendance

def test_attendance_marks_everyone_confirmed_and_not_listed_absent(api, school_user, coordinator):
    workshop = make_workshop(capacity=3, starts_at=datetime.now(timezone.utc) + timedelta(days=1))
    kids = students(school_user.school, 4)
    api.post(f"/workshops/{workshop.id}/signups", as_=coordinator, json={"student_ids": [k.id for k in kids]})
    early = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator, json={"present": [kids[0].id]})
    assert early.status_code == 409
    workshop.set_time(datetime.now(timezone.utc) - timedelta(hours=1), workshop.duration_minutes)
    db.session.commit()
    waitlisted = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator, json={"present": [kids[3].id]})
    assert waitlisted.status_code == 422
    assert "present" in error_of(waitlisted)["fields"]
    response = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator,
                       json={"present": [kids[0].id, kids[2].id]})
    assert response.status_code == 200
    assert response.get_json() == {"present": 2, "absent": 1}
    assert api.get(f"/workshops/{workshop.id}", as_=coordinator).get_json()["status"] == "completed"
    corrected = api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator, json={"present": []})
    assert corrected.get_json() == {"present": 0, "absent": 3}
    assert api.put("/workshops/987654/attendance", as_=coordinator, json={"present": []}).status_code == 404
    assert api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator, json={"present": ["1"]}).status_code == 400
