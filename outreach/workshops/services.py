"""Scheduling workshops: single ones and recurring series, conflicts, capacity, cancellation, who sees what.

Every rule about a workshop lives here so that the HTML views and the JSON API share it. Functions take the
acting user as `actor=`, raise `OutreachError` (422), `NotFound` (404) or `Conflict` (409) with translated
messages, and only flush: the request commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Mapping, Sequence

from flask_babel import format_date, format_time
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from outreach.access import FUNDER, SCHOOL, STAFF, can_see_initiative
from outreach.audit.services import record as audit
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import Conflict, FieldErrors, NotFound, OutreachError
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _, _l, ngettext
from outreach.initiatives.models import Initiative, initiative_funder
from outreach.reports import rollups
from outreach.workshops.models import DELIVERY_LANGUAGES, Workshop, WorkshopSeries

MAX_SESSIONS = 200
MAX_INTERVAL_WEEKS = 52
MAX_CAPACITY = 10_000
MAX_DURATION = 1440
NAME_MAX = 200
TITLE_MAX = 300
MIN_GRADE, MAX_GRADE = 0, 11
#: The fields of a workshop in the data dicts (the API's names).
FIELDS = ("initiative_id", "title", "starts_at", "duration_minutes", "capacity", "venue", "instructor",
          "language", "min_grade", "max_grade")


# ---------------------------------------------------------------------------------------------------------------
# Small helpers

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def normalize_name(value: str | None) -> str:
    """How instructor and venue names are compared: trimmed, inner spaces collapsed, case folded."""
    return " ".join((value or "").split()).casefold()


def local(moment: datetime) -> datetime:
    """The instant in the programme's time zone."""
    return moment.astimezone(local_tz())


