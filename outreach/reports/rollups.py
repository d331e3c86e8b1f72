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

Then the counts kept on top of the facts are recounted for the keys the changed facts had before
and have after (`ImpactReach`: students reached per region and cell, month, language and school,
for everyone's initiatives and for each funder's; `ImpactSchool`: the per-school sums). A count is a
distinct count, which two transactions cannot both update from their own snapshots, so it is
recounted under a lock per region (`locks.hold`), from the committed facts plus the transaction's
own: whoever takes the lock second counts what the first committed.
"""
from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import (ColumnElement, Select, String, bindparam, case, cast, delete, func, insert, or_, select, true,
                        update)
from sqlalchemy.dialects import postgresql, sqlite

from outreach import locks
from outreach.attendance.models import Attendance
from outreach.dbtypes import local_tz
from outreach.extensions import db
from outreach.initiatives.models import initiative_funder
from outreach.reports.models import (EVERYONE, NO_PREVIOUS, ImpactFact, ImpactReach, ImpactSchool, ImpactScope,
                                     ImpactWorkshop, grade_band)
from outreach.schools.models import Region, School
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
    touched = _touched_facts(workshop_ids, student_ids, school_ids)
    before = _keys(touched) if touched is not None else set()
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
        _recount(before | _keys(touched))
    if initiatives:
        refresh_funder_scopes()


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
               Workshop.starts_at, Workshop.duration_minutes, Workshop.attendance_recorded_at, Attendance.present)
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
         language, starts_at, minutes, recorded_at, present) in rows:
        month = months.get(starts_at)
        if month is None:
            month = months[starts_at] = starts_at.astimezone(tz).strftime("%Y-%m")
            if len(months) > 4096:  # a rebuild passes every workshop: keep memory flat
                months.clear()
        recorded = recorded_at is not None
        yield {"signup_id": signup_id, "workshop_id": workshop_id, "initiative_id": initiative_id,
               "student_id": student_id, "school_id": school_id, "region_code": region_code,
               "settlement_type": settlement_type, "gender": gender, "grade_band": grade_band(grade),
               "language": language, "starts_ts": int(starts_at.timestamp()), "local_month": month,
               "minutes": minutes,
               "recorded": int(recorded), "attended": int(recorded and bool(present))}


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


# -- the counts kept on the facts --------------------------------------------------------------------

# what a count's key is made of, per kind (with the region before it)
_KEY_COLUMNS: dict[str, tuple[Any, ...]] = {
    "cell": (ImpactFact.settlement_type, ImpactFact.gender, ImpactFact.grade_band),
    "month": (ImpactFact.local_month,),
    "language": (ImpactFact.language,),
    "school": (ImpactFact.school_id,),
}
_KEY_OF_FACT = ("initiative_id", "region_code", "settlement_type", "gender", "grade_band", "local_month", "language",
                "school_id", "student_id", "attended")


def _key_expression(kind: str) -> ColumnElement[str]:
    if kind == "cell":
        return ImpactFact.settlement_type + "|" + ImpactFact.gender + "|" + ImpactFact.grade_band
    if kind == "school":
        return cast(ImpactFact.school_id, String)
    return _KEY_COLUMNS[kind][0]


def _key_values(kind: str, fact: Any) -> tuple[Any, ...]:
    if kind == "cell":
        return (fact.settlement_type, fact.gender, fact.grade_band)
    if kind == "month":
        return (fact.local_month,)
    if kind == "language":
        return (fact.language,)
    return (fact.school_id,)


def _touched_facts(workshop_ids: list[int], student_ids: list[int],
                   school_ids: list[int]) -> ColumnElement[bool] | None:
    conditions = [column.in_(ids) for column, ids in ((ImpactFact.workshop_id, workshop_ids),
                                                       (ImpactFact.student_id, student_ids),
                                                       (ImpactFact.school_id, school_ids)) if ids]
    return or_(*conditions) if conditions else None


def _keys(condition: ColumnElement[bool]) -> set[Any]:
    """The distinct keys (initiative, region, cell, month, language, school, attended) of these facts."""
    db.session.flush()
    columns = [getattr(ImpactFact, name) for name in _KEY_OF_FACT]
    return set(db.session.execute(select(*columns).where(condition).distinct()))


def _reach_counts(kind: str, initiative_ids: tuple[int, ...] | None,
                  wanted: Iterable[tuple[Any, ...]] | None) -> list[tuple[str, str, int]]:
    """(region, key, students reached) for the wanted (region, *key columns), or for every key (None)."""
    if wanted is None:
        query = _count_statement(kind, initiative_ids is not None, False)
        return [tuple(row) for row in db.session.execute(query, {"ids": list(initiative_ids or ())})]
    # one small index range per key (a row-value IN list would scan the index on SQLite): the same statement,
    # compiled once, run for each key on the connection
    query = _count_statement(kind, initiative_ids is not None, True)
    connection = db.session.connection()
    rows: list[tuple[str, str, int]] = []
    for key in sorted(set(wanted)):
        values = {f"k{i}": value for i, value in enumerate(key)}
        if initiative_ids is not None:
            values["ids"] = list(initiative_ids)
        rows.extend(tuple(row) for row in connection.execute(query, values))
    return rows


@functools.cache
def _count_statement(kind: str, by_initiative: bool, one_key: bool) -> Select:
    columns = (ImpactFact.region_code, *_KEY_COLUMNS[kind])
    if kind == "cell" and not by_initiative:
        # a student is in one cell: counted by their first attended sign-up (the chains are mended first)
        query = select(ImpactFact.region_code, _key_expression(kind), func.count()).where(
            ImpactFact.attended == 1, ImpactFact.prev_ts == NO_PREVIOUS).group_by(*columns)
    else:
        query = (select(ImpactFact.region_code, _key_expression(kind), func.count(ImpactFact.student_id.distinct()))
                 .where(ImpactFact.attended == 1).group_by(*columns))
    if one_key:
        query = query.where(*(column == bindparam(f"k{i}") for i, column in enumerate(columns)))
    if by_initiative:
        query = query.where(ImpactFact.initiative_id.in_(bindparam("ids", expanding=True)))
    return query


def _key_string(kind: str, values: tuple[Any, ...]) -> str:
    return "|".join(str(value) for value in values)


def _write_reach(scope: int, kind: str, rows: list[tuple[str, str, int]],
                 replaced: Iterable[tuple[str, str]] | None) -> None:
    """Replace the counts of these (region, key)s of a scope (None: every count of the kind)."""
    stale = delete(ImpactReach).where(ImpactReach.scope == scope, ImpactReach.kind == kind)
    if replaced is not None:
        keys = sorted(set(replaced))
        if not keys:
            return
        by_region: dict[str, list[str]] = {}
        for region, key in keys:
            by_region.setdefault(region, []).append(key)
        for region, region_keys in sorted(by_region.items()):
            db.session.execute(stale.where(ImpactReach.region_code == region, ImpactReach.key.in_(region_keys))
                               .execution_options(synchronize_session=False))
    else:
        db.session.execute(stale.execution_options(synchronize_session=False))
    values = [{"scope": scope, "region_code": region, "kind": kind, "key": key, "students": int(n)}
              for region, key, n in rows if n]
    if values:
        db.session.execute(insert(ImpactReach), values)


def _recount_reach(scope: int, initiative_ids: tuple[int, ...] | None, facts: list[Any]) -> None:
    for kind in _KEY_COLUMNS:
        wanted = {(fact.region_code, *_key_values(kind, fact)) for fact in facts}
        rows = _reach_counts(kind, initiative_ids, wanted)
        _write_reach(scope, kind, rows, [(key[0], _key_string(kind, key[1:])) for key in wanted])


def _school_sums(school_ids: Iterable[int] | None):
    """Per school: students reached, sign-ups, recorded, attended and minutes of every fact."""
    query = (select(ImpactFact.school_id, func.max(ImpactFact.region_code),
                    func.count(case((ImpactFact.attended == 1, ImpactFact.student_id)).distinct()),
                    func.count(), func.sum(ImpactFact.recorded), func.sum(ImpactFact.attended),
                    func.sum(ImpactFact.attended * ImpactFact.minutes))
             .group_by(ImpactFact.school_id))
    if school_ids is not None:
        query = query.where(ImpactFact.school_id.in_(sorted(school_ids)))
    return query


_SCHOOL_COLUMNS = ["school_id", "region_code", "students_reached", "signups", "recorded", "attended", "minutes"]


def _recount_schools(school_ids: set[int] | None) -> None:
    stale = delete(ImpactSchool)
    if school_ids is not None:
        if not school_ids:
            return
        stale = stale.where(ImpactSchool.school_id.in_(sorted(school_ids)))
    db.session.execute(stale.execution_options(synchronize_session=False))
    db.session.execute(insert(ImpactSchool).from_select(_SCHOOL_COLUMNS, _school_sums(school_ids)))


def _stored_scopes() -> dict[int, tuple[int, ...]]:
    return {scope: _parse_ids(ids) for scope, ids in db.session.execute(
        select(ImpactScope.scope, ImpactScope.initiative_ids).where(ImpactScope.scope != EVERYONE))}


def _parse_ids(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


def scope_signature(initiative_ids: Iterable[int]) -> str:
    """How `ImpactScope` writes a set of initiatives."""
    return ",".join(str(ident) for ident in sorted(set(initiative_ids)))


def _lock_regions(regions: Iterable[str] | None) -> None:
    """Serialise the recounts of these regions (None: all of them) with other transactions'."""
    names = sorted(set(regions)) if regions is not None else list(db.session.scalars(
        select(Region.code).order_by(Region.code)))
    locks.hold(locks.lock_key("impact-region", name) for name in names)


