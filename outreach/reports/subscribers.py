"""The impact facts follow the domain events: collected per transaction, appended for the upkeep at commit.

Every event that can change what a sign-up counts for adds the touched workshop, student or school to a set
kept on the session (`session.info`). Before the commit the unit of work's "reports" step appends the sets to
`impact_pending` (`upkeep.record`: a few small rows, no fact, count or lock of the report); after the commit its
"upkeep" step has them applied (`reports/upkeep.py`: each workshop, student and school recomputed once, whatever
number of events named it, in a transaction of the upkeep's own). A new write path only has to announce its change.

A read of the fact tables inside the writing transaction (the report of a test, the initiatives' "students
reached" after a change) first applies the transaction's own sets in it, so a transaction always reads its own
writes; a transaction that has not written catches up with what others left pending, once, before its first
read of the facts. A rollback forgets the sets.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from outreach import events, unitofwork
from outreach.extensions import db
from outreach.reports import rollups, upkeep
from outreach.reports.models import ImpactFact, ImpactPending, ImpactReach, ImpactSchool, ImpactScope, ImpactWorkshop

_PENDING = "outreach.reports.pending"
_APPLYING = "outreach.reports.applying"
_CAUGHT_UP = "outreach.reports.caught_up"  # this transaction has caught up with the upkeep
_QUEUED = "outreach.reports.queued"  # this transaction appended rows for the upkeep
_FACT_TABLES = frozenset(model.__table__ for model in (ImpactFact, ImpactWorkshop, ImpactReach, ImpactSchool,
                                                       ImpactScope))


def _pending(session: Session) -> dict[str, set[int]]:
    return session.info.setdefault(_PENDING, {"workshops": set(), "students": set(), "schools": set(),
                                              "initiatives": set()})


def _touch(kind: str, ident: Any) -> None:
    if ident is not None:
        _pending(db.session())[kind].add(ident)


def _on_workshop_event(workshop_id: Any, *, change: str | None = None, **_kw: Any) -> None:
    if change != "created":  # a new workshop has no sign-ups yet
        _touch("workshops", workshop_id)


def _on_student_event(student_id: Any, *, change: str | None = None, **_kw: Any) -> None:
    if change == "updated":  # grade, gender or school; an erased student's facts keep no name anyway
        _touch("students", student_id)


def _on_school_event(school_id: Any, *, change: str | None = None, fields: Any = (), **_kw: Any) -> None:
    if change == "updated" and {"region", "settlement_type"}.intersection(fields):
        _touch("schools", school_id)


def _on_initiative_event(initiative_id: Any, *, change: str | None = None, **_kw: Any) -> None:
    if change in ("created", "updated"):  # its funders may have changed: so has what each funder's counts count
        _touch("initiatives", initiative_id)


events.signup_changed.connect(_on_workshop_event)
events.attendance_recorded.connect(_on_workshop_event)
events.workshop_changed.connect(_on_workshop_event)
events.student_changed.connect(_on_student_event)
events.school_changed.connect(_on_school_event)
events.initiative_changed.connect(_on_initiative_event)


def has_pending(session: Session) -> bool:
    pending = session.info.get(_PENDING)
    return bool(pending and any(pending.values()))


def apply_pending(session: Session) -> None:
    """Recompute the facts of every workshop, student and school this transaction touched, in it (a transaction
    that reads the facts after writing reads its own writes)."""
    if session.info.get(_APPLYING) or not has_pending(session):
        return
    pending = session.info.pop(_PENDING)
    session.info[_APPLYING] = True
    try:
        rollups.changed(workshops=pending["workshops"], students=pending["students"], schools=pending["schools"],
                        initiatives=bool(pending["initiatives"]))
    finally:
        session.info.pop(_APPLYING, None)


def _before_reading(session: Session) -> bool:
    """Whether a read of the facts must first apply something: this transaction's own writes, or (once per
    transaction that has not written) what other transactions left for the upkeep."""
    return has_pending(session) or not (session.info.get(_CAUGHT_UP) or upkeep.is_upkeep_session(session))


def _apply_before_reading(session: Session) -> None:
    if has_pending(session):
        apply_pending(session)
        return
    session.info[_CAUGHT_UP] = True
    if not unitofwork.written(session):  # a transaction that wrote would wait for its own locks
        upkeep.catch_up(session)


def _record_before_commit(session: Session, _changes: Any) -> None:
    """The write appends what it touched; the facts and counts are brought up to date after it commits."""
    if upkeep.is_upkeep_session(session) or session.info.get(_APPLYING):
        return
    pending = session.info.pop(_PENDING, None)
    if pending and upkeep.record(pending):
        session.info[_QUEUED] = True


def _forget(session: Session, *_args: Any) -> None:
    """Committed or rolled back: what was pending is recorded or void."""
    session.info.pop(_PENDING, None)
    session.info.pop(_CAUGHT_UP, None)
    upkeep.forget_lag(session)


def _hand_over(session: Session, _changes: Any) -> None:
    """After the commit: the rows the write appended are applied as `REPORT_UPKEEP` says."""
    session.info.pop(_CAUGHT_UP, None)
    if session.info.pop(_QUEUED, False):
        upkeep.committed()


def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)
    session.info.pop(_CAUGHT_UP, None)
    upkeep.forget_lag(session)


unitofwork.register(unitofwork.Step("reports", before_commit=_record_before_commit, after_commit=_forget,
                                    after_rollback=_forget,
                                    reads_own_writes=(_FACT_TABLES, _before_reading, _apply_before_reading)))
unitofwork.register(unitofwork.Step("upkeep", after_commit=_hand_over, after_rollback=_forget_queued))
