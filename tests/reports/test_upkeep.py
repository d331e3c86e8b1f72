"""The report's upkeep after the commit: a write appends what it touched; the figures catch up after it.

Each test sets `REPORT_UPKEEP` itself (the suite runs with `after_commit`).
"""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, func, select

from outreach.attendance import services as attendance
from outreach.extensions import db
from outreach.reports import rollups, services, upkeep
from outreach.reports.models import ImpactFact, ImpactPending
from tests.reports import data
from tests.reports.test_cache import signed_in


@pytest.fixture
def programme(app):
    return data.build()


@pytest.fixture
def upkeep_mode(app):
    def set_mode(mode: str) -> None:
        app.config["REPORT_UPKEEP"] = mode

    yield set_mode
    app.config["REPORT_UPKEEP"] = "after_commit"


def _attended_minutes_committed() -> int:
    """What the committed facts say, read on a connection of its own (no catch-up, no session)."""
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(ImpactFact.minutes), 0))
                                .where(ImpactFact.attended == 1)).scalar())


def _pending_rows() -> list[tuple[str, int | None]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(ImpactPending.kind, ImpactPending.ident))]


def _write_w4(p) -> None:
    w4 = p.workshops["W4"]
    attendance.record(w4.id, [p.students["s3"].id, p.students["s4"].id], actor=p.coordinator)
    db.session.commit()


def test_a_write_touches_no_figure_and_takes_no_report_lock(programme, upkeep_mode):
    p = programme
    upkeep_mode("manual")
    before = _attended_minutes_committed()
    statements: list[str] = []

    def note(conn, cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        _write_w4(p)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    written = " ".join(s for s in statements if s.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"))
    for table in ("impact_fact", "impact_workshop", "impact_reach", "impact_school", "schedule_lock"):
        assert table not in written, table
    assert "impact_pending" in written
    assert _attended_minutes_committed() == before  # nothing applied yet
    assert _pending_rows() == [("workshop", p.workshops["W4"].id)]
    assert upkeep.drain_all() == 1
    assert _attended_minutes_committed() == before + 90  # s3 and s4, 45 minutes each
    assert _pending_rows() == [] and rollups.drift() == 0


def test_the_report_page_says_as_of_when_it_lags_and_not_once_caught_up(programme, upkeep_mode, app):
    p = programme
    upkeep_mode("manual")
    client = signed_in(app, p.coordinator)
    page = client.get("/reports/impact").get_data(as_text=True)
    assert "Figures as of" not in page
    _write_w4(p)
    page = client.get("/reports/impact").get_data(as_text=True)
    assert "Figures as of" in page and "they may lag behind by a few minutes" in page
    assert services.impact_report(p.coordinator)["student_hours"] == 7.5  # as before the write, not half of it
    upkeep.drain_all()
    page = client.get("/reports/impact").get_data(as_text=True)
    assert "Figures as of" not in page
    assert services.impact_report(p.coordinator)["student_hours"] == 9.0


def test_a_reader_catches_up_with_what_another_process_left(programme, upkeep_mode, app):
    p = programme
    upkeep_mode("manual")  # the writer's process stops before its drain
    _write_w4(p)
    assert _pending_rows()
    upkeep_mode("background")  # this process reads: it applies what is pending before it counts
    assert services.impact_report(p.coordinator)["student_hours"] == 9.0
    assert _pending_rows() == []


def test_in_the_background_the_figures_catch_up_within_seconds_without_a_read(programme, upkeep_mode):
    p = programme
    upkeep_mode("background")
    before = _attended_minutes_committed()
    _write_w4(p)
    deadline = time.monotonic() + 5
    while _attended_minutes_committed() != before + 90 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _attended_minutes_committed() == before + 90
    assert _pending_rows() == []


def test_a_failing_upkeep_loses_nothing_and_the_next_drain_applies_it(programme, upkeep_mode, monkeypatch, app):
    p = programme
    upkeep_mode("after_commit")
    real = rollups.changed

    def broken(**_kw):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(rollups, "changed", broken)
    _write_w4(p)  # the write itself commits; its upkeep fails after the commit
    assert _pending_rows() == [("workshop", p.workshops["W4"].id)]
    client = signed_in(app, p.coordinator)
    assert "Figures as of" in client.get("/reports/impact").get_data(as_text=True)
    monkeypatch.setattr(rollups, "changed", real)
    assert upkeep.drain_all() == 1
    assert services.impact_report(p.coordinator)["student_hours"] == 9.0 and rollups.drift() == 0


def test_two_drainers_at_once_apply_each_row_once(programme, upkeep_mode, app):
    p = programme
    upkeep_mode("manual")
    for name, student in (("W4", "s3"), ("W5", "s1"), ("W1", "s3")):
        attendance.record(p.workshops[name].id, [p.students[student].id], actor=p.coordinator)
        db.session.commit()
    assert len(_pending_rows()) == 3
    barrier = threading.Barrier(2)
    applied: list[int] = []
    errors: list[BaseException] = []

    def drainer() -> None:
        try:
            with app.app_context():
                barrier.wait()
                applied.append(upkeep.drain(limit=2))
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=drainer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(applied) + upkeep.drain_all() == 3  # every row claimed by exactly one drain
    assert _pending_rows() == [] and rollups.drift() == 0


def test_check_facts_applies_what_is_pending_first(programme, upkeep_mode, app):
    p = programme
    upkeep_mode("manual")
    _write_w4(p)
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["reports", "check-facts"])
    assert result.exit_code == 0, result.output
    assert _pending_rows() == []


def test_the_upkeep_command_applies_and_says_how_many(programme, upkeep_mode, app):
    p = programme
    upkeep_mode("manual")
    _write_w4(p)
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["reports", "upkeep", "--once"])
    assert result.exit_code == 0 and "1 pending changes applied." in result.output
    assert _pending_rows() == []


def test_a_transaction_reads_its_own_writes_without_waiting_for_the_upkeep(programme, upkeep_mode):
    p = programme
    upkeep_mode("manual")
    attendance.record(p.workshops["W4"].id, [p.students["s3"].id, p.students["s4"].id], actor=p.coordinator)
    assert services.impact_report(p.coordinator)["student_hours"] == 9.0  # applied in the transaction itself
    db.session.commit()
    assert _pending_rows() == []  # nothing left for the upkeep: the transaction applied its own
