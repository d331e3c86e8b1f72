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

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterator, Sequence

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, null, select, union_all

from outreach.access import is_funder, sees_exact_figures, sees_reports, visible_initiatives
from outreach.attendance.models import Attendance
from outreach.cache import cached_figures
from outreach.collation import stored_order
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import Forbidden, NotFound, OutreachError
from outreach.extensions import db
from outreach.i18n import _l
from outreach.initiatives.models import Initiative
from outreach.outcomes import figures as outcome_figures
from outreach.reports import counts, privacy
from outreach.reports.models import (EVERYONE, GRADE_BANDS, HOURS_BANDS, NO_PREVIOUS, ImpactFact, ImpactReach, ImpactSchool, ImpactScope,
                                     ImpactWorkshop, grade_band)
from outreach.schools.models import SETTLEMENT_TYPES, Region, School
from outreach.signups.models import Signup
from outreach.students.models import GENDERS, Student
from outreach.web import Page
from outreach.venues.models import Venue
from outreach.workshops.models import DELIVERY_LANGUAGES, Workshop

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


@dataclass(frozen=True)
class Scope:
    """What a report counts: the initiatives (None = all), the region, and the period as instants."""

    initiative_ids: tuple[int, ...] | None
    region: str | None
    starts_from: datetime | None  # inclusive
    starts_before: datetime | None  # exclusive
    now: datetime
    # the funder whose initiatives `initiative_ids` are (a funder's report with no initiative chosen)
    funder_id: int | None = None

    def conditions(self, attended: bool = False) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if attended:
            conds.append(ImpactFact.attended == 1)
        # delivered: started (cancelled workshops have no facts)
        conds.append(ImpactFact.starts_ts <= int(self.now.timestamp()))
        if self.starts_from is not None:
            conds.append(ImpactFact.starts_ts >= int(self.starts_from.timestamp()))
        if self.starts_before is not None:
            conds.append(ImpactFact.starts_ts < int(self.starts_before.timestamp()))
        if self.initiative_ids is not None:
            conds.append(ImpactFact.initiative_id.in_(self.initiative_ids))
        if self.region is not None:
            conds.append(ImpactFact.region_code == self.region)
        return conds

    def starts_from_ts(self) -> int:
        """The start of the period as Unix seconds (with no start: before every `prev_ts`)."""
        return int(self.starts_from.timestamp()) if self.starts_from is not None else NO_PREVIOUS + 1

    def month_conditions(self) -> list[ColumnElement[bool]]:
        """The same period as local months ("YYYY-MM" sorts in time): an index range for the month counts."""
        conds = [ImpactFact.local_month <= _local_month(self.now)]
        if self.starts_from is not None:
            conds.append(ImpactFact.local_month >= _local_month(self.starts_from))
        if self.starts_before is not None:
            conds.append(ImpactFact.local_month <= _local_month(self.starts_before - timedelta(seconds=1)))
        return conds


def _local_month(instant: datetime) -> str:
    return instant.astimezone(local_tz()).strftime("%Y-%m")


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


def check_may_report(user: Any) -> None:
    if not sees_reports(user):
        raise Forbidden(_l("Impact reports are for coordinators and funders."))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), local_tz())


def build_scope(user: Any, *, initiative_id: int | None = None, region: str | None = None,
                date_from: date | None = None, date_to: date | None = None) -> Scope:
    """Check the filters against what the user may see; 404 for an initiative that is not theirs."""
    check_may_report(user)
    if date_from is not None and date_to is not None and date_from > date_to:
        message = _l("The end of the period is before its start.")
        raise OutreachError(message, fields={"to": [message]})
    if region is not None and db.session.get(Region, region) is None:
        message = _l("There is no such region.")
        raise OutreachError(message, fields={"region": [message]})
    if is_funder(user):
        funded = tuple(db.session.scalars(visible_initiatives(user).with_only_columns(Initiative.id)
                                          .order_by(Initiative.id)))
        if initiative_id is not None and initiative_id not in funded:
            raise NotFound(_l("The initiative was not found."))
        ids: tuple[int, ...] | None = (initiative_id,) if initiative_id is not None else funded
        funder_id = user.funder_id if initiative_id is None else None
    else:
        if initiative_id is not None and db.session.get(Initiative, initiative_id) is None:
            raise NotFound(_l("The initiative was not found."))
        ids = (initiative_id,) if initiative_id is not None else None
        funder_id = None
    return Scope(
        initiative_ids=ids, region=region,
        starts_from=_local_midnight(date_from) if date_from else None,
        starts_before=_local_midnight(date_to + timedelta(days=1)) if date_to else None,
        now=utcnow(), funder_id=funder_id,
    )


