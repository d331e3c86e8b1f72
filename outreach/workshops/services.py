"""Changing workshops: scheduling single ones and recurring series, changing and cancelling them.

Functions take the acting user as `actor=`, raise `OutreachError` (422), `NotFound` (404) or `Conflict` (409)
with translated messages, and only flush: the request commits. Field rules are in `rules.py`, series dates in
`recurrence.py`, clashes in `conflicts.py`, reading in `queries.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping

from sqlalchemy import select

from outreach.dates import fmt_date
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import Conflict, OutreachError
from outreach.events import announce, workshop_changed
from outreach.extensions import db
from outreach.i18n import _l, ngettext
from outreach.schools.models import School
from outreach.signups.services import lock_workshop, promote_waitlist, release_erased_students
from outreach.workshops.conflicts import Slot, refuse_conflicts
from outreach.workshops.models import Workshop, WorkshopSeries
from outreach.workshops.recurrence import RecurrenceRule, series_starts
from outreach.workshops.rules import check_within_initiative, local, local_date, validated


def _new_workshop(clean: Mapping[str, Any], starts_at: datetime, series: WorkshopSeries | None) -> Workshop:
    workshop = Workshop(initiative_id=clean["initiative"].id, series_id=series.id if series else None,
                        title=dict(clean["title"]), capacity=clean["capacity"], artist_id=clean["artist"].id,
                        instructor=clean["artist"].name, venue_id=clean["place"].id, venue=clean["place"].name,
                        language=clean["language"], min_grade=clean["min_grade"],
                        max_grade=clean["max_grade"], seats_taken=0, waitlist_length=0, status="scheduled")
    workshop.initiative, workshop.artist, workshop.place = clean["initiative"], clean["artist"], clean["place"]
    workshop.set_time(starts_at, clean["duration_minutes"])
    return workshop


def create_workshop(data: Mapping[str, Any], *, actor: Any) -> Workshop:
    """Schedule one workshop: within its initiative's dates, with no instructor or venue double-booked."""
    clean = validated(data, None)
    starts_at = clean["starts_at"]
    check_within_initiative(clean["initiative"], [starts_at])
    ends_at = starts_at + timedelta(minutes=clean["duration_minutes"])
    refuse_conflicts([Slot(starts_at, ends_at, clean["artist"].id, clean["place"].id)])
    workshop = _new_workshop(clean, starts_at, None)
    db.session.add(workshop)
    db.session.flush()
    announce(workshop_changed, workshop.id, actor=actor, action="workshop.created", subject=workshop,
             details={"initiative_id": workshop.initiative_id}, change="created", workshop=workshop)
    return workshop


def create_series(data: Mapping[str, Any], rule: RecurrenceRule | Mapping[str, Any], *, actor: Any,
                  skip_dates: Iterable[date] = (), school_id: int | None = None) -> list[Workshop]:
    """Schedule a recurring series. Every session is checked before any is saved: all or nothing — but the dates
    in `skip_dates` (exceptions, e.g. the ones that clashed) are left out and remembered on the series.

    A Conflict lists every clashing date in `error.clashes` [(local date, reason)], so the form can offer to skip
    them. `school_id`: the school the series is for (its students are offered it first)."""
    clean = validated(data, None)
    rule = RecurrenceRule.coerce(rule)
    starts = series_starts(clean["starts_at"], rule)
    skip = set(skip_dates)
    skipped = sorted({local_date(s) for s in starts} & skip)
    starts = [s for s in starts if local_date(s) not in skip]
    if not starts:
        message = _l("Every date of the series would be skipped: keep at least one.")
        raise OutreachError(message, fields={"skip_dates": [message]})
    if school_id is not None and db.session.get(School, school_id) is None:
        message = _l("The school was not found.")
        raise OutreachError(message, fields={"school_id": [message]})
    check_within_initiative(clean["initiative"], starts, later_field="until" if rule.until else "count")
    duration = timedelta(minutes=clean["duration_minutes"])
    refuse_conflicts([Slot(s, s + duration, clean["artist"].id, clean["place"].id) for s in starts], series=True)
    series = WorkshopSeries(initiative_id=clean["initiative"].id, interval_weeks=rule.interval_weeks,
                            weekdays=rule.weekdays_text or str(local(starts[0]).isoweekday()),
                            until=rule.until, count=rule.count, school_id=school_id,
                            skipped_dates=[d.isoformat() for d in skipped])
    db.session.add(series)
    db.session.flush()
    workshops = [_new_workshop(clean, start, series) for start in starts]
    db.session.add_all(workshops)
    db.session.flush()
    announce(workshop_changed, None, actor=actor, action="series.created", subject=series, change="created",
             details={"initiative_id": series.initiative_id, "sessions": len(workshops),
                      "workshop_ids": [w.id for w in workshops]})
    return workshops