def _recount(facts: set[Any]) -> None:
    """Recount everything kept on the facts for these facts' keys (their old and new keys)."""
    if not facts:
        return
    _lock_regions(fact.region_code for fact in facts)
    _chain({fact.student_id for fact in facts}, {fact.school_id for fact in facts})
    _recount_schools({fact.school_id for fact in facts})
    attended = [fact for fact in facts if fact.attended]
    if not attended:
        return
    _recount_reach(EVERYONE, None, attended)
    for scope, initiative_ids in sorted(_stored_scopes().items()):
        funded = set(initiative_ids)
        mine = [fact for fact in attended if fact.initiative_id in funded]
        if mine:
            _recount_reach(scope, initiative_ids, mine)


# Each attended fact knows when the previous attended fact (in the order of start, then sign-up) of the same
# student, of the same student in the same language, and of the same school started: a chain per partition.
_CHAINS: dict[str, tuple[Any, ...]] = {
    "prev_ts": (ImpactFact.student_id,),
    "prev_lang_ts": (ImpactFact.student_id, ImpactFact.language),
    "prev_school_ts": (ImpactFact.school_id,),
}


def _chain_changes(column: str, owner: Any, owners: Iterable[int] | None) -> list[dict[str, int]]:
    """[{sid, prev}] for the attended facts of these owners (students or schools; None: all) whose stored
    `column` is not the start of the previous fact of their partition."""
    partition = _CHAINS[column]
    ids = sorted(set(owners)) if owners is not None else None
    changes: list[dict[str, int]] = []
    batches = [None] if ids is None else [ids[i:i + 500] for i in range(0, len(ids), 500)]
    for batch in batches:
        query = (select(ImpactFact.signup_id, ImpactFact.starts_ts, getattr(ImpactFact, column), *partition)
                 .where(ImpactFact.attended == 1).order_by(*partition, ImpactFact.starts_ts, ImpactFact.signup_id))
        if batch is not None:
            query = query.where(owner.in_(batch))
        last: dict[tuple[Any, ...], int] = {}
        for signup_id, starts_ts, stored, *key in db.session.execute(query):
            previous = last.get(tuple(key), NO_PREVIOUS)
            if previous != stored:
                changes.append({"sid": signup_id, "prev": previous})
            last[tuple(key)] = starts_ts
    return changes


