"""Capacity is never exceeded and the waitlist stays gap-free, however many requests arrive at once.

Each thread has its own app context, session and database connection (an app with a pool big enough for
all of them), and all are released together by a barrier. Runs on SQLite (file, WAL) and on PostgreSQL.
"""
from __future__ import annotations

import random
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import case, func, select, true

from outreach.auth.models import User
from outreach.errors import Conflict
from outreach.extensions import db
from outreach.signups import services
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop
from tests.factories import make_school, make_student, make_user, make_workshop
from tests.races import racing_app, together

pytestmark = pytest.mark.slow

THREADS = 50


@pytest.fixture(scope="module")
def race_app(app, database_url):
    with racing_app(database_url, THREADS + 5) as racing:
        yield racing


def _run_together(race_app, jobs):
    """Run each job in its own thread, session and connection (held before the start), released at one moment."""

    @contextmanager
    def own_session():
        with race_app.app_context():
            try:
                db.session.execute(select(1))  # hold a connection before the start
                db.session.commit()
                yield
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    return together(jobs, around=own_session)


def _state_statement(workshop_id: int):
    """One statement, so it sees one consistent snapshot of the workshop and its sign-ups."""
    live = select(Signup).where(Signup.workshop_id == workshop_id).subquery()
    counts = select(
        func.coalesce(func.sum(case((live.c.status == "confirmed", 1), else_=0)), 0).label("confirmed"),
        func.coalesce(func.sum(case((live.c.status == "waitlisted", 1), else_=0)), 0).label("waitlisted"),
        func.min(live.c.waitlist_position).label("min_position"),
        func.max(live.c.waitlist_position).label("max_position"),
        func.count(func.distinct(live.c.waitlist_position)).label("distinct_positions"),
    ).subquery()
    return (select(Workshop.seats_taken, Workshop.waitlist_length, Workshop.capacity, counts)
            .select_from(Workshop).join(counts, true()).where(Workshop.id == workshop_id))


def _check_state(row) -> list[str]:
    problems = []
    if row.seats_taken != row.confirmed:
        problems.append(f"seats_taken {row.seats_taken} != confirmed {row.confirmed}")
    if row.confirmed > row.capacity:
        problems.append(f"{row.confirmed} confirmed for {row.capacity} seats")
    n = row.waitlisted
    if row.waitlist_length != n:
        problems.append(f"waitlist_length {row.waitlist_length} != waitlisted {n}")
    if n and not (row.min_position == 1 and row.max_position == n and row.distinct_positions == n):
        problems.append(f"positions {row.min_position}..{row.max_position} ({row.distinct_positions} distinct) "
                        f"for {n} waiting")
    if n and row.confirmed < row.capacity:
        problems.append(f"{n} waiting while {row.capacity - row.confirmed} seats are free")
    return problems


def test_fifty_simultaneous_signups_for_five_free_seats(race_app):
    schools = [make_school() for _ in range(5)]
    reps = {s.id: make_user("school", school=s).id for s in schools}
    students = [make_student(schools[i % 5], grade=6) for i in range(THREADS)]
    # 3 of 8 seats already taken: 5 free
    workshop = make_workshop(capacity=8, min_grade=5, max_grade=7)
    earlier = [make_student(schools[0], grade=6) for _ in range(3)]
    coordinator = make_user("coordinator")
    services.register(workshop.id, [s.id for s in earlier], actor=coordinator)
    db.session.commit()
    workshop_id = workshop.id
    outcomes: list[tuple[int, str, int | None]] = []

    def sign_up(student_id: int, school_id: int):
        def job():
            actor = db.session.get(User, reps[school_id])
            result = services.register(workshop_id, [student_id], actor=actor)[0]
            db.session.commit()
            outcomes.append((student_id, result.signup.status, result.signup.waitlist_position))
        return job

    errors = _run_together(race_app, [sign_up(s.id, s.school_id) for s in students])

    assert errors == []
    assert len(outcomes) == THREADS
    db.session.expire_all()
    fresh = db.session.get(Workshop, workshop_id)
    assert fresh.seats_taken == 8 and fresh.waitlist_length == 45
    racing = [s.id for s in students]
    rows = db.session.execute(select(Signup.status, Signup.waitlist_position).where(
        Signup.workshop_id == workshop_id, Signup.student_id.in_(racing))).all()
    assert sorted(status for status, _p in rows) == ["confirmed"] * 5 + ["waitlisted"] * 45
    assert sorted(p for status, p in rows if status == "waitlisted") == list(range(1, 46))
    # what each request was told is what was stored
    assert sorted(p for _s, status, p in outcomes if status == "waitlisted") == list(range(1, 46))
    assert _check_state(db.session.execute(_state_statement(workshop_id)).one()) == []


def test_cancellations_racing_signups_keep_seats_and_positions_consistent(race_app):
    rng = random.Random(4)
    school = make_school()
    rep_id = make_user("school", school=school).id
    coordinator = make_user("coordinator")
    workshop = make_workshop(capacity=5, min_grade=0, max_grade=11,
                             starts_at=datetime.now(timezone.utc) + timedelta(days=3))
    first = [make_student(school) for _ in range(15)]
    results = services.register(workshop.id, [s.id for s in first], actor=coordinator)
    newcomers = [make_student(school) for _ in range(30)]
    db.session.commit()
    workshop_id = workshop.id
    existing_ids = [r.signup.id for r in results]  # 5 confirmed, 10 waitlisted
    to_cancel = existing_ids[:3] + existing_ids[5:12]  # 3 confirmed and 7 waitlisted, each cancelled twice
    cancelled: list[int] = []
    conflicts: list[int] = []

    def cancel(signup_id: int):
        def job():
            actor = db.session.get(User, rep_id)
            try:
                services.cancel(signup_id, actor=actor)
            except Conflict:
                db.session.rollback()
                conflicts.append(signup_id)
                return
            db.session.commit()
            cancelled.append(signup_id)
        return job

    def sign_up(student_id: int):
        def job():
            services.register(workshop_id, [student_id], actor=db.session.get(User, rep_id))
            db.session.commit()
        return job

    jobs = [cancel(i) for i in to_cancel] * 2 + [sign_up(s.id) for s in newcomers]
    rng.shuffle(jobs)

    samples: list[list[str]] = []
    done = threading.Event()

    def sample():
        with race_app.app_context():
            statement = _state_statement(workshop_id)
            try:
                while not done.is_set():
                    samples.append(_check_state(db.session.execute(statement).one()))
                    db.session.commit()
            finally:
                db.session.remove()

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        errors = _run_together(race_app, jobs)
    finally:
        done.set()
        sampler.join(timeout=30)

    assert errors == []
    assert sorted(cancelled) == sorted(to_cancel)  # each cancelled once ...
    assert sorted(conflicts) == sorted(to_cancel)  # ... and the second attempt was refused
    assert samples and all(problems == [] for problems in samples), [p for p in samples if p][:3]
    db.session.expire_all()
    final = db.session.execute(_state_statement(workshop_id)).one()
    assert _check_state(final) == []
    # 15 - 10 cancelled + 30 new = 35 live sign-ups: 5 seats, 30 waiting
    assert (final.confirmed, final.waitlisted) == (5, 30)
    statuses = dict(db.session.execute(select(Signup.id, Signup.status).where(Signup.id.in_(to_cancel))).all())
    assert set(statuses.values()) == {"cancelled"}
