"""Double booking under load: the clash check and the insert run holding a lock per artist and venue record, so
16 simultaneous conflicting requests give exactly one booking and 15 refusals — on SQLite (file, WAL) and on
PostgreSQL: the same artist at one time (written in its kk, ru and Latin-letter spellings), one venue, and one
artist at venues in different localities within the travel time. Without the lock, check-then-insert books the
artist several times."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.auth.services import issue_api_token
from outreach.errors import Conflict
from outreach.extensions import db
from outreach.workshops import services
from outreach.workshops.models import Workshop
from tests.factories import make_artist, make_initiative, make_user, make_venue
from tests.races import racing_app, together

pytestmark = pytest.mark.slow

THREADS = 16


@pytest.fixture(scope="module")
def race_app(app, database_url):
    with racing_app(database_url, THREADS + 4) as racing:
        yield racing


# the same artist, written as people write it: Kazakh and Russian letters, a Latin "A", other case, extra spaces
SPELLINGS = ["Айгерім Сәрсенова", "Айгерим Сарсенова", "Aйгерим  Сарсенова", "  АЙГЕРІМ   сәрсенова "]


def test_sixteen_simultaneous_bookings_of_one_instructor_through_the_api(race_app):
    initiative = make_initiative(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    coordinator = make_user("coordinator")
    raw_token, _row = issue_api_token(coordinator)
    make_artist("Айгерім Сәрсенова")
    for n in range(THREADS):
        make_venue(f"Зал {n}")
    db.session.commit()
    initiative_id = initiative.id
    statuses: list[int] = []

    def book(n: int):
        def job():
            # overlapping times, each in another venue: only the instructor clashes
            body = {"initiative_id": initiative_id, "title": {"kk": f"Күй {n}", "ru": f"Кюй {n}", "en": f"Kui {n}"},
                    "starts_at": f"2027-03-08T10:{n:02d}:00+05:00", "duration_minutes": 90, "capacity": 20,
                    "venue": f"Зал {n}", "instructor": SPELLINGS[n % len(SPELLINGS)], "language": "kk",
                    "min_grade": 3, "max_grade": 9}
            response = race_app.test_client().post("/api/v1/workshops", json=body,
                                                   headers={"Authorization": f"Bearer {raw_token}"})
            statuses.append(response.status_code)
        return job

    errors = together([book(n) for n in range(THREADS)])
    assert errors == []
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 1


def test_sixteen_simultaneous_series_in_one_venue(race_app):
    initiative = make_initiative(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    coordinator_id = make_user("coordinator").id
    make_venue("Шабыт залы")
    for n in range(THREADS):
        make_artist(f"Нұрлан {n}")
    db.session.commit()
    initiative_id = initiative.id
    outcomes: list[str] = []
    first = datetime(2027, 4, 5, 9, 0, tzinfo=timezone.utc)

    def plan(n: int):
        def job():
            with race_app.app_context():
                try:
                    actor = db.session.get(User, coordinator_id)
                    # weekly sessions; each series starts on another Monday, so they share the later dates
                    data = {"initiative_id": initiative_id, "title": {"kk": f"Би {n}", "en": f"Dance {n}"},
                            "starts_at": first + timedelta(weeks=n % 3, minutes=n), "duration_minutes": 60,
                            "capacity": 15, "venue": ["Шабыт залы", "шабыт  залы"][n % 2],
                            "instructor": f"Нұрлан {n}", "language": "ru", "min_grade": 1, "max_grade": 11}
                    services.create_series(data, {"interval_weeks": 1, "count": 6}, actor=actor)
                    db.session.commit()
                    outcomes.append("created")
                except Conflict:
                    db.session.rollback()
                    outcomes.append("conflict")
                finally:
                    db.session.remove()
        return job

    errors = together([plan(n) for n in range(THREADS)])
    assert errors == []
    assert sorted(outcomes) == ["conflict"] * (THREADS - 1) + ["created"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 6


def test_sixteen_simultaneous_bookings_of_one_artist_in_other_localities_within_the_travel_time(race_app):
    """Back to back, each in another village: no two overlap, but every pair is closer than the 90 minutes of
    travel, so exactly one is booked."""
    initiative = make_initiative(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    coordinator = make_user("coordinator")
    raw_token, _row = issue_api_token(coordinator)
    artist_id = make_artist("Дәурен Әбенов").id
    venue_ids = [make_venue(f"Клуб {n}", region="KZ-19", locality=f"Ауыл {n}").id for n in range(THREADS)]
    db.session.commit()
    initiative_id = initiative.id
    statuses: list[int] = []

    def book(n: int):
        def job():
            start = datetime(2027, 3, 8, 4, 0, tzinfo=timezone.utc) + timedelta(minutes=5 * n)
            body = {"initiative_id": initiative_id, "title": {"kk": f"Күй {n}"}, "starts_at": start.isoformat(),
                    "duration_minutes": 5, "capacity": 20, "venue_id": venue_ids[n], "artist_id": artist_id,
                    "language": "kk", "min_grade": 3, "max_grade": 9}
            response = race_app.test_client().post("/api/v1/workshops", json=body,
                                                   headers={"Authorization": f"Bearer {raw_token}"})
            statuses.append(response.status_code)
        return job

    errors = together([book(n) for n in range(THREADS)])
    assert errors == []
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 1