def _kept_scope(scope: Scope) -> int | None:
    """The scope of the kept counts (`ImpactReach`) that answers this scope, or None: count the facts.

    Kept counts have no period and count every attended sign-up: they answer a scope without a period,
    for everyone's initiatives or for a funder's whose counts were made for exactly these initiatives,
    as long as no recorded attendance belongs to a workshop that has not started (one moved to a later
    date after it took place: not delivered, so not counted)."""
    if scope.starts_from is not None or scope.starts_before is not None:
        return None
    if scope.initiative_ids is None:
        wanted, signature = EVERYONE, None
    elif scope.funder_id is not None:
        wanted, signature = scope.funder_id, counts.scope_signature(scope.initiative_ids)
    else:
        return None
    stored, undelivered = db.session.execute(select(
        select(ImpactScope.initiative_ids).where(ImpactScope.scope == wanted).scalar_subquery(),
        exists().where(ImpactWorkshop.starts_ts > int(scope.now.timestamp()), ImpactWorkshop.recorded > 0))).one()
    if undelivered or (wanted != EVERYONE and stored != signature):
        return None
    return wanted


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
    whens = [(per_student.c.minutes >= low * 60, literal(key)) for key, low in reversed(HOURS_BANDS[1:])]
    band = case(*whens, else_=literal(HOURS_BANDS[0][0])).label("band")
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
    kept = _kept_scope(scope)
    counts = _kept_counts(kept, scope.region) if kept is not None else _breakdown_counts(scope)
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


# -- the per-school table (coordinators and administrators only) ---------------------------------

def school_table(user: Any, *, initiative_id: int | None = None, region: str | None = None,
                 date_from: date | None = None, date_to: date | None = None, page: int = 1,
                 per_page: int | None = 25) -> Page:
    """Schools by students reached (most first), a page at a time; per_page None gives every school."""
    if not sees_exact_figures(user):
        raise Forbidden(_l("The per-school table is for coordinators."))
    scope = build_scope(user, initiative_id=initiative_id, region=region, date_from=date_from, date_to=date_to)
    return school_rows(scope, page=page, per_page=per_page)


def school_rows(scope: Scope, *, page: int = 1, per_page: int | None = 25) -> Page:
    """A page of the per-school table, counted once per data version (like the report's figures)."""
    key = ("schools", scope.initiative_ids, scope.region, scope.starts_from, scope.starts_before, page, per_page)
    return cached_figures(key, scope.now, lambda: _school_rows(scope, page=page, per_page=per_page))


def _school_rows(scope: Scope, *, page: int = 1, per_page: int | None = 25) -> Page:
    if scope.initiative_ids is None and _kept_scope(scope) == EVERYONE:
        return _kept_school_rows(scope, page=page, per_page=per_page)
    if scope.initiative_ids is None:
        # every initiative: a student is reached by their first attended sign-up of the period (the chains), so
        # one pass per school over the period's range of the time index
        first = case((and_(ImpactFact.attended == 1, ImpactFact.prev_ts < scope.starts_from_ts()), 1), else_=0)
        grouped = (select(ImpactFact.school_id.label("school_id"), func.sum(first).label("students_reached"),
                          func.count().label("signups"), func.sum(ImpactFact.attended).label("attended"),
                          func.sum(ImpactFact.recorded).label("recorded"),
                          func.sum(ImpactFact.attended * ImpactFact.minutes).label("minutes"))
                   .where(*scope.conditions()).group_by(ImpactFact.school_id).subquery())
    else:
        # per student first (streams the school index in order), then per school
        per_student = (select(ImpactFact.school_id.label("school_id"), func.max(ImpactFact.attended).label("reached"),
                              func.count().label("signups"), func.sum(ImpactFact.attended).label("attended"),
                              func.sum(ImpactFact.recorded).label("recorded"),
                              func.sum(ImpactFact.attended * ImpactFact.minutes).label("minutes"))
                       .where(*scope.conditions()).group_by(ImpactFact.school_id, ImpactFact.student_id).subquery())
        grouped = (select(per_student.c.school_id, func.sum(per_student.c.reached).label("students_reached"),
                          func.sum(per_student.c.signups).label("signups"),
                          func.sum(per_student.c.attended).label("attended"),
                          func.sum(per_student.c.recorded).label("recorded"),
                          func.sum(per_student.c.minutes).label("minutes"))
                   .group_by(per_student.c.school_id).subquery())
    # the number of schools comes with the page (a window over the grouped rows, which are all computed to
    # be sorted anyway) instead of from a second pass over the facts
    query = (select(School.id, School.name, School.region_code, School.settlement_type, grouped.c.students_reached,
                    grouped.c.signups, grouped.c.attended, grouped.c.recorded, grouped.c.minutes,
                    func.count().over().label("total"))
             .join(grouped, grouped.c.school_id == School.id)
             .order_by(grouped.c.students_reached.desc(), grouped.c.signups.desc(), stored_order(School), School.id))
    if per_page is not None:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    rows = db.session.execute(query).all()
    if rows:
        total = int(rows[0][-1])
    else:  # past the last page (or nothing at all): count on their own
        total = int(db.session.scalar(select(func.count()).select_from(
            select(ImpactFact.school_id).where(*scope.conditions()).group_by(ImpactFact.school_id).subquery())) or 0)
    # PostgreSQL sums integers into numerics: counts are handed on as ints
    items = [SchoolRow(ident, name, region, settlement, *(int(v or 0) for v in numbers))
             for ident, name, region, settlement, *numbers, _total in rows]
    return Page(items=items, page=max(page, 1), per_page=per_page or max(total, 1), total=total)


