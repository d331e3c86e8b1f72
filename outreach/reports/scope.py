"""What an impact report counts (`Scope`): the filters checked against what the viewer may see, as instants in
the programme's time zone, and whether the kept counts (`ImpactReach`) can answer it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from outreach.access import is_funder, sees_reports, visible_initiatives
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import Forbidden, NotFound, OutreachError
from outreach.extensions import db
from outreach.i18n import _l
from outreach.initiatives.models import Initiative
from outreach.reports import counts
from outreach.reports.models import EVERYONE, NO_PREVIOUS, ImpactFact, ImpactScope, ImpactWorkshop
from outreach.schools.models import Region


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


def kept_scope(scope: Scope) -> int | None:
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