def _refuse_if_cancelled(workshop: Workshop) -> None:
    if workshop.status == "cancelled":
        raise Conflict(_l("This workshop was cancelled; it can no longer be changed."), code="workshop_cancelled")


@dataclass
class _Change:
    workshop: Workshop
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def starts_at(self) -> datetime:
        return self.values.get("starts_at", self.workshop.starts_at)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.values.get("duration_minutes",
                                                                  self.workshop.duration_minutes))

    def slot(self) -> Slot:
        return Slot(self.starts_at, self.ends_at, self.artist_id, self.venue_id, self.workshop.id)

    @property
    def artist_id(self) -> int:
        return self.values["artist"].id if "artist" in self.values else self.workshop.artist_id

    @property
    def venue_id(self) -> int:
        return self.values["place"].id if "place" in self.values else self.workshop.venue_id

    def changed_fields(self) -> list[str]:
        """The API names of the fields whose value really changes (for the audit trail)."""
        out = []
        for name, value in self.values.items():
            if name in ("initiative", "artist", "place"):
                api_name = {"initiative": "initiative_id", "artist": "artist_id", "place": "venue_id"}[name]
                if value.id != getattr(self.workshop, api_name):
                    out.append(api_name)
            elif getattr(self.workshop, name) != value:
                out.append(name)
        return sorted(out)

    @property
    def timing_changed(self) -> bool:
        """Whether the time, artist or venue changes (an unchanged workshop is not re-checked for clashes)."""
        w = self.workshop
        return (self.starts_at != w.starts_at or self.ends_at != w.ends_at or self.artist_id != w.artist_id
                or self.venue_id != w.venue_id)

    @property
    def moves(self) -> bool:
        if "starts_at" in self.values and self.values["starts_at"] != self.workshop.starts_at:
            return True
        return self.venue_id != self.workshop.venue_id


def _apply_changes(changes: list[_Change], *, actor: Any, series: bool) -> None:
    """Check every change (dates, conflicts, capacity) before touching anything, then apply them all."""
    for change in changes:
        initiative = change.values.get("initiative", change.workshop.initiative)
        if initiative.id != change.workshop.initiative_id or change.starts_at != change.workshop.starts_at:
            check_within_initiative(initiative, [change.starts_at])
    if any(c.timing_changed for c in changes):
        # all the sessions that change are checked together; none clashes with its own old time
        refuse_conflicts([c.slot() for c in changes if c.timing_changed],
                          ignore_ids=[c.workshop.id for c in changes], series=series)
    raised: list[int] = []
    for change in changes:
        capacity = change.values.get("capacity")
        if capacity is None or capacity == change.workshop.capacity:
            continue
        # the row lock makes the confirmed count stable until the request commits
        locked = lock_workshop(change.workshop.id)
        if capacity < locked.seats_taken:
            when = local(locked.starts_at)
            message = ngettext(
                "%(num)s student is confirmed for the workshop on %(date)s; the capacity cannot be lower than that.",
                "%(num)s students are confirmed for the workshop on %(date)s; the capacity cannot be lower than "
                "that.", locked.seats_taken, date=fmt_date(when.date()))
            raise Conflict(message, code="capacity_below_confirmed", fields={"capacity": [message]})
        if capacity > locked.capacity:
            raised.append(locked.id)
    moved: list[Workshop] = []  # the schools signed up are told (not for a completed workshop: a correction)
    # every workshop that moves, completed ones too (recording attendance completes a workshop, and one can still be
    # moved to a later date): none may keep an erased child's seat once it lies ahead again
    relocated = [c.workshop for c in changes if c.moves]
    changed_fields = {c.workshop.id: c.changed_fields() for c in changes}
    for change in changes:
        workshop, values = change.workshop, change.values
        if change.moves and workshop.status == "scheduled":
            moved.append(workshop)
        if "initiative" in values:
            workshop.initiative = values["initiative"]
            workshop.initiative_id = values["initiative"].id
        for name in ("title", "capacity", "language", "min_grade", "max_grade"):
            if name in values:
                setattr(workshop, name, values[name])
        if "artist" in values:
            workshop.artist, workshop.instructor = values["artist"], values["artist"].name
        if "place" in values:
            workshop.place, workshop.venue = values["place"], values["place"].name
        if "starts_at" in values or "duration_minutes" in values:
            workshop.set_time(change.starts_at, values.get("duration_minutes", workshop.duration_minutes))
        workshop.updated_at = utcnow()
    db.session.flush()
    for workshop_id in raised:
        promote_waitlist(workshop_id)
    for workshop in relocated:
        release_erased_students(workshop.id, actor=actor)
    for change in changes:
        fields = changed_fields[change.workshop.id]
        announce(workshop_changed, change.workshop.id, actor=actor, action="workshop.updated" if fields else None,
                 subject=change.workshop, details={"fields": fields}, workshop=change.workshop,
                 change="moved" if change.workshop in moved else "updated")


