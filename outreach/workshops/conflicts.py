"""Clashes on the records, decided under a lock per artist and venue (STYLE.md rule 13).

A planned workshop clashes with a live one when the same artist or the same venue is booked at an overlapping
time; when the same artist gives the other one at another venue with less than the travel time between them
(`TRAVEL_MINUTES`, default 90, between localities; `TRAVEL_MINUTES_LOCAL`, default 30, between two venues of one
locality); or when the artist is unavailable (leave, a tour) then.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from flask import current_app
from flask_babel import format_time
from sqlalchemy import and_, or_, select

from outreach import locks
from outreach.artists.models import Unavailability
from outreach.dates import fmt_date, fmt_datetime
from outreach.errors import Conflict
from outreach.extensions import db
from outreach.i18n import _
from outreach.venues.models import Venue
from outreach.workshops.models import Workshop
from outreach.workshops.rules import describe, local, local_date

ARTIST, VENUE, TRAVEL, UNAVAILABLE = "artist", "venue", "travel", "unavailable"


@dataclass
class Slot:
    """A planned occupation of an artist and a venue."""

    starts_at: datetime
    ends_at: datetime
    artist_id: int
    venue_id: int
    workshop_id: int | None = None  # the workshop being moved (it does not clash with itself)


@dataclass
class Clash:
    slot: Slot
    kind: str  # artist | venue | travel | unavailable
    other: Workshop | None = None
    period: Unavailability | None = None
    travel: timedelta | None = None  # the travel time needed (kind "travel")

    @property
    def free_from(self) -> datetime:
        """The earliest start after which this clash would be gone."""
        if self.period is not None:
            return self.period.ends_at
        return self.other.ends_at + (self.travel or timedelta(0))


def travel_times() -> tuple[timedelta, timedelta]:
    """(between localities, between two venues of one locality)."""
    config = current_app.config
    return (timedelta(minutes=int(config.get("TRAVEL_MINUTES", 90))),
            timedelta(minutes=int(config.get("TRAVEL_MINUTES_LOCAL", 30))))


def travel_between(first: Venue | None, second: Venue | None) -> timedelta:
    """The time an artist needs from one venue to the other: none at the same venue; the local time within one
    locality or when a venue's locality is not known yet (venues made from the old free text)."""
    far, near = travel_times()
    if first is None or second is None or first.id == second.id:
        return timedelta(0)
    a, b = first.place_key(), second.place_key()
    if a is None or b is None or a == b:
        return near
    return far


def find_conflicts(slots: Sequence[Slot], *, ignore_ids: Iterable[int] = ()) -> list[Clash]:
    """The first clash of every planned slot that has one, in the order of the slots."""
    if not slots:
        return []
    ignore = {i for i in ignore_ids if i is not None} | {s.workshop_id for s in slots if s.workshop_id}
    far, near = travel_times()
    reach = max(far, near)
    found: list[Workshop] = []
    periods: list[Unavailability] = []
    # chunks keep the statement a reasonable size for a 200-session series
    for start in range(0, len(slots), 50):
        chunk = slots[start:start + 50]
        query = select(Workshop).where(Workshop.status != "cancelled", or_(*(or_(
            and_(Workshop.artist_id == s.artist_id, Workshop.starts_at < s.ends_at + reach,
                 Workshop.ends_at > s.starts_at - reach),
            and_(Workshop.venue_id == s.venue_id, Workshop.starts_at < s.ends_at, Workshop.ends_at > s.starts_at))
            for s in chunk)))
        if ignore:
            query = query.where(Workshop.id.not_in(ignore))
        found.extend(db.session.scalars(query.order_by(Workshop.starts_at, Workshop.id)))
        periods.extend(db.session.scalars(select(Unavailability).where(or_(*(and_(
            Unavailability.artist_id == s.artist_id, Unavailability.starts_at < s.ends_at,
            Unavailability.ends_at > s.starts_at) for s in chunk))).order_by(Unavailability.starts_at)))
    venue_ids = {s.venue_id for s in slots} | {w.venue_id for w in found}
    venues = {v.id: v for v in db.session.scalars(select(Venue).where(Venue.id.in_(venue_ids)))} if found else {}
    clashes = []
    for slot in slots:
        clash = _first_clash(slot, found, periods, venues)
        if clash is not None:
            clashes.append(clash)
    return clashes


