"""Initiative rules: validation with field names, archive, funder scoping and progress toward the target."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from outreach.attendance.models import Attendance
from outreach.audit.models import AuditEvent
from outreach.errors import NotFound, OutreachError
from outreach.extensions import db
from outreach.reports import rollups
from outreach.initiatives import services
from outreach.signups.models import Signup
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop


def _data(**overrides):
    data = {"title": {"kk": "Домбыра үні", "ru": "", "en": "Sound of the Dombra"},
            "description": {"ru": "Знакомство с домброй."}, "art_form": "music",
            "starts_on": date(2027, 1, 10), "ends_on": date(2027, 5, 31), "target_students": 250, "funder_ids": []}
    data.update(overrides)
    return data


def test_create_keeps_the_languages_given_and_the_funders():
    coordinator = make_user("coordinator")
    a, b = make_funder(name="Nomad Arts Foundation"), make_funder(name="Дала өнері қоры")
    initiative = services.create_initiative(_data(funder_ids=[b.id, a.id]), actor=coordinator)
    assert initiative.title == {"kk": "Домбыра үні", "en": "Sound of the Dombra"}
    assert initiative.status == "active"
    assert {f.id for f in initiative.funders} == {a.id, b.id}
    assert db.session.query(AuditEvent).filter_by(action="initiative.created", object_id=initiative.id).count() == 1


@pytest.mark.parametrize("overrides,field", [
    ({"title": {"kk": " ", "ru": "", "en": ""}}, "title"),
    ({"title": None}, "title"),
    ({"title": {"de": "Tanz"}}, "title.de"),
    ({"title": {"en": "x" * 301}}, "title.en"),
    ({"art_form": "opera"}, "art_form"),
    ({"art_form": None}, "art_form"),
    ({"starts_on": None}, "starts_on"),
    ({"ends_on": "2027-05-31"}, "ends_on"),
    ({"ends_on": date(2027, 1, 9)}, "ends_on"),
    ({"target_students": -1}, "target_students"),
    ({"target_students": "90"}, "target_students"),
    ({"funder_ids": [999999]}, "funder_ids"),
])
def test_invalid_data_names_the_field(overrides, field):
    with pytest.raises(OutreachError) as caught:
        services.create_initiative(_data(**overrides), actor=make_user("coordinator"))
    assert caught.value.status == 422
    assert field in caught.value.fields


def test_every_wrong_field_is_named_at_once():
    with pytest.raises(OutreachError) as caught:
        services.create_initiative(_data(title={}, art_form="opera", target_students=-5), actor=None)
    assert set(caught.value.fields) == {"title", "art_form", "target_students"}


def test_target_may_be_left_empty():
    initiative = services.create_initiative(_data(target_students=None), actor=None)
    assert initiative.target_students is None
    assert services.progress(initiative) == {"reached": 0, "target": None, "ratio": None, "percent": None}


def test_update_touches_only_the_fields_given():
    initiative = services.create_initiative(_data(), actor=None)
    services.update_initiative(initiative, {"title": {"ru": "Звуки домбры"}}, actor=None)
    assert initiative.title == {"ru": "Звуки домбры"}
    assert initiative.art_form == "music" and initiative.target_students == 250
    with pytest.raises(OutreachError) as caught:
        services.update_initiative(initiative, {"ends_on": date(2026, 12, 31)}, actor=None)
    assert "ends_on" in caught.value.fields


def test_dates_cannot_shrink_past_its_workshops():
    initiative = make_initiative(starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    # 8 March, 00:30 in Almaty is still 7 March in UTC: the local date is what counts
    make_workshop(initiative=initiative, starts_at=datetime(2027, 3, 7, 19, 30, tzinfo=timezone.utc))
    with pytest.raises(OutreachError) as caught:
        services.update_initiative(initiative, {"starts_on": date(2027, 3, 9)}, actor=None)
    assert set(caught.value.fields) == {"starts_on", "ends_on"}
    services.update_initiative(initiative, {"starts_on": date(2027, 3, 8)}, actor=None)
    assert initiative.starts_on == date(2027, 3, 8)


def test_cancelled_workshops_do_not_hold_the_dates():
    initiative = make_initiative(starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    make_workshop(initiative=initiative, starts_at=datetime(2027, 3, 2, 5, 0, tzinfo=timezone.utc), status="cancelled")
    services.update_initiative(initiative, {"starts_on": date(2027, 3, 10)}, actor=None)
    assert initiative.starts_on == date(2027, 3, 10)


def test_archive_and_restore():
    coordinator = make_user("coordinator")
    initiative = make_initiative()
    services.archive_initiative(initiative, actor=coordinator)
    services.archive_initiative(initiative, actor=coordinator)  # twice: nothing more happens
    assert initiative.status == "archived"
    active = db.session.scalars(services.initiatives_query(coordinator, status="active")).all()
    archived = db.session.scalars(services.initiatives_query(coordinator, status="archived")).all()
    assert initiative not in active and initiative in archived
    services.unarchive_initiative(initiative, actor=coordinator)
    assert initiative.status == "active"
    actions = [e.action for e in db.session.query(AuditEvent).filter_by(object_id=initiative.id)
               .order_by(AuditEvent.id)]
    assert actions == ["initiative.archived", "initiative.restored"]


def test_funders_see_only_the_initiatives_they_fund():
    mine, other = make_funder(), make_funder()
    funded = make_initiative(funders=[mine])
    shared = make_initiative(funders=[mine, other])
    foreign = make_initiative(funders=[other])
    unfunded = make_initiative()
    funder = make_user("funder", funder=mine)
    seen = set(db.session.scalars(services.initiatives_query(funder)))
    assert seen == {funded, shared}
    # filtering by another funder only narrows what the funder may see
    assert set(db.session.scalars(services.initiatives_query(funder, funder_id=other.id))) == {shared}
    coordinator = make_user("coordinator")
    assert set(db.session.scalars(services.initiatives_query(coordinator))) == {funded, shared, foreign, unfunded}
    assert services.get_initiative(funder, funded.id) is funded
    with pytest.raises(NotFound):
        services.get_initiative(funder, foreign.id)


def test_list_filters_and_bad_filter_values():
    coordinator = make_user("coordinator")
    ballet = make_initiative(art_form="ballet")
    music = make_initiative(art_form="music")
    assert db.session.scalars(services.initiatives_query(coordinator, art_form="music")).all() == [music]
    assert ballet not in db.session.scalars(services.initiatives_query(coordinator, art_form="music")).all()
    with pytest.raises(OutreachError) as caught:
        services.initiatives_query(coordinator, art_form="opera", status="gone")
    assert set(caught.value.fields) == {"art_form", "status"}


def _signup(workshop, student, status="confirmed", present=None):
    signup = Signup(workshop_id=workshop.id, student_id=student.id, status=status,
                    waitlist_position=1 if status == "waitlisted" else None)
    db.session.add(signup)
    db.session.flush()
    if present is not None:
        db.session.add(Attendance(signup_id=signup.id, status="present" if present else "absent"))
        workshop.attendance_recorded_at = workshop.attendance_recorded_at or datetime.now(timezone.utc)
        db.session.flush()
    # rows written by hand: keep the report's facts in step as the real write paths do
    rollups.workshop_changed(workshop.id)
    return signup


def test_progress_counts_distinct_students_who_attended_a_delivered_workshop():
    now = datetime.now(timezone.utc)
    initiative = make_initiative(target_students=4)
    other_initiative = make_initiative()
    school = make_school()
    s1, s2, s3, s4, s5, s6, s7 = (make_student(school) for _ in range(7))
    first = make_workshop(initiative=initiative, starts_at=now - timedelta(days=14), status="completed")
    second = make_workshop(initiative=initiative, starts_at=now - timedelta(days=7), status="completed")
    cancelled = make_workshop(initiative=initiative, starts_at=now - timedelta(days=3), status="cancelled")
    upcoming = make_workshop(initiative=initiative, starts_at=now + timedelta(days=7))
    elsewhere = make_workshop(initiative=other_initiative, starts_at=now - timedelta(days=7), status="completed")
    _signup(first, s1, present=True)
    _signup(first, s2, present=False)            # absent: not reached
    _signup(second, s1, present=True)            # attended twice: counted once
    _signup(second, s3, present=True)
    _signup(second, s7, status="cancelled", present=True)  # sign-up withdrawn afterwards
    _signup(cancelled, s4, present=True)         # the workshop did not take place
    _signup(upcoming, s5)                        # a place, not yet a visit
    _signup(elsewhere, s6, present=True)         # another initiative
    db.session.flush()

    figures = services.progress(initiative)
    assert figures == {"reached": 2, "target": 4, "ratio": 0.5, "percent": 50}
    assert services.students_reached([initiative.id, other_initiative.id]) == {initiative.id: 2,
                                                                               other_initiative.id: 1}
    rows = db.session.execute(services.involved_schools_query(initiative)).all()
    assert [(row[0].id, row[1], row[2]) for row in rows] == [(school.id, 4, 2)]


def test_progress_beyond_the_target_keeps_the_bar_full():
    now = datetime.now(timezone.utc)
    initiative = make_initiative(target_students=1)
    workshop = make_workshop(initiative=initiative, starts_at=now - timedelta(days=1))
    school = make_school()
    for _ in range(3):
        _signup(workshop, make_student(school), present=True)
    figures = services.progress(initiative)
    assert figures["reached"] == 3 and figures["ratio"] == 3 and figures["percent"] == 100
