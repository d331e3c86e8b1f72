"""The report's upkeep: what a write changed for the impact report is applied after the write has committed.

A write only appends what it touched (`record`: one `impact_pending` row per workshop, student, school or
initiative, in the write's own transaction — no fact, count or lock of the report on the write's path). Then
`drain()` claims the rows (DELETE … RETURNING: two drainers never claim the same row), recomputes the facts,
the per-workshop and per-school sums and the kept counts of what they name (`rollups.changed`), and commits
all of it in one transaction — so a reader sees the figures before a write or after it, never half of it.

When it runs (`REPORT_UPKEEP`):

- ``background`` (the default): the process that committed wakes its upkeep thread, which drains at once;
  the thread also looks every `POLL_SECONDS` for rows that another process left (one that stopped between its
  commit and its drain). A write's figures are in the report within milliseconds, at most seconds.
- ``after_commit``: the process drains right after the write's commit, in the same thread (the tests: a
  figure is there when the request returns; a single-process command).
- ``manual``: only `drain()` and `flask reports upkeep` apply the rows (tests of a report that lags).

A reader of the facts whose transaction has not written catches up first (`catch_up`, at most `CATCH_UP_ROWS`
rows), so a report asked for right after a write in another process counts it. Whatever is left pending after
that — a drain that failed, a backlog too long to apply while someone waits — makes the report say "as of"
the oldest pending change (`lagging_since`). `flask reports check-facts` drains everything before it compares.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any, Iterable

from flask import Flask, current_app
from sqlalchemy import delete, insert, select

from outreach.config import REPORT_UPKEEP_MODES
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.reports import rollups
from outreach.reports.models import ImpactPending

log = logging.getLogger(__name__)

MODES = REPORT_UPKEEP_MODES
#: rows one drain applies at most (a longer backlog is applied in several transactions)
DRAIN_ROWS = 5000
#: rows a reader applies before it reads (more: it reads the figures as of the oldest pending change)
CATCH_UP_ROWS = 500
#: how often the upkeep thread looks for rows another process left
POLL_SECONDS = 2.0

_DRAINING = "outreach.reports.draining"  # on a session: it is the upkeep's own (its reads do not catch up)
_LAG = "outreach.reports.lag"  # on a session: what its transaction's catch-up left pending (the oldest change)


def mode(app: Flask | None = None) -> str:
    value = (app or current_app).config.get("REPORT_UPKEEP", "background")
    return value if value in MODES else "background"


def record(pending: dict[str, set[Any]]) -> bool:
    """Append what a transaction touched (in that transaction); True when anything was appended."""
    now = utcnow()
    rows = [{"kind": kind, "ident": ident, "queued_at": now}
            for kind, plural in (("workshop", "workshops"), ("student", "students"), ("school", "schools"))
            for ident in sorted(pending.get(plural, ()))]
    if pending.get("initiatives"):
        rows.append({"kind": "initiative", "ident": None, "queued_at": now})
    if rows:
        db.session.execute(insert(ImpactPending), rows)
    return bool(rows)


def _claim(limit: int) -> list[tuple[str, int | None]]:
    oldest = select(ImpactPending.id).order_by(ImpactPending.id).limit(limit).scalar_subquery()
    claimed = db.session.execute(
        delete(ImpactPending).where(ImpactPending.id.in_(oldest))
        .returning(ImpactPending.kind, ImpactPending.ident).execution_options(synchronize_session=False))
    return [tuple(row) for row in claimed]


def _apply(claimed: Iterable[tuple[str, int | None]]) -> None:
    sets: dict[str, set[int]] = {"workshop": set(), "student": set(), "school": set()}
    initiatives = False
    for kind, ident in claimed:
        if kind == "initiative":
            initiatives = True
        elif ident is not None:
            sets[kind].add(ident)
    rollups.changed(workshops=sets["workshop"], students=sets["student"], schools=sets["school"],
                    initiatives=initiatives)


def drain(limit: int = DRAIN_ROWS) -> int:
    """Apply the oldest pending rows (at most `limit`) in one transaction of a session of its own; returns how many
    were applied (0: nothing was pending, or another drainer had them)."""
    app = current_app._get_current_object()
    with app.app_context():  # a session of its own, whatever the caller's session is doing
        session = db.session()
        session.info[_DRAINING] = True
        try:
            if _oldest() is None:  # nothing pending: no write transaction (SQLite's lock) for nothing
                session.rollback()
                return 0
            claimed = _claim(limit)
            if claimed:
                _apply(claimed)
            session.commit()
            return len(claimed)
        except Exception:
            session.rollback()
            raise
        finally:
            db.session.remove()


def drain_all() -> int:
    """Apply everything pending (a command, a test, check-facts); returns how many rows were applied."""
    total = 0
    while True:
        done = drain()
        total += done
        if not done:
            return total


def pending_count() -> int:
    return int(db.session.scalar(select(db.func.count()).select_from(ImpactPending)) or 0)


def _oldest() -> datetime | None:
    return db.session.scalar(select(ImpactPending.queued_at).order_by(ImpactPending.id).limit(1))


def lagging_since() -> datetime | None:
    """When the oldest change not yet in the figures was made (None: the figures are up to date); what this
    transaction's catch-up found, when it has caught up."""
    session = db.session()
    if _LAG in session.info:
        return session.info[_LAG]
    return _oldest()


def is_upkeep_session(session: Any) -> bool:
    return bool(session.info.get(_DRAINING))


def catch_up(session: Any) -> None:
    """Before a transaction that has not written reads the facts: apply what is pending (a bounded amount), and
    remember for the rest of the transaction since when what is left lags (`lagging_since`)."""
    oldest = _oldest()
    if oldest is not None and mode() != "manual":
        try:
            drain(CATCH_UP_ROWS)
        except Exception:  # the figures are read as they are; the report says since when they lag
            log.exception("The report's upkeep failed before a read; the figures are read as they are.")
        oldest = _oldest()
    session.info[_LAG] = oldest


def forget_lag(session: Any) -> None:
    session.info.pop(_LAG, None)


# -- after a write has committed ------------------------------------------------------------------------------

def committed() -> None:
    """A transaction that appended pending rows has committed: have them applied, as the mode says."""
    how = mode()
    if how == "after_commit":
        try:
            drain_all()
        except Exception:
            log.exception("The report's upkeep failed after a commit; the next drain retries.")
    elif how == "background":
        _thread_for(current_app._get_current_object()).wake()


class _Upkeeper(threading.Thread):
    """One per process and app: drains when woken, and every POLL_SECONDS when rows are left."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="outreach-report-upkeep", daemon=True)
        self.app = app
        self.woken = threading.Event()

    def wake(self) -> None:
        self.woken.set()

    def run(self) -> None:
        while True:
            self.woken.wait(POLL_SECONDS)
            self.woken.clear()
            if mode(self.app) != "background":  # the setting changed (a test): the next wake starts a new thread
                return
            try:
                with self.app.app_context():
                    drain_all()
            except Exception:
                log.exception("The report's upkeep failed; it retries in %s s.", POLL_SECONDS)


_threads: dict[int, _Upkeeper] = {}
_threads_lock = threading.Lock()


def _thread_for(app: Flask) -> _Upkeeper:
    with _threads_lock:
        thread = _threads.get(id(app))
        if thread is None or not thread.is_alive():  # a forked worker inherits no threads
            thread = _threads[id(app)] = _Upkeeper(app)
            thread.start()
        return thread