def local_date(moment: datetime) -> date:
    return local(moment).date()


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC-aware bounds [start of `first`, start of the day after `last`) of local calendar days."""
    tz = local_tz()
    start = datetime.combine(first, time(0), tz) if first else None
    end = datetime.combine(last + timedelta(days=1), time(0), tz) if last else None
    return start, end


def describe(workshop: Workshop) -> str:
    """“Title” on <date> at <time>, in the viewer's language and the programme's time zone."""
    when = local(workshop.starts_at)
    return _("“%(title)s” on %(date)s at %(time)s", title=workshop.display_title.text,
             date=format_date(when.date(), "medium"), time=format_time(when.time(), "short"))


# ---------------------------------------------------------------------------------------------------------------
# Recurrence

@dataclass(frozen=True)
class RecurrenceRule:
    """Every `interval_weeks` weeks on the ISO `weekdays` (1 = Monday), until a date and/or for `count` sessions."""

    weekdays: tuple[int, ...] = ()
    interval_weeks: int = 1
    until: date | None = None
    count: int | None = None

    @classmethod
    def coerce(cls, rule: "RecurrenceRule | Mapping[str, Any]") -> "RecurrenceRule":
        if isinstance(rule, RecurrenceRule):
            return rule
        if not isinstance(rule, Mapping):
            raise OutreachError(_l("The repetition rule is not valid."), fields={"rule": [_l("Enter a rule.")]})
        weekdays = rule.get("weekdays") or ()
        if isinstance(weekdays, (str, int)):
            weekdays = [weekdays]
        return cls(weekdays=tuple(weekdays), interval_weeks=rule.get("interval_weeks", 1),
                   until=rule.get("until"), count=rule.get("count"))

    @property
    def weekdays_text(self) -> str:
        return ",".join(str(d) for d in sorted(set(self.weekdays)))


def _check_rule(first: date, rule: RecurrenceRule) -> None:
    errors = FieldErrors()
    if not all(_is_int(d) and 1 <= d <= 7 for d in rule.weekdays):
        errors.add("weekdays", _l("Choose days of the week."))
    if not _is_int(rule.interval_weeks) or not 1 <= rule.interval_weeks <= MAX_INTERVAL_WEEKS:
        errors.add("interval_weeks", _l("Enter a number from %(low)s to %(high)s.", low=1, high=MAX_INTERVAL_WEEKS))
    if rule.until is None and rule.count is None:
        errors.add("until", _l("Give an end date or a number of sessions."))
    if rule.until is not None:
        if not isinstance(rule.until, date) or isinstance(rule.until, datetime):
            errors.add("until", _l("Enter a date."))
        elif rule.until < first:
            errors.add("until", _l("The end date cannot be before the first session."))
    if rule.count is not None and (not _is_int(rule.count) or not 1 <= rule.count <= MAX_SESSIONS):
        errors.add("count", _l("Enter a number from %(low)s to %(high)s.", low=1, high=MAX_SESSIONS))
    errors.raise_if_any()


def recurrence_dates(first: date, rule: "RecurrenceRule | Mapping[str, Any]") -> list[date]:
    """The dates of a series' sessions: on the rule's weekdays, from `first` on, in every N-th week
    (weeks start on Monday; the week of `first` counts as the first), up to `until` and/or `count` sessions.
    No weekdays means the weekday of `first`. More than 200 sessions is refused."""
    rule = RecurrenceRule.coerce(rule)
    _check_rule(first, rule)
    weekdays = sorted(set(rule.weekdays)) or [first.isoweekday()]
    monday = first - timedelta(days=first.weekday())
    dates: list[date] = []
    week = 0
    while True:
        week_start = monday + timedelta(weeks=week * rule.interval_weeks)
        for weekday in weekdays:
            day = week_start + timedelta(days=weekday - 1)
            if day < first:
                continue
            if rule.until is not None and day > rule.until:
                return _non_empty(dates)
            dates.append(day)
            if rule.count is not None and len(dates) == rule.count:
                return dates
            if len(dates) > MAX_SESSIONS:
                raise OutreachError(
                    _l("A series can have at most %(n)s sessions; choose an earlier end date.", n=MAX_SESSIONS),
                    code="too_many_sessions", fields={"until": [_l("Too many sessions.")]})
        week += 1


def _non_empty(dates: list[date]) -> list[date]:
    if not dates:
        message = _l("No session falls between the first date and the end date on the chosen days.")
        raise OutreachError(message, fields={"until": [message]})
    return dates


# ---------------------------------------------------------------------------------------------------------------
# Validation

def _clean_title(value: Any, errors: FieldErrors) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        errors.add("title", _l("Enter the title as an object with kk, ru and en."))
        return None
    cleaned: dict[str, str] = {}
    for code, text in value.items():
        if code not in LANGUAGES:
            errors.add(f"title.{code}", _l("Only kk, ru and en are accepted."))
        elif text is None:
            continue
        elif not isinstance(text, str):
            errors.add(f"title.{code}", _l("Enter text."))
        elif len(text.strip()) > TITLE_MAX:
            errors.add(f"title.{code}", _l("At most %(n)s characters.", n=TITLE_MAX))
        elif text.strip():
            cleaned[code] = text.strip()
    if not cleaned and not any(k.startswith("title") for k in errors.fields):
        errors.add("title", _l("Enter a title in at least one language."))
    return cleaned


def _clean_int(data: Mapping[str, Any], name: str, low: int, high: int, errors: FieldErrors) -> int | None:
    value = data.get(name)
    if value is None:
        errors.add(name, _l("This field is required."))
    elif not _is_int(value) or not low <= value <= high:
        errors.add(name, _l("Enter a number from %(low)s to %(high)s.", low=low, high=high))
    else:
        return value
    return None


def _clean_name(data: Mapping[str, Any], name: str, errors: FieldErrors) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(name, _l("This field is required."))
    elif not isinstance(value, str):
        errors.add(name, _l("Enter text."))
    elif len(value.strip()) > NAME_MAX:
        errors.add(name, _l("At most %(n)s characters.", n=NAME_MAX))
    else:
        return " ".join(value.split())
    return None


def _validated(data: Mapping[str, Any], current: Workshop | None) -> dict[str, Any]:
    """Check the given fields (all of them for a new workshop) and return their clean values."""
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    creating = current is None
    if creating or "initiative_id" in data:
        ident = data.get("initiative_id")
        initiative = db.session.get(Initiative, ident) if _is_int(ident) else None
        if ident is None:
            errors.add("initiative_id", _l("This field is required."))
        elif initiative is None:
            errors.add("initiative_id", _l("The initiative was not found."))
        elif initiative.status == "archived" and (creating or ident != current.initiative_id):
            errors.add("initiative_id", _l("This initiative is archived; it takes no new workshops."))
        else:
            clean["initiative"] = initiative
    if creating or "title" in data:
        title = _clean_title(data.get("title"), errors)
        if title:
            clean["title"] = title
    if creating or "starts_at" in data:
        starts_at = data.get("starts_at")
        if starts_at is None:
            errors.add("starts_at", _l("This field is required."))
        elif not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
            errors.add("starts_at", _l("Enter a date and time with its time zone."))
        else:
            clean["starts_at"] = starts_at
    for name, low, high in (("duration_minutes", 1, MAX_DURATION), ("capacity", 1, MAX_CAPACITY),
                            ("min_grade", MIN_GRADE, MAX_GRADE), ("max_grade", MIN_GRADE, MAX_GRADE)):
        if creating or name in data:
            value = _clean_int(data, name, low, high, errors)
            if value is not None:
                clean[name] = value
    for name in ("venue", "instructor"):
        if creating or name in data:
            value = _clean_name(data, name, errors)
            if value is not None:
                clean[name] = value
    if creating or "language" in data:
        language = data.get("language")
        if language is None or language == "":
            errors.add("language", _l("This field is required."))
        elif language not in DELIVERY_LANGUAGES:
            errors.add("language", _l("Choose kk, ru or en."))
        else:
            clean["language"] = language
    low = clean.get("min_grade", current.min_grade if current else None)
    high = clean.get("max_grade", current.max_grade if current else None)
    if low is not None and high is not None and low > high and ("min_grade" in clean or "max_grade" in clean):
        errors.add("max_grade", _l("The highest grade cannot be below the lowest grade."))
    errors.raise_if_any()
    return clean


def _check_within_initiative(initiative: Initiative, starts: Sequence[datetime], *, later_field: str = "starts_at"
                             ) -> None:
    """Every start date must fall within the initiative's dates (both ends included, local time)."""
    for index, moment in enumerate(starts):
        day = local_date(moment)
        if not initiative.starts_on <= day <= initiative.ends_on:
            message = _("The workshop on %(date)s falls outside the initiative's dates (%(start)s – %(end)s).",
                        date=format_date(day, "medium"), start=format_date(initiative.starts_on, "medium"),
                        end=format_date(initiative.ends_on, "medium"))
            raise OutreachError(message, code="outside_initiative_dates",
                                fields={"starts_at" if index == 0 else later_field: [message]})


