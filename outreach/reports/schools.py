"""The impact report's per-school table (coordinators and administrators only), a page at a time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from outreach.access import sees_exact_figures
from outreach.cache import cached_figures
from outreach.collation import stored_order
from outreach.errors import Forbidden
from outreach.extensions import db
from outreach.i18n import _l
from outreach.reports.models import EVERYONE, ImpactFact, ImpactSchool
from outreach.reports.scope import Scope, build_scope, kept_scope
from outreach.schools.models import School
from outreach.web import Page


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
    if scope.initiative_ids is None and kept_scope(scope) == EVERYONE:
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
