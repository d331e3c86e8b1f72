"""Keeping the impact facts exactly right.

No service calls these: the services announce domain events (outreach/events.py), and
`reports/subscribers.py` calls these once per transaction, before it commits, for what was touched:

- `workshop_changed(workshop_id)` — sign-ups made, cancelled or promoted; attendance recorded or
  corrected; the workshop rescheduled, re-timed, moved to another initiative, its language changed
  or cancelled;
- `student_changed(student_id)` — a student's grade, gender or school changed;
- `school_changed(school_id)` — a school's region or settlement type changed.

Each one recomputes the facts of the sign-ups in its scope from the source tables (so it cannot
drift, whatever changed) and removes the facts of sign-ups that no longer count. `rebuild()` does
the whole table (the `flask reports rebuild-facts` command, the benchmark) and `drift()` tells
whether the table matches the source tables.

Then what is kept on top of the facts (`reports/counts.py`) is recounted for the keys the changed
facts had before and have after.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import ColumnElement, delete, func, insert, select, true
from sqlalchemy.dialects import postgresql, sqlite

from outreach.attendance.models import Attendance
from outreach.attendance.rules import ATTENDED, EXCUSED, minutes_attended
from outreach.dbtypes import local_tz
from outreach.extensions import db
from outreach.reports import counts
from outreach.reports.models import ImpactFact, ImpactWorkshop, grade_band
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop

FACT_COLUMNS = ("signup_id", "workshop_id", "initiative_id", "student_id", "school_id", "region_code",
                "settlement_type", "gender", "grade_band", "language", "starts_ts", "local_month", "minutes",
                "recorded", "attended")


def changed(*, workshops: Iterable[int] = (), students: Iterable[int] = (), schools: Iterable[int] = (),
            initiatives: bool = False) -> None:
    """Recompute the facts of the sign-ups of these workshops, students and schools, then the counts
    kept on them (once for all); `initiatives`: an initiative's funders may have changed."""
    workshop_ids, student_ids, school_ids = sorted(set(workshops)), sorted(set(students)), sorted(set(schools))
    touched = counts.touched_facts(workshop_ids, student_ids, school_ids)
    before = counts.fact_keys(touched) if touched is not None else set()
    for workshop_id in workshop_ids:
        # with the workshop row locked or just updated
        _resync(Signup.workshop_id == workshop_id, lock_people=True)
    if workshop_ids:
        _roll_up(workshop_ids)
    for student_id in student_ids:
        _resync(Signup.student_id == student_id)
    for school_id in school_ids:
        _resync(Signup.student_id.in_(select(Student.id).where(Student.school_id == school_id)))
    if touched is not None:
        counts.recount(before | counts.fact_keys(touched))
    if initiatives:
        counts.refresh_funder_scopes()


def workshop_changed(workshop_id: int) -> None:
    """Recompute the facts of one workshop's sign-ups (call with the workshop row locked or just updated)."""
    changed(workshops=[workshop_id])


def workshops_changed(workshop_ids: Iterable[int]) -> None:
    """Recompute the facts of several workshops' sign-ups (a change to a series)."""
    changed(workshops=workshop_ids)


def student_changed(student_id: int) -> None:
    """Recompute the facts of one student's sign-ups."""
    changed(students=[student_id])


def school_changed(school_id: int) -> None:
    """Recompute the facts of the sign-ups of one school's students."""
    changed(schools=[school_id])


def _source(condition: ColumnElement[bool]):
    """The source columns of the sign-ups that count: confirmed, to a workshop that is not cancelled."""
    return (
        select(Signup.id, Signup.workshop_id, Workshop.initiative_id, Signup.student_id, Student.school_id,
               School.region_code, School.settlement_type, Student.gender, Student.grade, Workshop.language,
               Workshop.starts_at, Workshop.duration_minutes, Workshop.attendance_recorded_at, Attendance.status,
               Attendance.minutes)
        .join(Workshop, Workshop.id == Signup.workshop_id)
        .join(Student, Student.id == Signup.student_id)
        .join(School, School.id == Student.school_id)
        .outerjoin(Attendance, Attendance.signup_id == Signup.id)
        .where(Signup.status == "confirmed", Workshop.status != "cancelled", condition)
    )


def _facts(rows: Iterable[Any]) -> Iterator[dict[str, Any]]:
    tz = local_tz()
    months: dict[datetime, str] = {}
    for (signup_id, workshop_id, initiative_id, student_id, school_id, region_code, settlement_type, gender, grade,
         language, starts_at, duration, recorded_at, status, late_minutes) in rows:
        month = months.get(starts_at)
        if month is None:
            month = months[starts_at] = starts_at.astimezone(tz).strftime("%Y-%m")
            if len(months) > 4096:  # a rebuild passes every workshop: keep memory flat
                months.clear()
        recorded = recorded_at is not None
        attended = recorded and status in ATTENDED
        yield {"signup_id": signup_id, "workshop_id": workshop_id, "initiative_id": initiative_id,
               "student_id": student_id, "school_id": school_id, "region_code": region_code,
               "settlement_type": settlement_type, "gender": gender, "grade_band": grade_band(grade),
               "language": language, "starts_ts": int(starts_at.timestamp()), "local_month": month,
               # minutes attended (late: its minutes; excused and absent: none); recorded leaves excused
               # sign-ups out, so that it is the attendance rate's denominator
               "minutes": minutes_attended(status, late_minutes, duration) if attended else 0,
               "recorded": int(recorded and status != EXCUSED), "attended": int(attended)}


