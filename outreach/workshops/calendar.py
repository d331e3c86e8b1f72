"""Month and week grids for the calendar (weeks start on Monday), with Babel's names in the viewer's language."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable

from babel.dates import format_date, get_day_names

from outreach.workshops.rules import local_date


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    workshops: list[Any] = field(default_factory=list)


def week_start(day: date) -> date:
    """The Monday of the week of `day`."""
    return day - timedelta(days=day.weekday())


def month_weeks(year: int, month: int) -> list[list[date]]:
    """The weeks (Monday to Sunday) that show the month, the days of the neighbouring months included."""
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    start, weeks = week_start(first), []
    while start <= last:
        weeks.append([start + timedelta(days=i) for i in range(7)])
        start += timedelta(days=7)
    return weeks


def week_days(day: date) -> list[date]:
    start = week_start(day)
    return [start + timedelta(days=i) for i in range(7)]


def shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def weekday_names(locale: str, width: str = "abbreviated") -> list[str]:
    """Monday first, in the viewer's language."""
    names = get_day_names(width, locale=locale)
    return [names[i] for i in range(7)]


def capitalized(text: str) -> str:
    # Russian stand-alone month names are lower case ("март 2027"); a heading starts with a capital
    return text[:1].upper() + text[1:]


def month_title(day: date, locale: str) -> str:
    # Kazakh writes the month in lower case even as a heading: «қыркүйек 2026» (the glossary's convention)
    title = format_date(day, "LLLL y", locale=locale)
    return title if str(locale).startswith("kk") else capitalized(title)


def week_title(first: date, locale: str) -> str:
    last = first + timedelta(days=6)
    # whole month names: Kazakh texts do not abbreviate them («7 желтоқсан – 13 желтоқсан 2026»)
    return f"{format_date(first, 'd MMMM', locale=locale)} – {format_date(last, 'd MMMM y', locale=locale)}"


def grid(days: Iterable[date], workshops: Iterable[Any], *, month: int | None, today: date) -> list[Day]:
    """The days with their workshops (by local start date), in order."""
    cells = [Day(d, month is None or d.month == month, d == today) for d in days]
    by_day = {cell.day: cell for cell in cells}
    for workshop in workshops:
        cell = by_day.get(local_date(workshop.starts_at))
        if cell is not None:
            cell.workshops.append(workshop)
    return cells
