"""Clashes on the records: one artist at one time whatever the spelling, travel time between localities, unavailable
periods."""
from __future__ import annotations

import pytest

from outreach.artists import services as artists
from outreach.errors import Conflict
from outreach.workshops import services
from tests.factories import make_artist, make_user, make_venue
from tests.workshops.helpers import at, term


@pytest.fixture
def actor():
    return make_user("coordinator")


@pytest.fixture
def initiative():
    return term()


def _data(initiative, artist, venue, starts_at, duration=60, **kw):
    return {"initiative_id": initiative.id, "title": {"kk": "Күй"}, "starts_at": starts_at,
            "duration_minutes": duration, "capacity": 10, "artist_id": artist.id, "venue_id": venue.id,
            "language": "kk", "min_grade": 0, "max_grade": 11, **kw}


def test_the_kazakh_and_the_russian_spelling_are_one_artist_and_clash(actor, initiative):
    aigerim = make_artist("Айгерім Сәрсенова")
    hall, club = make_venue("Зал"), make_venue("Клуб")
    services.create_workshop(_data(initiative, aigerim, hall, at(2027, 3, 8, 10), title={"kk": "Бірінші"}),
                             actor=actor)
    data = _data(initiative, aigerim, club, at(2027, 3, 8, 10, 30))
    del data["artist_id"]
    data["instructor"] = "Айгерим Сарсенова"  # the Russian spelling picks the same record
    with pytest.raises(Conflict) as error:
        services.create_workshop(data, actor=actor)
    assert error.value.code == "schedule_conflict" and "Бірінші" in str(error.value)


def test_workshops_in_different_localities_need_the_travel_time(actor, initiative):
    artist = make_artist("Дәурен Әбенов")
    talgar = make_venue("Талғар клубы", region="KZ-19", locality="Талғар")
    esik = make_venue("Есік мәдениет үйі", region="KZ-19", locality="Есік")
    services.create_workshop(_data(initiative, artist, talgar, at(2027, 3, 8, 10), title={"kk": "Талғарда"}),
                             actor=actor)
    with pytest.raises(Conflict) as error:  # 10:00–11:00 in Талғар, 11:00 in Есік: no time to drive
        services.create_workshop(_data(initiative, artist, esik, at(2027, 3, 8, 11)), actor=actor)
    message = str(error.value)
    assert error.value.code == "schedule_conflict"
    assert "Талғарда" in message and "Travel time: 1 h 30 min" in message
    assert "12:30" in error.value.fields["starts_at"][0]  # the next free start: 11:00 + 90 minutes
    services.create_workshop(_data(initiative, artist, esik, at(2027, 3, 8, 12, 30)), actor=actor)


def test_two_venues_of_one_locality_need_the_shorter_travel_time(actor, initiative, app):
    artist = make_artist("Анна Ким")
    first, second = make_venue("Бірінші зал"), make_venue("Екінші зал")  # both in Алматы
    services.create_workshop(_data(initiative, artist, first, at(2027, 3, 8, 10)), actor=actor)
    with pytest.raises(Conflict) as error:
        services.create_workshop(_data(initiative, artist, second, at(2027, 3, 8, 11, 20)), actor=actor)
    assert "30 min" in str(error.value)
    services.create_workshop(_data(initiative, artist, second, at(2027, 3, 8, 11, 30)), actor=actor)
    # the same venue: back to back is fine
    services.create_workshop(_data(initiative, artist, second, at(2027, 3, 8, 12, 30)), actor=actor)


def test_the_travel_time_is_a_setting(actor, initiative, app):
    artist = make_artist("Сергей Ли")
    a = make_venue("А", region="KZ-35", locality="Қарағанды")
    b = make_venue("Б", region="KZ-35", locality="Теміртау")
    services.create_workshop(_data(initiative, artist, a, at(2027, 3, 8, 10)), actor=actor)
    app.config["TRAVEL_MINUTES"] = 45
    try:
        services.create_workshop(_data(initiative, artist, b, at(2027, 3, 8, 11, 45)), actor=actor)
    finally:
        app.config["TRAVEL_MINUTES"] = 90


def test_an_unavailable_period_refuses_workshops_in_it(actor, initiative):
    artist, hall = make_artist("Ольга Петрова"), make_venue("Зал")
    existing = services.create_workshop(_data(initiative, artist, hall, at(2027, 6, 12, 10)), actor=actor)
    _period, inside = artists.add_unavailable(artist, at(2027, 6, 10, 0), at(2027, 6, 25, 0), "гастроль",
                                              actor=actor)
    assert inside == [existing]  # kept, and named so the coordinator can move it
    with pytest.raises(Conflict) as error:
        services.create_workshop(_data(initiative, artist, hall, at(2027, 6, 20, 10)), actor=actor)
    assert error.value.code == "artist_unavailable" and "гастроль" in str(error.value)
    services.create_workshop(_data(initiative, artist, hall, at(2027, 6, 25, 10)), actor=actor)


def test_a_series_is_refused_on_a_travel_clash_naming_the_date(actor, initiative):
    artist = make_artist("Бауыржан Серіков")
    a = make_venue("А", region="KZ-79", locality="Шымкент")
    b = make_venue("Б", region="KZ-61", locality="Түркістан")
    services.create_workshop(_data(initiative, artist, b, at(2027, 3, 15, 12)), actor=actor)
    with pytest.raises(Conflict) as error:
        services.create_series(_data(initiative, artist, a, at(2027, 3, 1, 10)), {"interval_weeks": 1, "count": 4},
                               actor=actor)
    assert "15" in str(error.value) and "Travel time" in str(error.value)


def test_a_series_lists_every_clashing_date_and_can_skip_them(actor, initiative):
    artist, hall = make_artist("Гүлнар Оспанова"), make_venue("Зал")
    for day in (15, 29):
        services.create_workshop(_data(initiative, artist, make_venue(f"Басқа {day}"), at(2027, 3, day, 10)),
                                 actor=actor)
    rule = {"interval_weeks": 1, "count": 5}
    with pytest.raises(Conflict) as error:
        services.create_series(_data(initiative, artist, hall, at(2027, 3, 1, 10)), rule, actor=actor)
    assert [d.isoformat() for d, _reason in error.value.clashes] == ["2027-03-15", "2027-03-29"]
    sessions = services.create_series(_data(initiative, artist, hall, at(2027, 3, 1, 10)), rule, actor=actor,
                                      skip_dates=[d for d, _reason in error.value.clashes])
    assert [s.starts_at.day for s in sessions] == [1, 8, 22]
    assert sessions[0].series.skipped_dates == ["2027-03-15", "2027-03-29"]


def test_a_series_for_a_school_is_offered_to_its_students_first(actor, initiative):
    from outreach.signups.services import open_workshops_query
    from outreach.extensions import db
    from tests.factories import make_school

    school, other = make_school(), make_school()
    hall, club = make_venue("Зал"), make_venue("Клуб")
    early = services.create_workshop(_data(initiative, make_artist("А"), hall, at(2027, 12, 1, 10)), actor=actor)
    later = services.create_series(_data(initiative, make_artist("Б"), club, at(2027, 12, 8, 10)),
                                   {"interval_weeks": 1, "count": 2}, actor=actor, school_id=school.id)
    ours = [w.id for w in db.session.scalars(open_workshops_query(for_school=school.id))]
    theirs = [w.id for w in db.session.scalars(open_workshops_query(for_school=other.id))]
    assert ours == [later[0].id, later[1].id, early.id]
    assert theirs == [early.id, later[0].id, later[1].id]