# ---------------------------------------------------------------------------------------------------------------
# Conflicts

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


def _refuse_conflicts(slots: Sequence[Slot], *, ignore_ids: Iterable[int] = (), series: bool = False) -> None:
    clash = find_conflict(slots, ignore_ids=ignore_ids)
    if clash is None:
        return
    slot, other, kind = clash
    message = conflict_message(kind, other)
    if series:
        message = _("The session on %(date)s cannot be scheduled. %(reason)s",
                    date=format_date(local_date(slot.starts_at), "medium"), reason=message)
    raise Conflict(message, code="schedule_conflict")


# ---------------------------------------------------------------------------------------------------------------
# Creating

def _new_workshop(clean: Mapping[str, Any], starts_at: datetime, series: WorkshopSeries | None) -> Workshop:
    workshop = Workshop(initiative_id=clean["initiative"].id, series_id=series.id if series else None,
                        title=dict(clean["title"]), capacity=clean["capacity"], venue=clean["venue"],
                        instructor=clean["instructor"], language=clean["language"], min_grade=clean["min_grade"],
                        max_grade=clean["max_grade"], seats_taken=0, waitlist_length=0, status="scheduled")
    workshop.initiative = clean["initiative"]
    workshop.set_time(starts_at, clean["duration_minutes"])
    return workshop


def create_workshop(data: Mapping[str, Any], *, actor: Any) -> Workshop:
    """Schedule one workshop: within its initiative's dates, with no instructor or venue double-booked."""
    clean = _validated(data, None)
    starts_at = clean["starts_at"]
    _check_within_initiative(clean["initiative"], [starts_at])
    ends_at = starts_at + timedelta(minutes=clean["duration_minutes"])
    _refuse_conflicts([Slot(starts_at, ends_at, clean["instructor"], clean["venue"])])
    workshop = _new_workshop(clean, starts_at, None)
    db.session.add(workshop)
    db.session.flush()
    audit(actor, "workshop.created", workshop, initiative_id=workshop.initiative_id)
    return workshop


