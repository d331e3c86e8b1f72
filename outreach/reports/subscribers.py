"""The impact facts follow the domain events: collected per transaction, recomputed once before it commits.

Every event that can change what a sign-up counts for adds the touched workshop, student or school to a set
kept on the session (`session.info`). The sets are applied — each workshop, student and school recomputed
once, whatever number of events named it — in a `before_commit` hook, so a request, a CLI command or a test
that commits gets exact facts, and a new write path only has to announce its change. A read of the fact tables
inside the same transaction (the report of a test, `rollups.drift()`, the initiatives' "students reached")
first applies what is pending, so a transaction always reads its own writes. A rollback forgets the sets.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from outreach import events
from outreach.extensions import db
from outreach.reports import rollups
from outreach.reports.models import ImpactFact, ImpactReach, ImpactSchool, ImpactScope, ImpactWorkshop

_PENDING = "outreach.reports.pending"
_APPLYING = "outreach.reports.applying"
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
    """Recompute the facts of every workshop, student and school touched since the last time, once each."""
    if session.info.get(_APPLYING) or not has_pending(session):
        return
    pending = session.info.pop(_PENDING)
    session.info[_APPLYING] = True
    try:
        rollups.changed(workshops=pending["workshops"], students=pending["students"], schools=pending["schools"],
                        initiatives=bool(pending["initiatives"]))
    finally:
        session.info.pop(_APPLYING, None)


@event.listens_for(Session, "before_commit")
def _apply_before_commit(session: Session) -> None:
    apply_pending(session)


@event.listens_for(Session, "do_orm_execute")
def _apply_before_reading_facts(state: ORMExecuteState) -> None:
    """A transaction reads its own writes: pending facts are applied before the fact tables are read."""
    session = state.session
    if not state.is_select or session.info.get(_APPLYING) or not has_pending(session):
        return
    if _FACT_TABLES.intersection(find_tables(state.statement, include_joins=True)):
        apply_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    """Committed or rolled back: what was pending is done or void (a savepoint's end changes nothing)."""
    if transaction.parent is None and not session.info.get(_APPLYING):
        session.info.pop(_PENDING, None)
