"""Counts kept by two transactions at the same instant stay exact.

A kept count is a distinct count (students reached in a region's cell, month, language, school). Two
coordinators recording the attendance of two workshops of one region at the same moment each recount it: from
their own snapshot, each would see only its own students and the second commit would overwrite the first's
count. Recounting under a lock per region makes the second wait and count what the first committed. The
test holds both transactions at the door of that lock, their facts written, so the race always happens
(PostgreSQL; SQLite has one writer at a time, so there the second waits earlier and the barrier gives up).
"""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.attendance import services as attendance
from outreach.auth.models import User
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.reports import counts, rollups
from outreach.reports.services import build_scope, impact_report, report_for_scope, school_table
from outreach.signups import services as signups
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop
from tests.races import racing_app, together

pytestmark = pytest.mark.slow


@pytest.fixture
def race_app(app, database_url):
    with racing_app(database_url, 4) as racing:
        yield racing


def test_two_attendance_records_in_one_region_at_once_keep_exact_counts(app, race_app, monkeypatch):
    funder = make_funder()
    initiative = make_initiative(funders=[funder])
    school = make_school(region_code="KZ-61", settlement_type="rural")
    coordinator = make_user("coordinator")
    funder_user = make_user("funder", funder_id=funder.id)
    # eight students in one cell (same region, settlement, gender and grade band), four in each workshop
    students = [make_student(school, grade=6, gender="female") for _ in range(8)]
    yesterday = utcnow() - timedelta(days=1)
    workshops = [make_workshop(initiative=initiative, starts_at=yesterday + timedelta(hours=i), language="kk")
                 for i in range(2)]
    for i, workshop in enumerate(workshops):
        signups.register(workshop.id, [s.id for s in students[4 * i:4 * i + 4]], actor=coordinator)
    db.session.commit()
    groups = [(workshop.id, [s.id for s in students[4 * i:4 * i + 4]]) for i, workshop in enumerate(workshops)]
    coordinator_id = coordinator.id

    door = threading.Barrier(2)
    real_lock = counts._lock_regions

    def lock_when_both_are_here(regions):
        regions = list(regions) if regions is not None else None
        try:
            door.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass  # SQLite: the other transaction waits for the database's write lock, not here
        real_lock(regions)

    monkeypatch.setattr(counts, "_lock_regions", lock_when_both_are_here)
    errors: list[str] = []

    def record(workshop_id: int, present: list[int]) -> None:
        with race_app.app_context():
            try:
                actor = db.session.get(User, coordinator_id)
                attendance.record(workshop_id, present, actor=actor)
                db.session.commit()
            except Exception as error:  # reported by the test
                errors.append(repr(error))
            finally:
                db.session.remove()

    assert together([lambda group=group: record(*group) for group in groups]) == [] and errors == []
    monkeypatch.setattr(counts, "_lock_regions", real_lock)

    db.session.expire_all()
    coordinator = db.session.get(User, coordinator_id)
    report = impact_report(coordinator)
    assert report["students_reached"] == 8
    assert {c["key"]: c["students_reached"] for c in report["by_region"]} == {"KZ-61": 8}
    assert {c["key"]: c["students_reached"] for c in report["by_language"]} == {"kk": 8}
    assert [(row.school_id, row.students_reached) for row in school_table(coordinator).items] == [(school.id, 8)]
    # the funder's kept counts too (exact figures: the page would round them)
    funder_scope = build_scope(db.session.scalar(select(User).where(User.id == funder_user.id)))
    assert report_for_scope(funder_scope, filters={})["students_reached"] == 8
    assert rollups.drift() == 0