def _first_clash(slot: Slot, found: list[Workshop], periods: list[Unavailability], venues: dict) -> Clash | None:
    for period in periods:
        if period.artist_id == slot.artist_id and period.starts_at < slot.ends_at and period.ends_at > slot.starts_at:
            return Clash(slot, UNAVAILABLE, period=period)
    travel_clash = None
    for other in found:
        overlaps = other.starts_at < slot.ends_at and other.ends_at > slot.starts_at
        if overlaps and other.artist_id == slot.artist_id:
            return Clash(slot, ARTIST, other)
        if overlaps and other.venue_id == slot.venue_id:
            return Clash(slot, VENUE, other)
        if other.artist_id == slot.artist_id and travel_clash is None and other.venue_id != slot.venue_id:
            needed = travel_between(venues.get(slot.venue_id), venues.get(other.venue_id))
            gap = max(other.starts_at - slot.ends_at, slot.starts_at - other.ends_at)
            if gap < needed:
                travel_clash = Clash(slot, TRAVEL, other, travel=needed)
    return travel_clash


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=rest)
    if hours:
        return _("%(hours)s h", hours=hours)
    return _("%(minutes)s min", minutes=rest)


def _moment(moment: datetime) -> str:
    return fmt_datetime(local(moment))


def conflict_message(clash: Clash) -> str:
    other = clash.other
    if clash.kind == UNAVAILABLE:
        start, end = (_moment(clash.period.starts_at), _moment(clash.period.ends_at))
        text = _("The teaching artist is unavailable from %(start)s to %(end)s.", start=start, end=end)
        return f"{text} ({clash.period.reason})" if clash.period.reason else text
    if clash.kind == ARTIST:
        return _("The teaching artist %(name)s is already booked at this time: %(workshop)s.",
                 name=other.instructor, workshop=describe(other))
    if clash.kind == VENUE:
        return _("The venue %(name)s is already booked at this time: %(workshop)s.",
                 name=other.venue, workshop=describe(other))
    return _("The teaching artist %(name)s has another workshop at %(venue)s: %(workshop)s. Travel time: "
             "%(travel)s is needed between the two.", name=other.instructor, venue=other.venue,
             workshop=describe(other), travel=_duration(clash.travel))


def clash_fields(clash: Clash) -> dict[str, list[str]]:
    """The fields to correct, highlighted on the form (and named in the API error's "fields")."""
    if clash.kind == VENUE:
        return {"venue_id": [_("Booked at this time.")]}
    if clash.kind == UNAVAILABLE:
        return {"artist_id": [_("Unavailable at this time.")]}
    if clash.kind == TRAVEL:
        return {"artist_id": [_("Not enough travel time.")]}
    return {"artist_id": [_("Booked at this time.")]}


def lock_records(slots: Sequence[Slot]) -> None:
    """Hold the lock of every artist and venue of these slots until the transaction ends."""
    keys = {locks.lock_key("artist", str(s.artist_id)) for s in slots}
    keys |= {locks.lock_key("venue", str(s.venue_id)) for s in slots}
    locks.hold(keys)


def refuse_conflicts(slots: Sequence[Slot], *, ignore_ids: Iterable[int] = (), series: bool = False) -> None:
    """Raise Conflict (409) on a clash. The check runs holding the artists' and venues' locks, which the
    transaction keeps until it commits the insert or update that follows: of two requests booking the same
    artist at once, the second sees the first's workshop (a check-then-insert without the lock would not)."""
    lock_records(slots)
    clashes = find_conflicts(slots, ignore_ids=ignore_ids)
    if not clashes:
        return
    clash = clashes[0]
    # every clashing date with its reason: a new series' form lists them all and offers to skip them
    dated = [(local_date(c.slot.starts_at), conflict_message(c)) for c in clashes]
    message = conflict_message(clash)
    fields = clash_fields(clash)
    free = None if series else next_free_start(clash.slot, ignore_ids=ignore_ids)
    if free is not None:
        fields["starts_at"] = [_("The next free time on that day: %(time)s.",
                                 time=format_time(local(free).time(), "short"))]
    else:
        fields["starts_at"] = [_("This time clashes with another workshop.")]
    if series:
        message = _("The session on %(date)s cannot be scheduled. %(reason)s",
                    date=fmt_date(local_date(clash.slot.starts_at)), reason=message)
        if len(dated) > 1:
            message = " ".join((message, _("Other clashing dates: %(dates)s.", dates=", ".join(
                fmt_date(day) for day, _reason in dated[1:]))))
    code = "artist_unavailable" if clash.kind == UNAVAILABLE else "schedule_conflict"
    error = Conflict(message, code=code, fields=fields)
    error.clashes = dated
    raise error


def next_free_start(slot: Slot, *, ignore_ids: Iterable[int] = (), tries: int = 24) -> datetime | None:
    """The earliest start on the same (local) day, at or after the wanted one, when the artist and the venue are
    free for the whole duration (travel time included); None when the day has no such time."""
    duration = slot.ends_at - slot.starts_at
    day = local_date(slot.starts_at)
    start = slot.starts_at
    for _try in range(tries):
        candidate = Slot(start, start + duration, slot.artist_id, slot.venue_id, slot.workshop_id)
        clashes = find_conflicts([candidate], ignore_ids=ignore_ids)
        if not clashes:
            return start if local_date(start + duration) == day else None
        start = max(start, clashes[0].free_from)
        if local_date(start) != day:
            return None
    return None
