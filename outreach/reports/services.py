"""The impact report: what funded initiatives did, counted in SQL from the impact facts.

Definitions (../shared/API.md, "Impact report"):
- a workshop is *delivered* when it has started and is not cancelled;
- *students reached*: distinct students with at least one attended session in the filter;
- *sign-ups*: confirmed sign-ups to delivered workshops;
- *attendance rate*: attended / confirmed sign-ups of delivered workshops whose attendance was recorded;
- *student-hours*: the sum of duration / 60 over attended sign-ups.
Each student has one school, grade and gender, so the region, settlement type, gender and grade
band cells partition the students reached; months and languages do not (a student who attended
in two months counts in both).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import ColumnElement, Select, func, literal, null, select, union_all

from outreach.cache import cached_figures
from outreach.dbtypes import local_tz, utcnow
from outreach.extensions import db
from outreach.initiatives.models import Initiative
from outreach.outcomes import figures as outcome_figures
from outreach.reports import counts, privacy
from outreach.reports.counts import HOURS, hours_band
from outreach.reports.models import GRADE_BANDS, HOURS_BANDS, ImpactFact, ImpactReach, ImpactWorkshop
# the scope, the per-school table and the sign-up rows are modules of their own; the views, the exports and
# the API reach them through `services`, as before
from outreach.reports.schools import SchoolRow, school_rows, school_table
from outreach.reports.scope import Scope, build_scope, check_may_report, kept_scope
from outreach.reports.signup_rows import SignupRow, signup_rows
from outreach.schools.models import SETTLEMENT_TYPES, Region
from outreach.students.models import GENDERS
from outreach.venues.models import Venue
from outreach.workshops.models import DELIVERY_LANGUAGES, Workshop

__all__ = ["BREAKDOWNS", "EXTRA_BREAKDOWNS", "KEY_ORDER", "Scope", "SchoolRow", "SignupRow", "breakdown_keys",
           "build_scope", "check_may_report", "impact_report", "report_for_scope", "school_rows", "school_table",
           "signup_rows", "students_reached_as_seen_by", "students_reached_by_initiative"]

BREAKDOWNS = ("by_region", "by_gender", "by_grade_band", "by_settlement_type", "by_month")
# breakdowns beyond the first contract: by_hours_band (v1.1) and by_language (extra; the API may carry extra fields)
EXTRA_BREAKDOWNS = ("by_hours_band", "by_language")
# the order cells are listed in (regions by code, months in time)
KEY_ORDER = {
    "by_gender": tuple(GENDERS),
    "by_grade_band": GRADE_BANDS,
    "by_settlement_type": tuple(SETTLEMENT_TYPES),
    "by_language": tuple(DELIVERY_LANGUAGES),
    "by_hours_band": tuple(key for key, _low in HOURS_BANDS),
}


def students_reached_by_initiative(initiative_ids: Sequence[int]) -> dict[int, int]:
    """Students reached (the report's definition) per initiative, in one query; 0 where none."""
    ids = tuple(initiative_ids)
    if not ids:
        return {}
    scope = Scope(initiative_ids=ids, region=None, starts_from=None, starts_before=None, now=utcnow())
    rows = db.session.execute(select(ImpactFact.initiative_id, func.count(ImpactFact.student_id.distinct()))
                              .where(*scope.conditions(attended=True)).group_by(ImpactFact.initiative_id))
    reached = dict.fromkeys(ids, 0)
    reached.update({initiative_id: int(count) for initiative_id, count in rows})
    return reached


def students_reached_as_seen_by(user: Any, initiative_ids: Sequence[int]) -> dict[int, int | None]:
    """Students reached per initiative as this user may see them: exact for staff; for funders
    protected like the report's total (None under the threshold, else rounded)."""
    protection = privacy.protection_for(user)
    return {ident: privacy.protect_count(n, protection)
            for ident, n in students_reached_by_initiative(initiative_ids).items()}



def _kept_counts(kept: int, region: str | None) -> dict[str, dict[str | None, int]]:
    """The report's distinct-student counts from the kept counts (a key's count is the sum of its regions')."""
    where = [ImpactReach.scope == kept]
    if region is not None:
        where.append(ImpactReach.region_code == region)
    rows = db.session.execute(union_all(
        select(ImpactReach.region_code, ImpactReach.kind, ImpactReach.key, ImpactReach.students)
        .where(*where, ImpactReach.kind != "school"),
        select(null(), literal("school"), null(), func.count()).where(*where, ImpactReach.kind == "school")))
    counts: dict[str, dict[str | None, int]] = {}

    def add(name: str, key: str | None, n: int) -> None:
        cells = counts.setdefault(name, {})
        cells[key] = cells.get(key, 0) + n

    for region_code, kind, key, n in rows:
        if not n:
            continue
        if kind == "cell":
            settlement, gender, band = key.split("|")
            for name, cell in (("total", None), ("by_region", region_code), ("by_settlement_type", settlement),
                               ("by_gender", gender), ("by_grade_band", band)):
                add(name, cell, int(n))
        elif kind == "month":
            add("by_month", key, int(n))
        elif kind == "language":
            add("by_language", key, int(n))
        elif kind == HOURS:
            add("by_hours_band", key, int(n))
        else:
            add("schools", None, int(n))
    return counts


def _breakdown_counts(scope: Scope) -> dict[str, dict[str | None, int]]:
    """Every distinct-student count of the report, in one statement.

    The cube (region × settlement × gender × grade band) has each student in exactly one cell, so
    its sums are exact distinct counts; months and languages are counted distinct on their own.
    Over every initiative, a student is counted once by their first attended sign-up of the period (the
    one whose previous attended sign-up started before the period): the cube and the languages are then
    counts of index ranges, with no DISTINCT to sort.
    """
    attended = scope.conditions(attended=True)
    if scope.initiative_ids is None:
        first = scope.starts_from_ts()
        cube_count = func.count()
        cube_where = [*attended, ImpactFact.prev_ts < first, ImpactFact.settlement_type.in_(SETTLEMENT_TYPES),
                      ImpactFact.gender.in_(GENDERS), ImpactFact.grade_band.in_(GRADE_BANDS)]
        if scope.region is None:
            cube_where.append(ImpactFact.region_code.in_(select(Region.code)))
        # every allowed value named: one index range per language and per cell, read in order (no sort)
        languages = (select(literal("by_language"), ImpactFact.language, func.count())
                     .where(*attended, ImpactFact.language.in_(DELIVERY_LANGUAGES), ImpactFact.prev_lang_ts < first)
                     .group_by(ImpactFact.language))
    else:
        cube_count = func.count(ImpactFact.student_id.distinct())
        cube_where = attended
        languages = (select(literal("by_language"), ImpactFact.language, func.count(ImpactFact.student_id.distinct()))
                     .where(*attended).group_by(ImpactFact.language))
    cube = (select(ImpactFact.region_code, ImpactFact.settlement_type, ImpactFact.gender, ImpactFact.grade_band,
                   cube_count.label("n"))
            .where(*cube_where)
            .group_by(ImpactFact.region_code, ImpactFact.settlement_type, ImpactFact.gender, ImpactFact.grade_band)
            .cte("cube"))
    parts: list[Select] = [
        select(literal("total"), null(), func.sum(cube.c.n)).select_from(cube),
        *(select(literal(name), column, func.sum(cube.c.n)).group_by(column)
          for name, column in (("by_region", cube.c.region_code), ("by_settlement_type", cube.c.settlement_type),
                               ("by_gender", cube.c.gender), ("by_grade_band", cube.c.grade_band))),
        *_month_counts(scope, attended),
        languages,
    ]
    if scope.initiative_ids is None:  # a school counts by its first attended sign-up of the period
        parts.append(select(literal("schools"), null(), func.count())
                     .where(*attended, ImpactFact.prev_school_ts < scope.starts_from_ts()))
    else:  # one row per school, in the order of the school index (a count of distinct would sort)
        parts.append(select(literal("schools"), null(), func.count()).select_from(
            select(ImpactFact.school_id).where(*attended).group_by(ImpactFact.school_id).subquery()))
    counts: dict[str, dict[str | None, int]] = {}
    for name, key, n in db.session.execute(union_all(*parts)):
        if n:
            counts.setdefault(name, {})[key] = int(n)
    return counts


_MONTH_RANGES = 120


def _month_counts(scope: Scope, attended: list[ColumnElement[bool]]) -> list[Select]:
    """Statements giving ("by_month", month, students reached in the month within the period)."""
    months = _months_of(scope) if scope.initiative_ids is None else None
    if months is not None and len(months) <= _MONTH_RANGES:
        # each month is a period of its own: its students are counted by their first attended sign-up in it
        region = [ImpactFact.region_code == scope.region] if scope.region is not None else []
        return [select(literal("by_month"), literal(month), func.count())
                .where(ImpactFact.attended == 1, ImpactFact.starts_ts >= start, ImpactFact.starts_ts < end,
                       ImpactFact.prev_ts < start, *region)
                for month, start, end in months]
    if scope.initiative_ids is None:
        # a student is in one region: a month's students are the sum of its regions' (one index range each)
        per_region = (select(ImpactFact.local_month.label("month"),
                             func.count(ImpactFact.student_id.distinct()).label("n"))
                      .where(*attended, *scope.month_conditions())
                      .group_by(ImpactFact.local_month, ImpactFact.region_code).subquery())
        return [select(literal("by_month"), per_region.c.month, func.sum(per_region.c.n))
                .group_by(per_region.c.month)]
    return [select(literal("by_month"), ImpactFact.local_month, func.count(ImpactFact.student_id.distinct()))
            .where(*attended).group_by(ImpactFact.local_month)]


def _months_of(scope: Scope) -> list[tuple[str, int, int]] | None:
    """The local months of a period that has a start, each as (month, start, end) in Unix seconds, cut to the
    period and to now; None without a start."""
    if scope.starts_from is None:
        return None
    tz = local_tz()
    end_of_period = scope.now + timedelta(seconds=1)
    if scope.starts_before is not None:
        end_of_period = min(end_of_period, scope.starts_before)
    start = scope.starts_from.astimezone(tz)
    month = datetime(start.year, start.month, 1, tzinfo=tz)
    months: list[tuple[str, int, int]] = []
    while month < end_of_period and len(months) <= _MONTH_RANGES:
        following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=tz)
        lo, hi = max(month, scope.starts_from), min(following, end_of_period)
        if lo < hi:
            months.append((month.strftime("%Y-%m"), int(lo.timestamp()), int(hi.timestamp())))
        month = following
    return months