def _upsert(facts: list[dict[str, Any]]) -> None:
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(ImpactFact)
    statement = statement.on_conflict_do_update(
        index_elements=[ImpactFact.signup_id],
        set_={name: statement.excluded[name] for name in FACT_COLUMNS if name != "signup_id"})
    db.session.execute(statement, facts)


def _resync(condition: ColumnElement[bool], lock_people: bool = False) -> None:
    db.session.flush()
    query = _source(condition)
    if lock_people:
        # a student or school edited at the same moment is read as committed (PostgreSQL; SQLite
        # has one writer at a time anyway)
        query = query.with_for_update(read=True, of=[Student, School])
    facts = list(_facts(db.session.execute(query)))
    keep = [fact["signup_id"] for fact in facts]
    stale = delete(ImpactFact).where(ImpactFact.signup_id.in_(select(Signup.id).where(condition)))
    if keep:
        stale = stale.where(ImpactFact.signup_id.not_in(keep))
    db.session.execute(stale.execution_options(synchronize_session=False))
    if facts:
        # an upsert, not delete-and-insert: two transactions resyncing the same sign-up never collide
        _upsert(facts)


def _roll_up(workshop_ids: list[int] | None) -> None:
    """The per-workshop sums of the facts (None: every workshop). Student and school changes never
    change them, so only workshop changes call this."""
    per_workshop = (select(ImpactFact.workshop_id, func.max(ImpactFact.initiative_id), func.max(ImpactFact.starts_ts),
                           func.count(), func.sum(ImpactFact.recorded), func.sum(ImpactFact.attended),
                           func.sum(ImpactFact.attended * ImpactFact.minutes))
                    .group_by(ImpactFact.workshop_id))
    stale = delete(ImpactWorkshop)
    if workshop_ids is not None:
        per_workshop = per_workshop.where(ImpactFact.workshop_id.in_(workshop_ids))
        stale = stale.where(ImpactWorkshop.workshop_id.in_(workshop_ids))
    # the caller holds the workshop's row lock, so nobody else rolls the same workshop up meanwhile
    db.session.execute(stale.execution_options(synchronize_session=False))
    db.session.execute(insert(ImpactWorkshop).from_select(
        ["workshop_id", "initiative_id", "starts_ts", "signups", "recorded", "attended", "attended_minutes"],
        per_workshop))


def rebuild(batch_size: int = 20000) -> int:
    """Recompute the whole table from the source tables; returns the number of facts."""
    db.session.execute(delete(ImpactFact).execution_options(synchronize_session=False))
    count = 0
    batch: list[dict[str, Any]] = []
    result = db.session.execute(_source(true()).order_by(Signup.id).execution_options(yield_per=batch_size))
    for fact in _facts(result):
        batch.append(fact)
        if len(batch) >= batch_size:
            db.session.execute(insert(ImpactFact), batch)
            count += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(ImpactFact), batch)
        count += len(batch)
    _roll_up(None)
    db.session.flush()
    counts.rebuild_counts()
    db.session.flush()
    return count


def drift() -> int:
    """How many facts (and workshop roll-ups) differ from what the source tables say (0 when right)."""
    expected = {fact["signup_id"]: tuple(fact[c] for c in FACT_COLUMNS) for fact in
                _facts(db.session.execute(_source(true())))}
    actual = {row[0]: tuple(row) for row in db.session.execute(
        select(*(getattr(ImpactFact, c) for c in FACT_COLUMNS)))}
    keys = set(expected) | set(actual)
    wrong = sum(1 for key in keys if expected.get(key) != actual.get(key))
    sums = {row[0]: tuple(row) for row in db.session.execute(
        select(ImpactFact.workshop_id, func.max(ImpactFact.initiative_id), func.max(ImpactFact.starts_ts), func.count(),
               func.sum(ImpactFact.recorded), func.sum(ImpactFact.attended),
               func.sum(ImpactFact.attended * ImpactFact.minutes)).group_by(ImpactFact.workshop_id))}
    rolled = {row[0]: tuple(row) for row in db.session.execute(
        select(ImpactWorkshop.workshop_id, ImpactWorkshop.initiative_id, ImpactWorkshop.starts_ts,
               ImpactWorkshop.signups, ImpactWorkshop.recorded, ImpactWorkshop.attended,
               ImpactWorkshop.attended_minutes))}
    return (wrong + sum(1 for key in set(sums) | set(rolled) if sums.get(key) != rolled.get(key))
            + counts.drift())

