"""The impact facts follow the domain events: collected per transaction, recomputed once before it commits.

Every event that can change what a sign-up counts for adds the touched workshop, student or school to a set
kept on the session (`session.info`). The sets are applied — each workshop, student and school recomputed
once, whatever number of events named it — by the unit of work's "reports" step before the commit
(`outreach/unitofwork.py`), so a request, a CLI command or a test
that commits gets exact facts, and a new write path only has to announce its change. A read of the fact tables
inside the same transaction (the report of a test, `rollups.drift()`, the initiatives' "students reached")
first applies what is pending, so a transaction always reads its own writes. A rollback forgets the sets.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from outreach import events, unitofwork
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


def _apply_before_commit(session: Session, _changes: Any) -> None:
    apply_pending(session)


def _forget(session: Session, *_args: Any) -> None:
    """Committed or rolled back: what was pending is done or void."""
    session.info.pop(_PENDING, None)


unitofwork.register(unitofwork.Step("reports", before_commit=_apply_before_commit, after_commit=_forget,
                                    after_rollback=_forget,
                                    reads_own_writes=(_FACT_TABLES, has_pending, apply_pending)))
