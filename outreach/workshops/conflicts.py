"""Clashes: an instructor or a venue booked twice at the same time, decided under a lock per instructor and venue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from flask_babel import format_date, format_time
from sqlalchemy import and_, or_, select

from outreach import locks
from outreach.errors import Conflict
from outreach.extensions import db
from outreach.i18n import _
from outreach.workshops.models import Workshop
from outreach.workshops.rules import describe, local_date, normalize_name


@dataclass
class Slot:
    """A planned occupation of an instructor and a venue."""

    starts_at: datetime
    ends_at: datetime
    instructor: str
    venue: str
    workshop_id: int | None = None  # the workshop being moved (it does not clash with itself)


def find_conflict(slots: Sequence[Slot], *, ignore_ids: Iterable[int] = ()) -> tuple[Slot, Workshop, str] | None:
    """The first planned slot that clashes with a live workshop: (slot, clashing workshop, "instructor"|"venue").

    A workshop occupies [starts_at, ends_at): back-to-back is fine; cancelled workshops clash with nothing.
    Names are compared trimmed and case-insensitively in Python, because SQLite's lower() only folds ASCII and
    instructors and venues are mostly written in Cyrillic.
    """
    if not slots:
        return None
    ignore = {i for i in ignore_ids if i is not None} | {s.workshop_id for s in slots if s.workshop_id}
    found: list[Workshop] = []
    # chunks keep the statement a reasonable size for a 200-session series
    for start in range(0, len(slots), 50):
        chunk = slots[start:start + 50]
        query = select(Workshop).where(
            Workshop.status != "cancelled",
            or_(*(and_(Workshop.starts_at < s.ends_at, Workshop.ends_at > s.starts_at) for s in chunk)))
        if ignore:
            query = query.where(Workshop.id.not_in(ignore))
        found.extend(db.session.scalars(query.order_by(Workshop.starts_at, Workshop.id)))
    if not found:
        return None
    for slot in slots:
        instructor, venue = normalize_name(slot.instructor), normalize_name(slot.venue)
        for other in found:
            if not (other.starts_at < slot.ends_at and other.ends_at > slot.starts_at):
                continue
            if normalize_name(other.instructor) == instructor:
                return slot, other, "instructor"
            if normalize_name(other.venue) == venue:
                return slot, other, "venue"
    return None


def conflict_message(kind: str, other: Workshop) -> str:
    if kind == "instructor":
        return _("The instructor %(name)s is already booked at this time: %(workshop)s.",
                 name=other.instructor, workshop=describe(other))
    return _("The venue %(name)s is already booked at this time: %(workshop)s.",
             name=other.venue, workshop=describe(other))


def lock_names(slots: Sequence[Slot]) -> None:
    """Hold the lock of every (normalised) instructor and venue of these slots until the transaction ends."""
    keys = {locks.lock_key("instructor", normalize_name(s.instructor)) for s in slots}
    keys |= {locks.lock_key("venue", normalize_name(s.venue)) for s in slots}
    locks.hold(keys)


def refuse_conflicts(slots: Sequence[Slot], *, ignore_ids: Iterable[int] = (), series: bool = False) -> None:
    """Raise Conflict (409) on a clash. The check runs holding the instructors' and venues' locks, which the
    transaction keeps until it commits the insert or update that follows: of two requests booking the same
    instructor at once, the second sees the first's workshop (a check-then-insert without the lock would not)."""
    lock_names(slots)
    clash = find_conflict(slots, ignore_ids=ignore_ids)
    if clash is None:
        return
    slot, other, kind = clash
    message = conflict_message(kind, other)
    # the fields to correct, highlighted on the form (and named in the API error's "fields")
    fields: dict[str, list[str]] = {kind: [_("Booked at this time.")]}
    free = None if series else next_free_start(slot, ignore_ids=ignore_ids)
    if free is not None:
        fields["starts_at"] = [_("The next free time on that day: %(time)s.", time=format_time(free, "short"))]
    else:
        fields["starts_at"] = [_("This time clashes with another workshop.")]
    if series:
        message = _("The session on %(date)s cannot be scheduled. %(reason)s",
                    date=format_date(local_date(slot.starts_at), "medium"), reason=message)
    raise Conflict(message, code="schedule_conflict", fields=fields)


def next_free_start(slot: Slot, *, ignore_ids: Iterable[int] = (), tries: int = 24) -> datetime | None:
    """The earliest start on the same (local) day, at or after the wanted one, when both the instructor and the
    venue are free for the whole duration; None when the day has no such time."""
    duration = slot.ends_at - slot.starts_at
    day = local_date(slot.starts_at)
    start = slot.starts_at
    for _try in range(tries):
        candidate = Slot(start, start + duration, slot.instructor, slot.venue, slot.workshop_id)
        clash = find_conflict([candidate], ignore_ids=ignore_ids)
        if clash is None:
            return start if local_date(start + duration) == day else None
        start = max(start, clash[1].ends_at)
        if local_date(start) != day:
            return None
    return None

