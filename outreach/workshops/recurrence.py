"""Recurring series: which dates a rule gives, and the start of every session."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from outreach.dbtypes import local_tz
from outreach.errors import FieldErrors, OutreachError
from outreach.i18n import _l
from outreach.workshops.rules import MAX_INTERVAL_WEEKS, MAX_SESSIONS, _is_int


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



def series_starts(first_start: datetime, rule: RecurrenceRule | Mapping[str, Any]) -> list[datetime]:
    """The start of every session: the rule's dates at the first session's local wall-clock time."""
    tz = local_tz()
    first_local = first_start.astimezone(tz)
    return [datetime.combine(day, first_local.time(), tz)
            for day in recurrence_dates(first_local.date(), rule)]