def series_starts(first_start: datetime, rule: RecurrenceRule | Mapping[str, Any]) -> list[datetime]:
    """The start of every session: the rule's dates at the first session's local wall-clock time."""
    tz = local_tz()
    first_local = first_start.astimezone(tz)
    return [datetime.combine(day, first_local.time(), tz)
            for day in recurrence_dates(first_local.date(), rule)]


def create_series(data: Mapping[str, Any], rule: RecurrenceRule | Mapping[str, Any], *, actor: Any) -> list[Workshop]:
    """Schedule a recurring series. Every session is checked before any is saved: all or nothing."""
    clean = _validated(data, None)
    rule = RecurrenceRule.coerce(rule)
    starts = series_starts(clean["starts_at"], rule)
    _check_within_initiative(clean["initiative"], starts, later_field="until" if rule.until else "count")
    duration = timedelta(minutes=clean["duration_minutes"])
    _refuse_conflicts([Slot(s, s + duration, clean["instructor"], clean["venue"]) for s in starts], series=True)
    series = WorkshopSeries(initiative_id=clean["initiative"].id, interval_weeks=rule.interval_weeks,
                            weekdays=rule.weekdays_text or str(local(starts[0]).isoweekday()),
                            until=rule.until, count=rule.count)
    db.session.add(series)
    db.session.flush()
    workshops = [_new_workshop(clean, start, series) for start in starts]
    db.session.add_all(workshops)
    db.session.flush()
    audit(actor, "series.created", series, initiative_id=series.initiative_id, sessions=len(workshops),
          workshop_ids=[w.id for w in workshops])
    return workshops


# ---------------------------------------------------------------------------------------------------------------
# Changing and cancelling

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
        return Slot(self.starts_at, self.ends_at, self.values.get("instructor", self.workshop.instructor),
                    self.values.get("venue", self.workshop.venue), self.workshop.id)

    def changed_fields(self) -> list[str]:
        """The API names of the fields whose value really changes (for the audit trail)."""
        out = []
        for name, value in self.values.items():
            if name == "initiative":
                if value.id != self.workshop.initiative_id:
                    out.append("initiative_id")
            elif getattr(self.workshop, name) != value:
                out.append(name)
        return sorted(out)

    @property
    def timing_changed(self) -> bool:
        """Whether the time, instructor or venue changes (an unchanged workshop is not re-checked for clashes)."""
        w, v = self.workshop, self.values
        return (self.starts_at != w.starts_at or self.ends_at != w.ends_at
                or normalize_name(v.get("instructor", w.instructor)) != normalize_name(w.instructor)
                or normalize_name(v.get("venue", w.venue)) != normalize_name(w.venue))

    @property
    def moves(self) -> bool:
        if "starts_at" in self.values and self.values["starts_at"] != self.workshop.starts_at:
            return True
        return "venue" in self.values and normalize_name(self.values["venue"]) != normalize_name(self.workshop.venue)