def _chain(student_ids: set[int], school_ids: set[int]) -> None:
    """Mend the chains of these students and schools (after their facts changed)."""
    table = ImpactFact.__table__
    for column, owner, owners in (("prev_ts", ImpactFact.student_id, student_ids),
                                  ("prev_lang_ts", ImpactFact.student_id, student_ids),
                                  ("prev_school_ts", ImpactFact.school_id, school_ids)):
        changes = _chain_changes(column, owner, owners) if owners else []
        if changes:
            db.session.execute(update(table).where(table.c.signup_id == bindparam("sid"))
                               .values({column: bindparam("prev")}), changes)


def _chain_all() -> None:
    """Set the chains of every attended fact (one statement: window functions)."""
    order = (ImpactFact.starts_ts, ImpactFact.signup_id)
    chained = select(ImpactFact.signup_id.label("sid"), *(
        func.lag(ImpactFact.starts_ts, 1, NO_PREVIOUS).over(partition_by=partition, order_by=order).label(column)
        for column, partition in _CHAINS.items())).where(ImpactFact.attended == 1).subquery()
    table = ImpactFact.__table__
    db.session.execute(update(table).where(table.c.signup_id == chained.c.sid)
                       .values({column: chained.c[column] for column in _CHAINS}))


def _chain_drift() -> int:
    return sum(len(_chain_changes(column, None, None)) for column in _CHAINS)


