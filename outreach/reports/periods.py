"""Periods a school person thinks in: the school year, its four terms (тоқсан / четверть), its two halves.

The terms' dates are a setting (`SCHOOL_TERMS`, first and last day of each term as MM-DD, in order from
September): the Ministry sets them each year, and a programme changes the setting when they change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outreach.i18n import _, _l

TERM_NAMES = (_l("1st term"), _l("2nd term"), _l("3rd term"), _l("4th term"))
HALF_NAMES = (_l("1st half-year"), _l("2nd half-year"))


@dataclass(frozen=True)
class Period:
    key: str  # "2026-year", "2026-t1", "2026-h2": the school year by the year it starts in
    label: str
    start: date
    end: date


def parse_terms(setting: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """"09-01/10-24,…" → [((9, 1), (10, 24)), …]: four terms, each from a month-day to a month-day."""
    terms = []
    try:
        for part in setting.split(","):
            first, last = part.strip().split("/")
            terms.append((tuple(int(x) for x in first.split("-")), tuple(int(x) for x in last.split("-"))))
    except ValueError as error:
        raise ValueError(f"SCHOOL_TERMS is not four MM-DD/MM-DD ranges: {setting!r}") from error
    if len(terms) != 4:
        raise ValueError(f"SCHOOL_TERMS must give four terms: {setting!r}")
    return terms  # type: ignore[return-value]


def school_year_of(day: date) -> int:
    """The year a school year starts in: 7 December 2026 is in 2026–2027, 10 June 2027 still in 2026–2027."""
    return day.year if day.month >= 8 else day.year - 1


def _on(start_year: int, month_day: tuple[int, int]) -> date:
    month, day = month_day
    return date(start_year if month >= 8 else start_year + 1, month, day)


def periods_of(start_year: int, setting: str) -> list[Period]:
    """The school year starting in `start_year`, its terms and its halves, in reading order."""
    terms = [(_on(start_year, a), _on(start_year, b)) for a, b in parse_terms(setting)]
    years = f"{start_year}–{start_year + 1}"
    out = [Period(f"{start_year}-year", _("School year %(years)s", years=years), terms[0][0], terms[3][1])]
    out += [Period(f"{start_year}-t{i + 1}", str(TERM_NAMES[i]), first, last) for i, (first, last) in enumerate(terms)]
    out += [Period(f"{start_year}-h1", str(HALF_NAMES[0]), terms[0][0], terms[1][1]),
            Period(f"{start_year}-h2", str(HALF_NAMES[1]), terms[2][0], terms[3][1])]
    return out


def presets(today: date, setting: str) -> list[Period]:
    """What the report offers: this school year with its terms and halves, then the previous school year."""
    year = school_year_of(today)
    return [*periods_of(year, setting), periods_of(year - 1, setting)[0]]