def _kept_school_rows(scope: Scope, *, page: int, per_page: int | None) -> Page:
    """The per-school table from the per-school sums, less the sign-ups of workshops that have not started."""
    later = (select(ImpactFact.school_id, func.count().label("n"))
             .where(ImpactFact.starts_ts > int(scope.now.timestamp())).group_by(ImpactFact.school_id).subquery())
    signups = ImpactSchool.signups - func.coalesce(later.c.n, 0)
    where = [signups > 0]
    if scope.region is not None:
        where.append(ImpactSchool.region_code == scope.region)
    query = (select(School.id, School.name, School.region_code, School.settlement_type, ImpactSchool.students_reached,
                    signups.label("signups"), ImpactSchool.attended, ImpactSchool.recorded, ImpactSchool.minutes,
                    func.count().over().label("total"))
             .join(ImpactSchool, ImpactSchool.school_id == School.id)
             .outerjoin(later, later.c.school_id == ImpactSchool.school_id).where(*where)
             .order_by(ImpactSchool.students_reached.desc(), signups.desc(), stored_order(School), School.id))
    if per_page is not None:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    rows = db.session.execute(query).all()
    if rows:
        total = int(rows[0][-1])
    else:
        total = int(db.session.scalar(select(func.count()).select_from(ImpactSchool)
                                      .outerjoin(later, later.c.school_id == ImpactSchool.school_id).where(*where))
                    or 0)
    items = [SchoolRow(ident, name, region, settlement, *(int(v or 0) for v in numbers))
             for ident, name, region, settlement, *numbers, _total in rows]
    return Page(items=items, page=max(page, 1), per_page=per_page or max(total, 1), total=total)


@dataclass
class SchoolRow:
    school_id: int
    name: str
    region_code: str
    settlement_type: str
    students_reached: int
    signups: int
    attended: int
    recorded: int
    minutes: int

    @property
    def student_hours(self) -> float:
        return round((self.minutes or 0) / 60, 2)

    @property
    def attendance_rate(self) -> float | None:
        return round(self.attended / self.recorded, 4) if self.recorded else None


# -- every sign-up, anonymous (coordinators and administrators only) -----------------------------

@dataclass
class SignupRow:
    workshop_id: int
    workshop_title: dict
    starts_at: datetime
    region_code: str
    settlement_type: str
    grade_band: str
    gender: str
    status: str
    attended: bool | None  # None: not confirmed, or attendance not recorded


def signup_rows(user: Any, batch_size: int = 5000) -> Iterator[SignupRow]:
    """Every sign-up ever made, without a name, streamed from server-side cursors in flat memory."""
    if not sees_exact_figures(user):
        raise Forbidden(_l("The list of all sign-ups is for coordinators."))
    return _stream_signups(batch_size)


def _stream_signups(batch_size: int) -> Iterator[SignupRow]:
    # two streams in workshop order, merged here: the workshop's title and times are read once per
    # workshop instead of once per sign-up (Core rows: no ORM bookkeeping per row)
    connection = db.session.connection()
    signups = connection.execute(
        select(Signup.workshop_id, School.region_code, School.settlement_type, Student.grade, Student.gender,
               Signup.status, Attendance.present)
        .join(Student, Student.id == Signup.student_id)
        .join(School, School.id == Student.school_id)
        .outerjoin(Attendance, Attendance.signup_id == Signup.id)
        .order_by(Signup.workshop_id, Signup.status, Signup.id)  # the (workshop_id, status) index's order
        .execution_options(yield_per=batch_size))
    workshops = iter(connection.execute(
        select(Workshop.id, Workshop.title, Workshop.starts_at, Workshop.attendance_recorded_at)
        .order_by(Workshop.id).execution_options(yield_per=batch_size)))
    workshop = next(workshops, None)
    bands = {grade: grade_band(grade) for grade in range(12)}
    for workshop_id, region_code, settlement_type, grade, gender, status, present in signups:
        while workshop is not None and workshop[0] < workshop_id:
            workshop = next(workshops, None)
        if workshop is None or workshop[0] != workshop_id:  # cannot happen: a sign-up's workshop exists
            continue
        attended = bool(present) if status == "confirmed" and workshop[3] is not None else None
        yield SignupRow(workshop_id, workshop[1], workshop[2], region_code, settlement_type, bands[grade], gender,
                        status, attended)
