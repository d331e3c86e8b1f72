"""Scheduling rules: dates within the initiative, conflicts, series all or nothing, capacity, cancel, move."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.errors import Conflict, OutreachError
from outreach.extensions import db
from outreach.i18n import force_locale
from outreach.notifications.models import OutboxMessage
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.workshops import queries, services
from outreach.workshops.models import Workshop, WorkshopSeries
from tests.factories import make_school, make_student, make_user, make_workshop, venue_named
from tests.workshops.helpers import at, term, workshop_data


@pytest.fixture
def actor():
    return make_user("coordinator")


@pytest.fixture
def initiative():
    return term()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- creating ---------------------------------------------------------------------------------------------------

def test_create_a_workshop(actor, initiative):
    workshop = services.create_workshop(workshop_data(initiative, venue="  Үлкен   зал "), actor=actor)
    assert workshop.id and workshop.status == "scheduled" and workshop.seats_taken == 0
    assert workshop.ends_at - workshop.starts_at == timedelta(minutes=90)
    assert workshop.venue == "Үлкен зал"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == workshop.id)) == \
        "workshop.created"


def test_the_start_date_must_fall_within_the_initiative_in_almaty_time(actor):
    initiative = term(starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    # both ends included, judged by the Almaty date: 23:30 on the last day is still inside
    services.create_workshop(workshop_data(initiative, starts_at=at(2027, 3, 1, 9)), actor=actor)
    services.create_workshop(workshop_data(initiative, starts_at=at(2027, 3, 31, 22, 0), venue="Б", instructor="Б"),
                             actor=actor)
    # 00:30 on 1 April in Almaty is still 31 March in UTC: refused
    with pytest.raises(OutreachError) as error:
        services.create_workshop(workshop_data(initiative, starts_at=at(2027, 4, 1, 0, 30)), actor=actor)
    assert error.value.status == 422 and "starts_at" in error.value.fields
    with pytest.raises(OutreachError):
        services.create_workshop(workshop_data(initiative, starts_at=at(2027, 2, 28, 23)), actor=actor)


@pytest.mark.parametrize("changes,field", [
    ({"title": {"kk": " ", "ru": ""}}, "title"),
    ({"min_grade": 7, "max_grade": 3}, "max_grade"),
    ({"max_grade": 12}, "max_grade"),
    ({"capacity": 0}, "capacity"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"venue": "   "}, "venue"),
    ({"language": "de"}, "language"),
    ({"initiative_id": 999999}, "initiative_id"),
    ({"starts_at": None}, "starts_at"),
])
def test_invalid_data_names_the_field(actor, initiative, changes, field):
    with pytest.raises(OutreachError) as error:
        services.create_workshop(workshop_data(initiative, **changes), actor=actor)
    assert error.value.status == 422 and field in error.value.fields
    assert count(Workshop) == 0


def test_grade_zero_is_the_pre_school_class(actor, initiative):
    workshop = services.create_workshop(workshop_data(initiative, min_grade=0, max_grade=0), actor=actor)
    assert (workshop.min_grade, workshop.max_grade) == (0, 0)


def test_an_archived_initiative_takes_no_new_workshops(actor):
    initiative = term(status="archived")
    with pytest.raises(OutreachError) as error:
        services.create_workshop(workshop_data(initiative), actor=actor)
    assert "initiative_id" in error.value.fields


# --- conflicts --------------------------------------------------------------------------------------------------

def test_instructor_booked_at_an_overlapping_time_is_refused_naming_the_clash(actor, initiative):
    services.create_workshop(workshop_data(initiative, title={"en": "Swan Lake rehearsal"},
                                           starts_at=at(2027, 3, 8, 10)), actor=actor)
    with force_locale("en"), pytest.raises(Conflict) as error:
        services.create_workshop(workshop_data(initiative, venue="Кіші зал", starts_at=at(2027, 3, 8, 11)),
                                 actor=actor)
    assert error.value.code == "schedule_conflict" and error.value.status == 409
    message = str(error.value)
    assert "Анна Ким" in message and "Swan Lake rehearsal" in message
    assert "March 8, 2027" in message and "10:00" in message  # date and Almaty time of the clashing workshop


def test_venue_booked_at_an_overlapping_time_is_refused(actor, initiative):
    services.create_workshop(workshop_data(initiative), actor=actor)
    with pytest.raises(Conflict) as error:
        services.create_workshop(workshop_data(initiative, instructor="Ерлан Қасымов",
                                               starts_at=at(2027, 3, 8, 9, 0)), actor=actor)
    assert "Үлкен зал" in str(error.value)


def test_back_to_back_is_fine(actor, initiative):
    services.create_workshop(workshop_data(initiative, starts_at=at(2027, 3, 8, 10)), actor=actor)  # 10:00–11:30
    services.create_workshop(workshop_data(initiative, starts_at=at(2027, 3, 8, 11, 30)), actor=actor)
    services.create_workshop(workshop_data(initiative, starts_at=at(2027, 3, 8, 8, 30)), actor=actor)  # ends 10:00
    assert count(Workshop) == 3


def test_cancelled_workshops_conflict_with_nothing(actor, initiative):
    first = services.create_workshop(workshop_data(initiative), actor=actor)
    services.cancel_workshop(first, actor=actor)
    services.create_workshop(workshop_data(initiative), actor=actor)
    assert count(Workshop) == 2


def test_names_are_compared_trimmed_and_case_insensitively_in_cyrillic(actor, initiative):
    services.create_workshop(workshop_data(initiative, instructor="Әлия Нұрланова", venue="Зал 1"), actor=actor)
    with pytest.raises(Conflict):
        services.create_workshop(workshop_data(initiative, instructor="  ӘЛИЯ   НҰРЛАНОВА ", venue="Зал 2"),
                                 actor=actor)
    with pytest.raises(Conflict):
        services.create_workshop(workshop_data(initiative, instructor="Басқа", venue=" зал 1"), actor=actor)


def test_moving_a_workshop_is_checked_but_it_never_clashes_with_itself(actor, initiative):
    workshop = services.create_workshop(workshop_data(initiative), actor=actor)
    services.update_workshop(workshop, {"starts_at": at(2027, 3, 8, 10, 30)}, actor=actor)  # overlaps its old time
    other = services.create_workshop(workshop_data(initiative, starts_at=at(2027, 3, 9, 10)), actor=actor)
    with pytest.raises(Conflict):
        services.update_workshop(other, {"starts_at": at(2027, 3, 8, 11)}, actor=actor)


# --- series -----------------------------------------------------------------------------------------------------

def test_a_series_is_saved_with_every_session(actor, initiative):
    sessions = services.create_series(workshop_data(initiative, starts_at=at(2027, 3, 1, 15)),
                                      {"weekdays": [1, 3], "count": 6}, actor=actor)
    assert len(sessions) == 6 and len({s.series_id for s in sessions}) == 1
    series = db.session.get(WorkshopSeries, sessions[0].series_id)
    assert series.weekdays == "1,3" and series.count == 6
    assert [s.starts_at.astimezone(at(2027, 1, 1).tzinfo).hour for s in sessions] == [15] * 6


def test_a_series_is_all_or_nothing_when_session_7_clashes(actor, initiative):
    services.create_workshop(workshop_data(initiative, title={"en": "Masterclass with guests"}, venue="Басқа зал",
                                           starts_at=at(2027, 4, 12, 15, 30)), actor=actor)  # the 7th Monday
    db.session.commit()
    with force_locale("en"), pytest.raises(Conflict) as error:
        services.create_series(workshop_data(initiative, starts_at=at(2027, 3, 1, 15)),
                               {"weekdays": [1], "count": 10}, actor=actor)
    assert error.value.code == "schedule_conflict"
    assert "Masterclass with guests" in str(error.value) and "April 12, 2027" in str(error.value)
    # nothing was even flushed before the clash was found (the request's rollback is not what saves us)
    assert count(Workshop) == 1 and count(WorkshopSeries) == 0


def test_a_series_running_past_the_initiative_is_refused(actor):
    initiative = term(starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    with pytest.raises(OutreachError) as error:
        services.create_series(workshop_data(initiative, starts_at=at(2027, 3, 1)), {"weekdays": [1], "count": 6},
                               actor=actor)
    assert "count" in error.value.fields
    assert count(Workshop) == 0


def _series(actor, initiative, n=5):
    return services.create_series(workshop_data(initiative, starts_at=at(2027, 3, 1, 15)),
                                  {"weekdays": [1], "count": n}, actor=actor)


def test_edit_this_and_following_sessions(actor, initiative):
    sessions = _series(actor, initiative)
    before = [s.starts_at for s in sessions]
    venue_named("Жаңа зал")
    services.update_following(sessions[2], {"starts_at": at(2027, 3, 16, 17), "venue": "Жаңа зал"}, actor=actor)
    # the first two stay; from the third on: one day later, at 17:00, in the new venue
    assert [s.starts_at for s in sessions[:2]] == before[:2]
    assert [s.venue for s in sessions] == ["Үлкен зал"] * 2 + ["Жаңа зал"] * 3
    assert [s.starts_at for s in sessions[2:]] == [at(2027, 3, 16, 17), at(2027, 3, 23, 17), at(2027, 3, 30, 17)]


def test_edit_following_is_all_or_nothing(actor, initiative):
    sessions = _series(actor, initiative)
    services.create_workshop(workshop_data(initiative, instructor="Басқа", venue="Жаңа зал",
                                           starts_at=at(2027, 3, 29, 15)), actor=actor)  # clashes with the 5th
    db.session.commit()
    with pytest.raises(Conflict):
        services.update_following(sessions[1], {"venue": "Жаңа зал"}, actor=actor)
    assert [s.venue for s in sessions] == ["Үлкен зал"] * 5
    db.session.rollback()
    assert [db.session.get(Workshop, s.id).venue for s in sessions] == ["Үлкен зал"] * 5


def test_edit_one_session_only(actor, initiative):
    sessions = _series(actor, initiative)
    services.update_workshop(sessions[1], {"title": {"en": "Special"}, "capacity": 10}, actor=actor)
    updates = db.session.execute(select(AuditEvent.object_id, AuditEvent.details).where(
        AuditEvent.action == "workshop.updated")).all()
    assert updates == [(sessions[1].id, {"fields": ["title"]})]  # capacity was 10 already
    assert [s.title.get("en") for s in sessions] == ["Dance class", "Special", "Dance class", "Dance class",
                                                     "Dance class"]


def test_cancel_this_and_following_sessions(actor, initiative):
    sessions = _series(actor, initiative)
    services.cancel_following(sessions[3], actor=actor)
    assert [s.status for s in sessions] == ["scheduled"] * 3 + ["cancelled"] * 2


# --- capacity ---------------------------------------------------------------------------------------------------

@pytest.fixture
def full_workshop(actor, initiative):
    """Capacity 2: two confirmed, three on the waitlist (in the order signed up)."""
    workshop = services.create_workshop(workshop_data(initiative, capacity=2), actor=actor)
    school = make_school()
    students = [make_student(school) for _ in range(5)]
    signups.register(workshop.id, [s.id for s in students], actor=actor)
    return workshop, students


def _statuses(workshop, students):
    rows = {s.student_id: (s.status, s.waitlist_position) for s in db.session.scalars(
        select(Signup).where(Signup.workshop_id == workshop.id))}
    return [rows[s.id] for s in students]


def test_lowering_capacity_below_the_confirmed_is_refused(actor, full_workshop):
    workshop, students = full_workshop
    db.session.commit()
    with force_locale("en"), pytest.raises(Conflict) as error:
        services.update_workshop(workshop, {"capacity": 1}, actor=actor)
    assert error.value.code == "capacity_below_confirmed"
    assert "2 students are confirmed" in str(error.value)
    assert workshop.capacity == 2


def test_raising_capacity_promotes_the_waitlist_in_order(actor, full_workshop):
    workshop, students = full_workshop
    services.update_workshop(workshop, {"capacity": 3}, actor=actor)
    assert _statuses(workshop, students) == [("confirmed", None)] * 3 + [("waitlisted", 1), ("waitlisted", 2)]
    services.update_workshop(workshop, {"capacity": 10}, actor=actor)
    assert _statuses(workshop, students) == [("confirmed", None)] * 5
    assert (workshop.seats_taken, workshop.waitlist_length) == (5, 0)


# --- cancelling and moving --------------------------------------------------------------------------------------

def test_cancelling_keeps_sign_ups_and_tells_the_schools(actor, initiative):
    workshop = services.create_workshop(workshop_data(initiative), actor=actor)
    school, other_school = make_school(), make_school()
    rep = make_user("school", school=school)
    make_user("school", school=other_school)
    student = make_student(school)
    signups.register(workshop.id, [student.id], actor=actor)
    services.cancel_workshop(workshop, actor=actor)
    assert workshop.status == "cancelled"
    assert db.session.scalar(select(Signup.status).where(Signup.workshop_id == workshop.id)) == "confirmed"
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.recipient_id, m.kind) for m in messages] == [(rep.id, "workshop_cancelled")]
    with pytest.raises(Conflict):
        services.cancel_workshop(workshop, actor=actor)
    with pytest.raises(Conflict):
        services.update_workshop(workshop, {"capacity": 20}, actor=actor)


def test_cancel_through_update_status(actor, initiative):
    workshop = services.create_workshop(workshop_data(initiative), actor=actor)
    services.update_workshop(workshop, {"status": "cancelled"}, actor=actor)
    assert workshop.status == "cancelled"
    with pytest.raises(OutreachError):
        services.update_workshop(services.create_workshop(workshop_data(initiative), actor=actor),
                                 {"status": "completed"}, actor=actor)


def test_moving_tells_the_schools_but_other_changes_do_not(actor, initiative):
    workshop = services.create_workshop(workshop_data(initiative), actor=actor)
    school = make_school()
    make_user("school", school=school)
    signups.register(workshop.id, [make_student(school).id], actor=actor)
    services.update_workshop(workshop, {"title": {"en": "New name"}, "venue": "ҮЛКЕН ЗАЛ"}, actor=actor)
    assert count(OutboxMessage) == 0  # same venue, other case: not a move
    venue_named("Басқа зал")
    services.update_workshop(workshop, {"starts_at": at(2027, 3, 9, 10)}, actor=actor)
    services.update_workshop(workshop, {"venue": "Басқа зал"}, actor=actor)
    assert db.session.scalars(select(OutboxMessage.kind)).all() == ["workshop_moved", "workshop_moved"]


# --- who sees which workshops -----------------------------------------------------------------------------------

def test_workshops_query_scopes_and_filters(actor):
    from tests.factories import make_funder

    funder = make_funder()
    funded, other = term(funders=[funder]), term()
    a = services.create_workshop(workshop_data(funded, starts_at=at(2027, 3, 8, 23, 30), instructor="Әлия"),
                                 actor=actor)
    b = services.create_workshop(workshop_data(other, starts_at=at(2027, 3, 9, 10), instructor="Ерлан"), actor=actor)
    c = services.create_workshop(workshop_data(other, starts_at=at(2027, 3, 10, 10), venue="Басқа"), actor=actor)
    services.cancel_workshop(c, actor=actor)
    school = make_school(region_code="KZ-75")
    signups.register(b.id, [make_student(school).id], actor=actor)

    def ids(user, **kw):
        return [w.id for w in db.session.scalars(queries.workshops_query(user, **kw))]

    assert ids(actor) == [a.id, b.id, c.id]
    assert ids(make_user("funder", funder=funder)) == [a.id]
    assert ids(make_user("school")) == [a.id, b.id]  # cancelled ones only when its students were signed up
    assert ids(make_user("school", school=school)) == [a.id, b.id]
    # 23:30 on 8 March in Almaty is 18:30 UTC: still the 8th for the date filters
    assert ids(actor, date_from=date(2027, 3, 8), date_to=date(2027, 3, 8)) == [a.id]
    assert ids(actor, date_from=date(2027, 3, 9)) == [b.id, c.id]
    assert ids(actor, region="KZ-75") == [b.id]
    assert ids(actor, instructor="ӘЛИЯ") == [a.id]
    assert ids(actor, status="cancelled") == [c.id]
    assert ids(actor, initiative_id=funded.id) == [a.id]


def test_unchanged_times_are_not_rechecked(actor, initiative):
    # two workshops that clash already (entered before the rule existed) can still be edited otherwise
    from tests.factories import make_workshop

    first = make_workshop(initiative=initiative, starts_at=at(2027, 3, 8, 10), instructor="Анна Ким", venue="А")
    make_workshop(initiative=initiative, starts_at=at(2027, 3, 8, 10), instructor="анна ким", venue="Б")
    services.update_workshop(first, {"starts_at": at(2027, 3, 8, 10), "instructor": "Анна Ким", "capacity": 30},
                             actor=actor)
    assert first.capacity == 30
    with pytest.raises(Conflict):
        services.update_workshop(first, {"starts_at": at(2027, 3, 8, 10, 15)}, actor=actor)


def test_moving_outside_the_initiative_dates_is_refused(actor):
    initiative = term(starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    workshop = services.create_workshop(workshop_data(initiative), actor=actor)
    with pytest.raises(OutreachError) as error:
        services.update_workshop(workshop, {"starts_at": at(2027, 4, 2, 10)}, actor=actor)
    assert "starts_at" in error.value.fields and workshop.starts_at == at(2027, 3, 8, 10)


def test_moving_a_started_workshop_into_the_future_frees_an_erased_students_seat(actor):
    """Erasure cancels only upcoming sign-ups; a started workshop moved forward must not keep the erased child."""
    from datetime import datetime, timezone

    from outreach.students import services as students

    started = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(days=5), capacity=1)
    child, waiting = make_student(), make_student()
    first = signups.register(started.id, [child.id], actor=actor)[0].signup
    signups.register(started.id, [waiting.id], actor=actor)
    students.erase_student(child, actor=actor)
    db.session.commit()
    assert db.session.get(Signup, first.id).status == "confirmed"  # a past workshop keeps its history

    services.update_workshop(started, {"starts_at": started.starts_at + timedelta(days=12)}, actor=actor)
    db.session.commit()

    assert db.session.get(Signup, first.id).status == "cancelled"
    moved = db.session.get(Workshop, started.id)
    assert moved.seats_taken == 1 and moved.waitlist_length == 0  # the waiting child got the seat


def test_moving_a_workshop_with_recorded_attendance_into_the_future_frees_an_erased_students_seat(actor):
    """Recording attendance marks a workshop completed; moved forward all the same, it must not keep an erased child
    (found by the state machine: the seat was released only for workshops still "scheduled")."""
    from datetime import datetime, timezone

    from outreach.attendance import services as attendance
    from outreach.students import services as students

    started = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(days=5), capacity=2)
    child, other = make_student(), make_student()
    seats = signups.register(started.id, [child.id, other.id], actor=actor)
    attendance.record(started.id, [other.id], actor=actor)
    students.erase_student(child, actor=actor)
    db.session.commit()
    assert db.session.get(Workshop, started.id).status == "completed"

    services.update_workshop(started, {"starts_at": started.starts_at + timedelta(days=12)}, actor=actor)
    db.session.commit()

    assert db.session.get(Signup, seats[0].signup.id).status == "cancelled"
    assert db.session.get(Signup, seats[1].signup.id).status == "confirmed"  # the other child keeps the seat
    assert db.session.get(Workshop, started.id).seats_taken == 1