def _split_status(data: Mapping[str, Any], workshop: Workshop) -> tuple[dict[str, Any], bool]:
    data = dict(data)
    if "status" not in data:
        return data, False
    status = data.pop("status")
    if status == "cancelled":
        return data, True
    if status == workshop.status:
        return data, False
    message = _l("The status can only be changed to cancelled.")
    raise OutreachError(message, fields={"status": [message]})


def update_workshop(workshop: Workshop, data: Mapping[str, Any], *, actor: Any) -> Workshop:
    """Change one workshop (any of the creation fields, or status "cancelled"), checked like a new one.

    Lowering the capacity below the confirmed sign-ups is refused; raising it promotes the waitlist in order.
    Moving it (time or venue) tells the schools signed up."""
    _refuse_if_cancelled(workshop)
    data, cancelling = _split_status(data, workshop)
    clean = validated(data, workshop)
    if workshop.series_id and "initiative" in clean and clean["initiative"].id != workshop.initiative_id:
        message = _l("A session of a series stays in the initiative of its series.")
        raise OutreachError(message, fields={"initiative_id": [message]})
    if clean:
        _apply_changes([_Change(workshop, clean)], actor=actor, series=False)
    if cancelling:
        cancel_workshop(workshop, actor=actor)
    return workshop


def following_sessions(workshop: Workshop) -> list[Workshop]:
    """This session and the later sessions of its series that are still scheduled."""
    if workshop.series_id is None:
        return [workshop]
    later = db.session.scalars(select(Workshop).where(
        Workshop.series_id == workshop.series_id, Workshop.starts_at > workshop.starts_at,
        Workshop.status == "scheduled").order_by(Workshop.starts_at, Workshop.id)).all()
    return [workshop, *later]


def update_following(workshop: Workshop, data: Mapping[str, Any], *, actor: Any) -> list[Workshop]:
    """Change this session and the later scheduled sessions of its series, all or nothing.

    A new start moves every session by the same number of days, to the new time of day."""
    _refuse_if_cancelled(workshop)
    data, cancelling = _split_status(data, workshop)
    if cancelling:
        return cancel_following(workshop, actor=actor)
    clean = validated(data, workshop)
    if "initiative" in clean and clean["initiative"].id != workshop.initiative_id:
        message = _l("A session of a series stays in the initiative of its series.")
        raise OutreachError(message, fields={"initiative_id": [message]})
    sessions = following_sessions(workshop)
    changes = []
    tz = local_tz()
    if "starts_at" in clean:
        new_local = clean["starts_at"].astimezone(tz)
        shift = new_local.date() - local_date(workshop.starts_at)
    for session in sessions:
        values = {k: v for k, v in clean.items() if k != "starts_at"}
        if "starts_at" in clean:
            values["starts_at"] = datetime.combine(local_date(session.starts_at) + shift, new_local.time(), tz)
        changes.append(_Change(session, values))
    if clean:
        _apply_changes(changes, actor=actor, series=len(sessions) > 1)
    return sessions


def cancel_workshop(workshop: Workshop, *, actor: Any) -> Workshop:
    """Cancel a workshop. Sign-ups are kept as history; the schools with sign-ups are told."""
    if workshop.status == "cancelled":
        raise Conflict(_l("This workshop is already cancelled."), code="already_cancelled")
    if workshop.status == "completed":
        raise Conflict(_l("Attendance has been recorded for this workshop; it can no longer be cancelled."),
                       code="workshop_completed")
    workshop.status = "cancelled"
    workshop.updated_at = utcnow()
    db.session.flush()
    announce(workshop_changed, workshop.id, actor=actor, action="workshop.cancelled", subject=workshop,
             change="cancelled", workshop=workshop)
    return workshop


def cancel_following(workshop: Workshop, *, actor: Any) -> list[Workshop]:
    """Cancel this session and every later scheduled session of its series."""
    if workshop.status != "scheduled":
        cancel_workshop(workshop, actor=actor)  # raises the right conflict
    sessions = following_sessions(workshop)
    for session in sessions:
        cancel_workshop(session, actor=actor)
    return sessions

