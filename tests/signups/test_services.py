"""Sign-up rules, waitlist order and promotion, through the service the pages and the API share."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from outreach.errors import Conflict, NotFound, OutreachError
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage
from outreach.signups import services
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop
from tests.factories import make_school, make_student, make_user, make_workshop


@pytest.fixture
def school():
    return make_school()


@pytest.fixture
def rep(school):
    return make_user("school", school=school)


@pytest.fixture
def coordinator():
    return make_user("coordinator")


def _signups(workshop_id):
    db.session.expire_all()
    return {s.id: s for s in db.session.scalars(select(Signup).where(Signup.workshop_id == workshop_id))}


def _waitlist(workshop_id):
    db.session.expire_all()
    return [(s.id, s.waitlist_position) for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.status == "waitlisted").order_by(Signup.waitlist_position))]


def test_seats_first_then_waitlist_in_the_order_given(school, rep):
    workshop = make_workshop(capacity=2)
    students = [make_student(school) for _ in range(4)]
    results = services.register(workshop.id, [s.id for s in reversed(students)], actor=rep)
    assert [r.signup.student_id for r in results] == [s.id for s in reversed(students)]
    assert [(r.signup.status, r.signup.waitlist_position) for r in results] == [
        ("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    assert all(r.created for r in results)
    db.session.refresh(workshop)
    assert (workshop.seats_taken, workshop.waitlist_length) == (2, 2)
    later = services.register(workshop.id, [make_student(school).id], actor=rep)
    assert later[0].signup.waitlist_position == 3


def test_a_grade_outside_the_workshop_is_refused_and_nothing_is_saved(school, rep):
    workshop = make_workshop(min_grade=5, max_grade=7)
    fits, too_young = make_student(school, grade=6), make_student(school, grade=3)
    with pytest.raises(OutreachError) as caught:
        services.register(workshop.id, [fits.id, too_young.id], actor=rep)
    assert caught.value.status == 422 and caught.value.code == "grade_out_of_range"
    assert "5" in str(caught.value) and "7" in str(caught.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0


@pytest.mark.parametrize("change", ["started", "cancelled"])
def test_a_school_cannot_sign_up_to_a_started_or_cancelled_workshop(school, rep, change):
    if change == "started":
        workshop = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(minutes=5))
    else:
        workshop = make_workshop(status="cancelled")
    with pytest.raises(Conflict) as caught:
        services.register(workshop.id, [make_student(school).id], actor=rep)
    assert caught.value.status == 409 and caught.value.code == f"workshop_{change}"


def test_a_coordinator_may_enter_sign_ups_to_a_past_workshop_but_not_a_cancelled_one(school, coordinator):
    past = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(days=20))
    result = services.register(past.id, [make_student(school).id], actor=coordinator)
    assert result[0].signup.status == "confirmed"
    with pytest.raises(Conflict):
        services.register(make_workshop(status="cancelled").id, [make_student(school).id], actor=coordinator)


def test_signing_up_twice_returns_the_existing_sign_up(school, rep):
    workshop = make_workshop(capacity=1)
    a, b, c = (make_student(school) for _ in range(3))
    first = services.register(workshop.id, [a.id, b.id], actor=rep)
    again = services.register(workshop.id, [b.id, a.id, c.id], actor=rep)
    assert [r.created for r in again] == [False, False, True]
    assert again[0].signup.id == first[1].signup.id and again[0].signup.waitlist_position == 1
    assert again[1].signup.id == first[0].signup.id
    assert again[2].signup.waitlist_position == 2
    assert len(_signups(workshop.id)) == 3


def test_a_student_whose_sign_up_was_cancelled_gets_a_new_one(school, rep):
    workshop = make_workshop()
    student = make_student(school)
    old = services.register(workshop.id, [student.id], actor=rep)[0].signup
    services.cancel(old.id, actor=rep)
    new = services.register(workshop.id, [student.id], actor=rep)[0]
    assert new.created and new.signup.id != old.id and new.signup.status == "confirmed"


def test_all_or_nothing_when_one_student_belongs_to_another_school(school, rep):
    workshop = make_workshop()
    mine, theirs = make_student(school), make_student(make_school())
    db.session.commit()
    with pytest.raises(NotFound):
        services.register(workshop.id, [mine.id, theirs.id], actor=rep)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0
    assert db.session.get(Workshop, workshop.id).seats_taken == 0


def test_unknown_workshop_erased_student_and_empty_choice(school, rep):
    student = make_student(school)
    with pytest.raises(NotFound):
        services.register(999_999, [student.id], actor=rep)
    erased = make_student(school)
    erased.first_name = erased.last_name = None
    erased.erased_at = datetime.now(timezone.utc)
    db.session.flush()
    with pytest.raises(NotFound):
        services.register(make_workshop().id, [erased.id], actor=rep)
    with pytest.raises(OutreachError) as caught:
        services.register(make_workshop().id, [], actor=rep)
    assert caught.value.status == 422


def test_cancelling_a_confirmed_sign_up_promotes_the_head_of_the_waitlist(school, rep):
    workshop = make_workshop(capacity=2)
    results = services.register(workshop.id, [make_student(school).id for _ in range(5)], actor=rep)
    confirmed, head, second, third = results[0].signup, results[2].signup, results[3].signup, results[4].signup
    cancelled, promoted = services.cancel(confirmed.id, actor=rep)
    assert cancelled.status == "cancelled" and cancelled.waitlist_position is None
    assert promoted is not None and promoted.id == head.id  # the same sign-up, promoted
    signups = _signups(workshop.id)
    assert signups[head.id].status == "confirmed" and signups[head.id].waitlist_position is None
    assert _waitlist(workshop.id) == [(second.id, 1), (third.id, 2)]
    workshop = db.session.get(Workshop, workshop.id)
    assert (workshop.seats_taken, workshop.waitlist_length) == (2, 2)


def test_cancelling_a_waitlisted_sign_up_moves_those_behind_up(school, rep):
    workshop = make_workshop(capacity=1)
    results = services.register(workshop.id, [make_student(school).id for _ in range(5)], actor=rep)
    waiting = [r.signup.id for r in results[1:]]  # positions 1..4
    _cancelled, promoted = services.cancel(waiting[1], actor=rep)
    assert promoted is None
    assert _waitlist(workshop.id) == [(waiting[0], 1), (waiting[2], 2), (waiting[3], 3)]
    workshop = db.session.get(Workshop, workshop.id)
    assert (workshop.seats_taken, workshop.waitlist_length) == (1, 3)


def test_cancelling_twice_is_a_clear_conflict(school, rep):
    signup = services.register(make_workshop().id, [make_student(school).id], actor=rep)[0].signup
    services.cancel(signup.id, actor=rep)
    with pytest.raises(Conflict) as caught:
        services.cancel(signup.id, actor=rep)
    assert caught.value.code == "already_cancelled"


def test_a_school_cannot_cancel_once_the_workshop_started_but_a_coordinator_can(school, rep, coordinator):
    workshop = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(hours=1))
    signup = services.register(workshop.id, [make_student(school).id], actor=coordinator)[0].signup
    with pytest.raises(Conflict) as caught:
        services.cancel(signup.id, actor=rep)
    assert caught.value.code == "workshop_started"
    assert services.cancel(signup.id, actor=coordinator)[0].status == "cancelled"


def test_another_schools_sign_up_is_not_found(school, rep):
    other_rep = make_user("school")
    signup = services.register(make_workshop().id, [make_student(school).id], actor=rep)[0].signup
    with pytest.raises(NotFound):
        services.cancel(signup.id, actor=other_rep)
    with pytest.raises(NotFound):
        services.cancel(signup.id, actor=make_user("funder"))
    assert db.session.get(Signup, signup.id).status == "confirmed"


def test_raising_capacity_and_promoting_fills_seats_in_waitlist_order(school, rep):
    workshop = make_workshop(capacity=1)
    results = services.register(workshop.id, [make_student(school).id for _ in range(4)], actor=rep)
    workshop.capacity = 3
    promoted = services.promote_waitlist(workshop.id)
    assert [s.id for s in promoted] == [results[1].signup.id, results[2].signup.id]
    assert _waitlist(workshop.id) == [(results[3].signup.id, 1)]
    workshop = db.session.get(Workshop, workshop.id)
    assert (workshop.capacity, workshop.seats_taken, workshop.waitlist_length) == (3, 3, 1)
    # the school's representative is told once for the workshop, with the number of students
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 1 and messages[0].recipient_id == rep.id and messages[0].kind == "signup_promoted"


def test_a_freed_seat_is_not_given_away_while_students_wait(school, rep):
    workshop = make_workshop(capacity=1)
    results = services.register(workshop.id, [make_student(school).id for _ in range(2)], actor=rep)
    # seats freed behind the service's back (say, by a capacity change without promotion)
    workshop.capacity = 2
    db.session.flush()
    newcomer = services.register(workshop.id, [make_student(school).id], actor=rep)[0].signup
    assert db.session.get(Signup, results[1].signup.id).status == "confirmed"
    assert (newcomer.status, newcomer.waitlist_position) == ("waitlisted", 1)
