"""What a funder may see of the impact figures: exact figures in, protected figures out.

The contract (../shared/API.md, "Funders see protected figures") in five rules, so that no report,
nor any difference between two reports a funder can ask for, gives away a group of fewer than
`threshold` children:

1. periods snap to whole months (`snap_period`);
2. when the exact total of students reached is below the threshold, every child-derived figure is
   None, every breakdown is an empty list (not even which categories exist is told) and the report
   is `suppressed`;
3. a breakdown cell below the threshold is hidden; where exactly one cell of a breakdown would be,
   the next smallest is hidden too (complementary suppression), and says so;
4. every shown count is rounded to the nearest multiple of `rounding_base` (halves up),
   student-hours to 5 hours, average hours per student to the half hour, the attendance rate to whole
   per cent — after suppression was decided on the exact figures, so a shown figure is never below the
   threshold;
5. every key of a breakdown is listed (`complete_cells`): a key with no students is a cell below the
   threshold like any other, so a missing key never says "all of them are girls".

Every surface a funder looks at (the API, the report page, its charts and map, the exports, the
initiative pages, the dashboard) takes its figures from here; coordinators and administrators get
`None` from `protection_for` and see exact figures. Pure functions: no query, no request.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping, Sequence

from flask import current_app

from outreach.access import sees_exact_figures
from outreach.outcomes import figures as outcome_figures

# why a cell is hidden: it is small itself, or it is hidden only so that a small one cannot be worked out
SMALL = "small"
COMPLEMENTARY = "complementary"
HOURS_BASE = 5
# the figures that count children (or are worked out from them); rule 2 hides them all
CHILD_FIGURES = ("students_reached", "signups", "attendance_rate", "student_hours", "average_hours",
                 "schools_reached")
#: average hours per student are shown to funders to the half hour
AVERAGE_HOURS_STEP = Decimal("0.5")


@dataclass(frozen=True)
class Protection:
    threshold: int
    rounding_base: int
    hours_base: int = HOURS_BASE


def funder_protection() -> Protection:
    """The settings: SUPPRESSION_THRESHOLD (default 10) and ROUNDING_BASE (default 5)."""
    return Protection(threshold=int(current_app.config.get("SUPPRESSION_THRESHOLD", 10)),
                      rounding_base=int(current_app.config.get("ROUNDING_BASE", 5)))


def protection_for(user: Any) -> Protection | None:
    """The protection a user's figures get: None (exact figures) for coordinators and administrators."""
    if sees_exact_figures(user):
        return None
    return funder_protection()


# -- rule 1 ----------------------------------------------------------------------------------------

def snap_period(date_from: date | None, date_to: date | None) -> tuple[date | None, date | None]:
    """`from` back to the first day of its month, `to` forward to the last day of its month."""
    start = date_from.replace(day=1) if date_from is not None else None
    end = None
    if date_to is not None:
        end = date_to.replace(day=calendar.monthrange(date_to.year, date_to.month)[1])
    return start, end


# -- rule 4 ----------------------------------------------------------------------------------------

def round_to(value: float | int, base: int) -> int:
    """The nearest multiple of base; halves round up (12.5 → 15 for base 5)."""
    if base <= 1:
        return int(Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP))
    steps = (Decimal(str(value)) / base).quantize(Decimal(1), ROUND_HALF_UP)
    return int(steps) * base