def _apply_changes(changes: list[_Change], *, actor: Any, series: bool) -> None:
    """Check every change (dates, conflicts, capacity) before touching anything, then apply them all."""
    from outreach.signups.services import lock_workshop, promote_waitlist

    for change in changes:
        initiative = change.values.get("initiative", change.workshop.initiative)
        if initiative.id != change.workshop.initiative_id or change.starts_at != change.workshop.starts_at:
            _check_within_initiative(initiative, [change.starts_at])
    if any(c.timing_changed for c in changes):
        # all the sessions that change are checked together; none clashes with its own old time
        _refuse_conflicts([c.slot() for c in changes if c.timing_changed],
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
                "that.", locked.seats_taken, date=format_date(when.date(), "medium"))
            raise Conflict(message, code="capacity_below_confirmed", fields={"capacity": [message]})
        if capacity > locked.capacity:
            raised.append(locked.id)
    moved: list[Workshop] = []
    changed_fields = {c.workshop.id: c.changed_fields() for c in changes}
    for change in changes:
        workshop, values = change.workshop, change.values
        if change.moves and workshop.status == "scheduled":
            moved.append(workshop)
        if "initiative" in values:
            workshop.initiative = values["initiative"]
            workshop.initiative_id = values["initiative"].id
        for name in ("title", "capacity", "venue", "instructor", "language", "min_grade", "max_grade"):
            if name in values:
                setattr(workshop, name, values[name])
        if "starts_at" in values or "duration_minutes" in values:
            workshop.set_time(change.starts_at, values.get("duration_minutes", workshop.duration_minutes))
        workshop.updated_at = utcnow()
    db.session.flush()
    rollups.workshops_changed(c.workshop.id for c in changes)  # the impact report's facts
    for workshop_id in raised:
        promote_waitlist(workshop_id)
    from outreach.notifications.services import workshop_changed

    for workshop in moved:
        workshop_changed(workshop, "moved")
    for change in changes:
        if changed_fields[change.workshop.id]:
            audit(actor, "workshop.updated", change.workshop, fields=changed_fields[change.workshop.id])


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
    clean = _validated(data, workshop)
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
    clean = _validated(data, workshop)
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
    rollups.workshop_changed(workshop.id)  # the impact report's facts
    from outreach.notifications.services import workshop_changed

    workshop_changed(workshop, "cancelled")
    audit(actor, "workshop.cancelled", workshop)
    return workshop


def cancel_following(workshop: Workshop, *, actor: Any) -> list[Workshop]:
    """Cancel this session and every later scheduled session of its series."""
    if workshop.status != "scheduled":
        cancel_workshop(workshop, actor=actor)  # raises the right conflict
    sessions = following_sessions(workshop)
    for session in sessions:
        cancel_workshop(session, actor=actor)
    return sessions


# ---------------------------------------------------------------------------------------------------------------
# Reading

def workshops_query(user: Any, *, initiative_id: int | None = None, date_from: date | None = None,
                    date_to: date | None = None, status: str | None = None, region: str | None = None,
                    instructor: str | None = None, venue: str | None = None) -> Select:
    """A SELECT of the workshops this user may see, filtered, in time order.

    Dates are local calendar days, both included. `region`: workshops with live sign-ups from schools of that
    region. `instructor`/`venue`: the same name whatever its case. Funders see only the initiatives they fund;
    a school user sees every workshop that is not cancelled, and the cancelled ones its students were signed up to.
    """
    from outreach.schools.models import School
    from outreach.signups.models import Signup
    from outreach.students.models import Student

    query = select(Workshop)
    if user.role == FUNDER:
        query = query.where(Workshop.initiative_id.in_(
            select(initiative_funder.c.initiative_id).where(initiative_funder.c.funder_id == user.funder_id)))
    elif user.role == SCHOOL:
        mine = select(Signup.workshop_id).join(Student, Student.id == Signup.student_id).where(
            Student.school_id == user.school_id)
        query = query.where(or_(Workshop.status != "cancelled", Workshop.id.in_(mine)))
    elif user.role not in STAFF:
        query = query.where(False)
    if initiative_id is not None:
        query = query.where(Workshop.initiative_id == initiative_id)
    start, end = day_bounds(date_from, date_to)
    if start is not None:
        query = query.where(Workshop.starts_at >= start)
    if end is not None:
        query = query.where(Workshop.starts_at < end)
    if status:
        query = query.where(Workshop.status == status)
    if region:
        query = query.where(Workshop.id.in_(
            select(Signup.workshop_id).join(Student, Student.id == Signup.student_id)
            .join(School, School.id == Student.school_id)
            .where(School.region_code == region, Signup.status != "cancelled")))
    for column, wanted in ((Workshop.instructor, instructor), (Workshop.venue, venue)):
        if wanted:
            query = query.where(column.in_(_spellings(column, wanted)))
    return query.order_by(Workshop.starts_at, Workshop.id)


def _spellings(column: Any, wanted: str) -> list[str]:
    """Every stored spelling of a name that matches `wanted` case-insensitively (Cyrillic too, on SQLite)."""
    key = normalize_name(wanted)
    return [value for value in db.session.scalars(select(column).distinct()) if normalize_name(value) == key]