def _totals(scope: Scope) -> dict[str, Any]:
    """Sign-ups, attendance and student-hours, and workshops delivered.

    Without a region they are sums of the per-workshop roll-up (tens of thousands of rows, not a
    million); with one, sums over the facts of that region's students."""
    if scope.region is None:
        conds = [ImpactWorkshop.starts_ts <= int(scope.now.timestamp())]
        if scope.starts_from is not None:
            conds.append(ImpactWorkshop.starts_ts >= int(scope.starts_from.timestamp()))
        if scope.starts_before is not None:
            conds.append(ImpactWorkshop.starts_ts < int(scope.starts_before.timestamp()))
        if scope.initiative_ids is not None:
            conds.append(ImpactWorkshop.initiative_id.in_(scope.initiative_ids))
        row = db.session.execute(select(func.sum(ImpactWorkshop.signups), func.sum(ImpactWorkshop.recorded),
                                        func.sum(ImpactWorkshop.attended),
                                        func.sum(ImpactWorkshop.attended_minutes)).where(*conds)).one()
        # every delivered workshop, those nobody signed up to included
        query = select(func.count()).select_from(Workshop).where(
            Workshop.status != "cancelled", Workshop.starts_at <= scope.now)
        if scope.starts_from is not None:
            query = query.where(Workshop.starts_at >= scope.starts_from)
        if scope.starts_before is not None:
            query = query.where(Workshop.starts_at < scope.starts_before)
        if scope.initiative_ids is not None:
            query = query.where(Workshop.initiative_id.in_(scope.initiative_ids))
        workshops = int(db.session.scalar(query) or 0)
    else:
        # with a region: the delivered workshops that had a confirmed sign-up from that region
        row = db.session.execute(select(func.count(), func.sum(ImpactFact.recorded), func.sum(ImpactFact.attended),
                                        func.sum(ImpactFact.attended * ImpactFact.minutes),
                                        func.count(ImpactFact.workshop_id.distinct()))
                                 .where(*scope.conditions())).one()
        workshops = int(row[4] or 0)
    signups, recorded, attended, minutes = (int(v or 0) for v in row[:4])
    return {"signups": signups, "recorded": recorded, "attended": attended, "minutes": minutes,
            "workshops": workshops}