def round_rate(rate: float | None) -> float | None:
    """An attendance rate to two decimals (whole per cent), halves up."""
    if rate is None:
        return None
    return float(Decimal(str(rate)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def round_half_hour(hours: float | None) -> float | None:
    """Average hours per student to the nearest half hour, halves up (a mean of at least `threshold` students)."""
    if hours is None:
        return None
    steps = (Decimal(str(hours)) / AVERAGE_HOURS_STEP).quantize(Decimal(1), ROUND_HALF_UP)
    return float(steps * AVERAGE_HOURS_STEP)


def protect_count(exact: int, protection: Protection | None) -> int | None:
    """One count standing alone (an initiative's students reached): None below the threshold, else rounded."""
    if protection is None:
        return exact
    if exact < protection.threshold:
        return None
    return round_to(exact, protection.rounding_base)


# -- rule 3 ----------------------------------------------------------------------------------------

def hidden_cells(counts: Mapping[str, int], threshold: int, total: int) -> dict[str, str]:
    """The cells to hide, each with why (SMALL or COMPLEMENTARY), decided on exact counts.

    When the total is under the threshold every cell is hidden (rule 2). When exactly one cell is
    small, the next smallest (ties: the first key) is hidden with it, so that it cannot be worked
    out as the total minus the cells shown."""
    if total < threshold:
        return dict.fromkeys(counts, SMALL)
    hidden = {key: SMALL for key, n in counts.items() if n < threshold}
    if len(hidden) == 1:
        rest = sorted((n, key) for key, n in counts.items() if key not in hidden)
        if rest:
            hidden[rest[0][1]] = COMPLEMENTARY
    return hidden


def complete_cells(cells: list[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """Rule 5: the cells with every key of `keys` (in that order) listed, a key with no students as 0;
    keys the cells have beyond `keys` are kept after them, so no child is lost from a breakdown."""
    by_key = {cell["key"]: cell for cell in cells}
    listed = [by_key.get(key) or {"key": key, "students_reached": 0, "suppressed": False} for key in keys]
    wanted = set(keys)
    return listed + [cell for cell in cells if cell["key"] not in wanted]


def protect_cells(cells: list[dict[str, Any]], protection: Protection, total: int) -> list[dict[str, Any]]:
    """Breakdown cells ({"key", "students_reached"} exact) as a funder sees them, in the same order."""
    counts = {cell["key"]: int(cell["students_reached"]) for cell in cells}
    hidden = hidden_cells(counts, protection.threshold, total)
    shown = []
    for cell in cells:
        why = hidden.get(cell["key"])
        shown.append({**cell,
                      "students_reached": None if why else round_to(cell["students_reached"],
                                                                    protection.rounding_base),
                      "suppressed": why is not None, "suppressed_because": why})
    return shown


# -- outcomes -------------------------------------------------------------------------------------

def protect_outcomes(report: dict[str, Any], protection: Protection) -> dict[str, Any]:
    """The questionnaires' figures as a funder sees them (see outreach.outcomes.figures.protect)."""
    return outcome_figures.protect(report, protection.threshold, protection.rounding_base, round_to)


# -- the whole report ------------------------------------------------------------------------------

def protect_report(report: dict[str, Any], protection: Protection | None,
                   breakdowns: tuple[str, ...], keys: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """The exact report (as `reports.services` counts it) as this viewer may see it.

    With no protection it is returned as is, with `suppression_threshold` and `rounding_base` None.
    The period in `report["filters"]` must already be snapped (rule 1 changes what is counted).
    `keys` names every key of each breakdown (rule 5); a breakdown not named there lists the keys it has."""
    if protection is None:
        return {**report, "suppression_threshold": None, "rounding_base": None, "suppressed": False}
    exact_total = int(report["students_reached"])
    small = exact_total < protection.threshold
    shown = dict(report)
    if small:
        shown.update(dict.fromkeys(CHILD_FIGURES))
    else:
        base = protection.rounding_base
        shown["students_reached"] = round_to(exact_total, base)
        shown["signups"] = round_to(report["signups"], base)
        shown["schools_reached"] = round_to(report["schools_reached"], base)
        shown["student_hours"] = round_to(report["student_hours"], protection.hours_base)
        shown["attendance_rate"] = round_rate(report["attendance_rate"])
        shown["average_hours"] = round_half_hour(report.get("average_hours"))
    if small:  # rule 2 for the questionnaires too
        target = report.get("outcome_target")
        shown.update(outcomes=[], teacher_feedback=[], teacher_comments=[],
                     outcome_target={**target, "answered": None, "met": None, "share": None, "suppressed": True}
                     if target else None)
    elif "outcomes" in report:
        shown.update(protect_outcomes(report, protection))
    for name in breakdowns:
        if small:  # rule 2: not even which categories exist
            shown[name] = []
            continue
        cells = complete_cells(report[name], (keys or {}).get(name, ()))
        shown[name] = protect_cells(cells, protection, exact_total)
    shown["suppression_threshold"] = protection.threshold
    shown["rounding_base"] = protection.rounding_base
    shown["suppressed"] = small
    return shown
