"""What the impact report keeps on the facts, so that no request counts distinct students.

- `ImpactReach`: students reached per (scope, region, key) — a key is a (settlement, gender, grade band) cell,
  a month, a language or a school; a scope is everyone's initiatives (`EVERYONE`) or one funder's (the set they
  were counted for is in `ImpactScope`).
- `ImpactSchool`: each school's sums, for the per-school table.
- The chains `ImpactFact.prev_ts` / `prev_lang_ts` / `prev_school_ts`: when the previous attended fact of the same
  student, student and language, and school started (a period's students are then counts of index ranges).

`rollups.changed()` calls `fact_keys()` for the facts it is about to resync and again after, then `recount()` with
both: a distinct count cannot be updated from two snapshots at once, so it is recounted under a lock per region
(`locks.hold`), and whoever takes the lock second counts what the first committed. `drift()` compares it all with
a recount.
"""
from __future__ import annotations

import functools
from typing import Any, Iterable

from sqlalchemy import (ColumnElement, Select, String, bindparam, case, cast, delete, func, insert, literal, or_, select,
                        update)

from outreach import locks
from outreach.extensions import db
from outreach.initiatives.models import initiative_funder
from outreach.reports.models import (EVERYONE, HOURS_BANDS, NO_PREVIOUS, ImpactFact, ImpactReach, ImpactSchool,
                                     ImpactScope)
from outreach.schools.models import Region

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


def touched_facts(workshop_ids: list[int], student_ids: list[int],
                   school_ids: list[int]) -> ColumnElement[bool] | None:
    conditions = [column.in_(ids) for column, ids in ((ImpactFact.workshop_id, workshop_ids),
                                                       (ImpactFact.student_id, student_ids),
                                                       (ImpactFact.school_id, school_ids)) if ids]
    return or_(*conditions) if conditions else None


def fact_keys(condition: ColumnElement[bool]) -> set[Any]:
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


def _stored_signatures() -> dict[int, str]:
    """The funders' scopes whose counts are kept, and the initiatives (`scope_signature`) they were counted for."""
    rows = db.session.execute(select(ImpactScope.scope, ImpactScope.initiative_ids).where(ImpactScope.scope != EVERYONE))
    return {scope: ids for scope, ids in rows}


def _stored_scopes() -> dict[int, tuple[int, ...]]:
    return {scope: _parse_ids(ids) for scope, ids in _stored_signatures().items()}


def _parse_ids(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


def scope_signature(initiative_ids: Iterable[int]) -> str:
    """How `ImpactScope` writes a set of initiatives."""
    return ",".join(str(ident) for ident in sorted(set(initiative_ids)))


#: the kind of the kept counts of students per band of attended hours (`HOURS_BANDS`), per region
HOURS = "hours"


def hours_band(minutes: ColumnElement[Any]) -> ColumnElement[str]:
    """The band of a student's attended minutes (lower bound included)."""
    whens = [(minutes >= low * 60, literal(key)) for key, low in reversed(HOURS_BANDS[1:])]
    return case(*whens, else_=literal(HOURS_BANDS[0][0]))


def _hours_counts(initiative_ids: tuple[int, ...] | None, regions: Iterable[str] | None) -> list[tuple[str, str, int]]:
    """(region, band, students) for these regions (None: all): each reached student's minutes attended summed
    (a student lives in one region, so a region's students are counted from its own facts)."""
    per_student = (select(ImpactFact.region_code.label("region"), func.sum(ImpactFact.minutes).label("minutes"))
                   .where(ImpactFact.attended == 1).group_by(ImpactFact.region_code, ImpactFact.student_id))
    if initiative_ids is not None:
        per_student = per_student.where(ImpactFact.initiative_id.in_(list(initiative_ids)))
    rows: list[tuple[str, str, int]] = []
    for region in (sorted(set(regions)) if regions is not None else [None]):
        query = per_student if region is None else per_student.where(ImpactFact.region_code == region)
        students = query.subquery()
        band = hours_band(students.c.minutes)
        rows.extend(tuple(row) for row in db.session.execute(
            select(students.c.region, band, func.count()).group_by(students.c.region, band)))
    return rows


def _recount_hours(scope: int, initiative_ids: tuple[int, ...] | None, regions: Iterable[str] | None) -> None:
    """Replace the hours-band counts of these regions (None: all) of a scope."""
    stale = delete(ImpactReach).where(ImpactReach.scope == scope, ImpactReach.kind == HOURS)
    if regions is not None:
        regions = sorted(set(regions))
        stale = stale.where(ImpactReach.region_code.in_(regions))
    db.session.execute(stale.execution_options(synchronize_session=False))
    values = [{"scope": scope, "region_code": region, "kind": HOURS, "key": key, "students": int(n)}
              for region, key, n in _hours_counts(initiative_ids, regions) if n]
    if values:
        db.session.execute(insert(ImpactReach), values)


def _lock_regions(regions: Iterable[str] | None) -> None:
    """Serialise the recounts of these regions (None: all of them) with other transactions'."""
    names = sorted(set(regions)) if regions is not None else list(db.session.scalars(
        select(Region.code).order_by(Region.code)))
    locks.hold(locks.lock_key("impact-region", name) for name in names)


def recount(facts: set[Any]) -> None:
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
    _recount_hours(EVERYONE, None, {fact.region_code for fact in attended})
    for scope, initiative_ids in sorted(_stored_scopes().items()):
        funded = set(initiative_ids)
        mine = [fact for fact in attended if fact.initiative_id in funded]
        if mine:
            _recount_reach(scope, initiative_ids, mine)
            _recount_hours(scope, initiative_ids, {fact.region_code for fact in mine})


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
    _recount_hours(scope, initiative_ids, None)


def refresh_funder_scopes(lock: bool = True) -> None:
    """Count the scope of every funder whose initiatives are not the ones its counts were made for."""
    db.session.flush()
    stored = _stored_signatures()
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


def drift() -> int:
    """How many kept counts differ from a recount. A funder's counts made for other initiatives than the
    funder's are never read (the report counts the facts instead), so only current scopes are compared."""
    funded = {funder_id: scope_signature(ids) for funder_id, ids in _funded_now().items()}
    current = {scope: ids for scope, ids in _stored_signatures().items() if funded.get(scope) == ids}
    wrong = 0
    expected: dict[tuple[Any, ...], int] = {}
    for scope, initiative_ids in [(EVERYONE, None), *((s, _parse_ids(i)) for s, i in current.items())]:
        for kind in _KEY_COLUMNS:
            for region, key, n in _reach_counts(kind, initiative_ids, None):
                if n:
                    expected[(scope, region, kind, key)] = int(n)
        for region, key, n in _hours_counts(initiative_ids, None):
            if n:
                expected[(scope, region, HOURS, key)] = int(n)
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