def _funded_now() -> dict[int, tuple[int, ...]]:
    funded: dict[int, list[int]] = {}
    for funder_id, initiative_id in db.session.execute(
            select(initiative_funder.c.funder_id, initiative_funder.c.initiative_id)):
        funded.setdefault(funder_id, []).append(initiative_id)
    return {funder_id: tuple(sorted(ids)) for funder_id, ids in funded.items()}


def _count_scope(scope: int, initiative_ids: tuple[int, ...] | None) -> None:
    for kind in _KEY_COLUMNS:
        _write_reach(scope, kind, _reach_counts(kind, initiative_ids, None), None)


def refresh_funder_scopes(lock: bool = True) -> None:
    """Count the scope of every funder whose initiatives are not the ones its counts were made for."""
    db.session.flush()
    stored = {scope: ids for scope, ids in db.session.execute(
        select(ImpactScope.scope, ImpactScope.initiative_ids).where(ImpactScope.scope != EVERYONE))}
    current = {funder_id: scope_signature(ids) for funder_id, ids in _funded_now().items()}
    stale = sorted(scope for scope in set(stored) | set(current) if stored.get(scope) != current.get(scope))
    if not stale:
        return
    if lock:
        _lock_regions(None)
    for scope in stale:
        db.session.execute(delete(ImpactReach).where(ImpactReach.scope == scope)
                           .execution_options(synchronize_session=False))
        db.session.execute(delete(ImpactScope).where(ImpactScope.scope == scope)
                           .execution_options(synchronize_session=False))
        if scope in current:
            _count_scope(scope, _parse_ids(current[scope]))
            db.session.execute(insert(ImpactScope).values(scope=scope, initiative_ids=current[scope]))


def rebuild_counts() -> None:
    """Count everything kept on the facts again, for every scope."""
    _lock_regions(None)
    _chain_all()
    db.session.execute(delete(ImpactScope).execution_options(synchronize_session=False))
    db.session.execute(delete(ImpactReach).execution_options(synchronize_session=False))
    _count_scope(EVERYONE, None)
    _recount_schools(None)
    refresh_funder_scopes(lock=False)


def _counts_drift() -> int:
    """How many kept counts differ from a recount. A funder's counts made for other initiatives than the
    funder's are never read (the report counts the facts instead), so only current scopes are compared."""
    funded = {funder_id: scope_signature(ids) for funder_id, ids in _funded_now().items()}
    current = {scope: ids for scope, ids in db.session.execute(
        select(ImpactScope.scope, ImpactScope.initiative_ids).where(ImpactScope.scope != EVERYONE))
        if funded.get(scope) == ids}
    wrong = 0
    expected: dict[tuple[Any, ...], int] = {}
    for scope, initiative_ids in [(EVERYONE, None), *((s, _parse_ids(i)) for s, i in current.items())]:
        for kind in _KEY_COLUMNS:
            for region, key, n in _reach_counts(kind, initiative_ids, None):
                if n:
                    expected[(scope, region, kind, key)] = int(n)
    actual = {(scope, region, kind, key): n for scope, region, kind, key, n in db.session.execute(
        select(ImpactReach.scope, ImpactReach.region_code, ImpactReach.kind, ImpactReach.key, ImpactReach.students))
        if scope == EVERYONE or scope in current}
    wrong += sum(1 for key in set(expected) | set(actual) if expected.get(key) != actual.get(key))
    sums = {row[0]: tuple(int(v or 0) if i > 1 else v for i, v in enumerate(row))
            for row in db.session.execute(_school_sums(None))}
    kept = {row[0]: tuple(row) for row in db.session.execute(
        select(*(getattr(ImpactSchool, name) for name in _SCHOOL_COLUMNS)))}
    return (wrong + sum(1 for key in set(sums) | set(kept) if sums.get(key) != kept.get(key))
            + _chain_drift())


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
    rebuild_counts()
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
            + _counts_drift())