def _target(scope: Scope) -> int | None:
    """The sum of the targets of the initiatives in the filter (archived ones too); None when none has one."""
    query = select(func.sum(Initiative.target_students))
    if scope.initiative_ids is not None:
        query = query.where(Initiative.id.in_(scope.initiative_ids))
    value = db.session.scalar(query)
    return int(value) if value is not None else None


def _cells(name: str, counts: dict[str | None, int]) -> list[dict[str, Any]]:
    """Exact cells in the breakdown's order (privacy.protect_report hides and rounds them for funders)."""
    exact = {str(k): v for k, v in counts.items()}
    order = KEY_ORDER.get(name)
    keys = sorted(exact, key=(lambda k: (order.index(k) if k in order else len(order), k)) if order else None)
    return [{"key": key, "students_reached": exact[key], "suppressed": False} for key in keys]


def impact_report(user: Any, *, initiative_id: int | None = None, region: str | None = None,
                  date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
    """The impact report as the API returns it (plus `by_language`): exact for staff, protected for funders.

    A funder's period snaps to whole months before anything is counted; `filters` echoes it."""
    protection = privacy.protection_for(user)
    if protection is not None:
        date_from, date_to = privacy.snap_period(date_from, date_to)
    scope = build_scope(user, initiative_id=initiative_id, region=region, date_from=date_from, date_to=date_to)
    exact = report_for_scope(scope, filters={"initiative_id": initiative_id, "region": region,
                                             "from": date_from.isoformat() if date_from else None,
                                             "to": date_to.isoformat() if date_to else None})
    keys = breakdown_keys(scope, exact) if protection is not None else None
    return privacy.protect_report(exact, protection, (*BREAKDOWNS, *EXTRA_BREAKDOWNS), keys)


def _delivered_workshops(scope: Scope) -> Select:
    """The delivered workshops of a scope's initiatives and period (its region aside)."""
    query = select(Workshop).where(Workshop.status != "cancelled", Workshop.starts_at <= scope.now)
    if scope.starts_from is not None:
        query = query.where(Workshop.starts_at >= scope.starts_from)
    if scope.starts_before is not None:
        query = query.where(Workshop.starts_at < scope.starts_before)
    if scope.initiative_ids is not None:
        query = query.where(Workshop.initiative_id.in_(scope.initiative_ids))
    return query


def _month_keys(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month) and len(months) <= _MONTH_RANGES:
        months.append(f"{year:04d}-{month:02d}")
        year, month = year + month // 12, month % 12 + 1
    return months


def breakdown_keys(scope: Scope, exact: dict[str, Any]) -> dict[str, list[str]]:
    """Every key of each breakdown of a funder's report (API.md rule 5), decided without the children's figures:
    the allowed values; every month of the period (without one: from the month of the first delivered workshop
    to that of the last); every region where a workshop was delivered (its venue's), or the chosen region.
    Keys the figures have beyond these are listed too (`privacy.complete_cells`)."""
    keys: dict[str, list[str]] = {name: list(order) for name, order in KEY_ORDER.items()}
    tz = local_tz()
    delivered = _delivered_workshops(scope).subquery()
    if scope.region is not None:
        keys["by_region"] = [scope.region]
        first_ts, last_ts = db.session.execute(select(func.min(ImpactFact.starts_ts), func.max(ImpactFact.starts_ts))
                                               .where(*scope.conditions())).one()
        bounds = [datetime.fromtimestamp(ts, tz) if ts is not None else None for ts in (first_ts, last_ts)]
    else:
        venue_regions = db.session.scalars(select(Venue.region).distinct().join(delivered, delivered.c.venue_id == Venue.id)
                                           .where(Venue.region.is_not(None)))
        keys["by_region"] = sorted(set(venue_regions) | {cell["key"] for cell in exact["by_region"]})
        first, last = db.session.execute(select(func.min(delivered.c.starts_at), func.max(delivered.c.starts_at))).one()
        bounds = [moment.astimezone(tz) if moment is not None else None for moment in (first, last)]
    start = scope.starts_from.astimezone(tz).date() if scope.starts_from is not None else (
        bounds[0].date() if bounds[0] is not None else None)
    end = (scope.starts_before - timedelta(seconds=1)).astimezone(tz).date() if scope.starts_before is not None else (
        bounds[1].date() if bounds[1] is not None else None)
    months = set(_month_keys(start, end)) if start is not None and end is not None else set()
    keys["by_month"] = sorted(months | {cell["key"] for cell in exact["by_month"]})
    return keys


def _hours_band_counts(scope: Scope) -> dict[str | None, int]:
    """Students reached by the hours each attended in the filter (lower bound included): each student in one band.

    Minutes attended are summed per student over the attended facts (present: the duration, late: its minutes);
    absent and excused sign-ups add nothing, so summing only attended facts gives each student's whole time."""
    per_student = (select(func.sum(ImpactFact.minutes).label("minutes"))
                   .where(*scope.conditions(attended=True)).group_by(ImpactFact.student_id).subquery())
    band = hours_band(per_student.c.minutes).label("band")
    rows = db.session.execute(select(band, func.count()).group_by(band))
    return {str(key): int(n) for key, n in rows if n}


def _selection(scope: Scope) -> outcome_figures.Selection:
    return outcome_figures.Selection(initiative_ids=scope.initiative_ids, region=scope.region,
                                     starts_from=scope.starts_from, starts_before=scope.starts_before, now=scope.now)


def _outcomes(scope: Scope) -> dict[str, Any]:
    """The questionnaires' figures of a scope (exact), counted once per data version like the other figures."""
    key = ("outcomes", scope.initiative_ids, scope.region, scope.starts_from, scope.starts_before)
    return cached_figures(key, scope.now, lambda: outcome_figures.outcome_figures(_selection(scope)))


def _figures(scope: Scope) -> tuple[dict, dict, int | None]:
    """The exact figures of a scope, counted once per data version (and until the next workshop starts).

    The key is the scope itself (its initiatives, region and period), so figures are only ever
    reused for exactly the same set of facts; the protection of a funder's figures is applied after."""
    key = ("impact", scope.initiative_ids, scope.region, scope.starts_from, scope.starts_before)
    return cached_figures(key, scope.now, lambda: (_counts(scope), _totals(scope), _target(scope)))


def _counts(scope: Scope) -> dict[str, dict[str | None, int]]:
    kept = kept_scope(scope)
    if kept is not None:
        counts = _kept_counts(kept, scope.region)
        counts.setdefault("by_hours_band", {})
        return counts
    counts = _breakdown_counts(scope)
    counts["by_hours_band"] = _hours_band_counts(scope)
    return counts


def report_for_scope(scope: Scope, filters: dict[str, Any]) -> dict[str, Any]:
    """The exact figures of a scope (no protection applied)."""
    counts, totals, target = _figures(scope)
    reached = counts.get("total", {}).get(None, 0)
    report: dict[str, Any] = {
        "filters": filters,
        "students_reached": reached,
        "signups": totals["signups"],
        "workshops_delivered": totals["workshops"],
        "attendance_rate": round(totals["attended"] / totals["recorded"], 4) if totals["recorded"] else None,
        "student_hours": round(totals["minutes"] / 60, 2),
        # the mean of each reached student's attended hours (the arts councils' "average hours engaged")
        "average_hours": round(totals["minutes"] / 60 / reached, 2) if reached else None,
        "schools_reached": counts.get("schools", {}).get(None, 0),
        "regions_reached": len(counts.get("by_region", {})),
        "target_students": target,
    }
    for name in (*BREAKDOWNS, *EXTRA_BREAKDOWNS):
        report[name] = _cells(name, counts.get(name, {}))
    report.update(outcome_figures.exact(_outcomes(scope)))
    return report