def distinct_names(column: Any) -> list[str]:
    """The instructor or venue names in use, one per spelling-insensitive name, sorted."""
    seen: dict[str, str] = {}
    for value in db.session.scalars(select(column).distinct().order_by(column)):
        seen.setdefault(normalize_name(value), value)
    return sorted(seen.values(), key=normalize_name)


def get_workshop(user: Any, workshop_id: int) -> Workshop:
    """The workshop if this user may see it (funders: only those of initiatives they fund), else NotFound."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not can_see_initiative(user, workshop.initiative):
        raise NotFound(_l("The workshop was not found."))
    if user.role == SCHOOL and workshop.status == "cancelled":
        if not db.session.scalar(workshops_query(user).where(Workshop.id == workshop_id).with_only_columns(
                Workshop.id)):
            raise NotFound(_l("The workshop was not found."))
    return workshop


@dataclass
class Roster:
    confirmed: list[Any]
    waitlisted: list[Any]
    cancelled_count: int
    attendance: dict[int, bool]  # student id → present, once recorded


def roster(workshop: Workshop, user: Any) -> Roster | None:
    """The sign-ups this user may see by name: staff all, a school its own students only, funders none."""
    from outreach.signups.models import Signup
    from outreach.students.models import Student

    if user.role not in STAFF and user.role != SCHOOL:
        return None
    query = select(Signup).join(Student, Student.id == Signup.student_id).where(
        Signup.workshop_id == workshop.id).options(joinedload(Signup.student).joinedload(Student.school))
    if user.role == SCHOOL:
        query = query.where(Student.school_id == user.school_id)
    signups = db.session.scalars(query).unique().all()
    confirmed = sorted((s for s in signups if s.status == "confirmed"),
                       key=lambda s: (normalize_name(s.student.last_name), normalize_name(s.student.first_name), s.id))
    waitlisted = sorted((s for s in signups if s.status == "waitlisted"), key=lambda s: s.waitlist_position)
    from outreach.attendance.services import recorded

    attendance = recorded(workshop.id) if workshop.attendance_recorded_at else {}
    return Roster(confirmed, waitlisted, sum(1 for s in signups if s.status == "cancelled"), attendance)


def school_marks(user: Any, workshop_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """For a school user: per workshop, how many of its students are confirmed and waitlisted."""
    from outreach.signups.models import Signup
    from outreach.students.models import Student

    ids = list(workshop_ids)
    if user.role != SCHOOL or not ids:
        return {}
    rows = db.session.execute(
        select(Signup.workshop_id, Signup.status, func.count()).join(Student, Student.id == Signup.student_id)
        .where(Student.school_id == user.school_id, Signup.workshop_id.in_(ids),
               Signup.status.in_(("confirmed", "waitlisted")))
        .group_by(Signup.workshop_id, Signup.status)).all()
    marks: dict[int, dict[str, int]] = {}
    for workshop_id, status, count in rows:
        marks.setdefault(workshop_id, {"confirmed": 0, "waitlisted": 0})[status] = count
    return marks


def feed_workshops(user: Any, *, initiative_id: int | None = None) -> list[Workshop]:
    """The workshops of a user's calendar feed: staff all (from a year ago on), a school those its students are
    confirmed for. Cancelled ones stay in, marked cancelled, so calendars drop them visibly."""
    from outreach.signups.models import Signup
    from outreach.students.models import Student

    since = utcnow() - timedelta(days=365)
    query = select(Workshop).where(Workshop.starts_at >= since)
    if user.role == SCHOOL:
        query = query.where(Workshop.id.in_(
            select(Signup.workshop_id).join(Student, Student.id == Signup.student_id)
            .where(Student.school_id == user.school_id, Signup.status == "confirmed")))
    elif user.role not in STAFF:
        return []
    if initiative_id is not None:
        query = query.where(Workshop.initiative_id == initiative_id)
    return list(db.session.scalars(query.order_by(Workshop.starts_at, Workshop.id)))


def feed_user(token: str) -> Any:
    """The active user whose calendar feed this is, or None (funders have no feed)."""
    from outreach.auth.models import User

    if not token:
        return None
    user = db.session.scalar(select(User).where(User.feed_token == token))
    if user is None or not user.active or user.role not in (*STAFF, SCHOOL):
        return None
    return user
