"""What the contract promises funders, written out independently of outreach/reports/privacy.py.

`expected_for_funder(exact)` puts a coordinator's exact answer through the five rules of API.md
("Funders see protected figures"); `differencing_attack(...)` plays an attacker who holds many
funder answers and subtracts them in pairs.
"""
from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import product

THRESHOLD, BASE, HOURS = 10, 5, 5
CHILD_FIGURES = ("students_reached", "signups", "attendance_rate", "student_hours", "schools_reached")
BREAKDOWNS = ("by_region", "by_gender", "by_grade_band", "by_settlement_type", "by_month")
# breakdowns where each student is in exactly one cell: the cells add up to the total
PARTITIONS = ("by_region", "by_gender", "by_grade_band", "by_settlement_type")


def half_up(value, base) -> int:
    return int((Decimal(str(value)) / base).quantize(Decimal(1), ROUND_HALF_UP)) * base


def month_bounds(key: str) -> tuple[str, str]:
    year, month = (int(p) for p in key.split("-"))
    return date(year, month, 1).isoformat(), date(year, month, calendar.monthrange(year, month)[1]).isoformat()


# rule 5: the keys every shown breakdown lists (regions and months depend on the filter: see all_keys)
FIXED_KEYS = {"by_gender": ("female", "male", "unspecified"), "by_grade_band": ("0-4", "5-9", "10-11"),
              "by_settlement_type": ("urban", "rural")}


def all_keys(exact: dict, answer: dict) -> dict:
    """The keys a shown funder answer must list: the fixed ones; regions and months as the answer lists them,
    once checked that they hold every key the exact answer has, in order, and (for a period) every month of it."""
    keys = dict(FIXED_KEYS)
    for name in ("by_region", "by_month"):
        listed = [c["key"] for c in answer[name]]
        assert listed == sorted(set(listed)), (name, listed)
        assert {c["key"] for c in exact[name]} <= set(listed), (name, listed)
        keys[name] = tuple(listed)
    start, end = answer["filters"].get("from"), answer["filters"].get("to")
    if start and end:
        assert keys["by_month"][0] <= start[:7] and keys["by_month"][-1] >= end[:7], keys["by_month"]
    if answer["filters"].get("region"):
        assert keys["by_region"] == (answer["filters"]["region"],)
    return keys


def expected_for_funder(exact: dict, keys: dict | None = None) -> dict:
    """Rules 2-5 on an exact answer (rule 1 is the caller's: ask the coordinator for whole months); `keys` are
    the keys each breakdown lists (rule 5), a key with no students being a cell of 0."""
    out = {key: exact[key] for key in ("workshops_delivered", "regions_reached", "target_students")}
    small = exact["students_reached"] < THRESHOLD
    if small:
        out.update(dict.fromkeys(CHILD_FIGURES))
    else:
        out["students_reached"] = half_up(exact["students_reached"], BASE)
        out["signups"] = half_up(exact["signups"], BASE)
        out["schools_reached"] = half_up(exact["schools_reached"], BASE)
        out["student_hours"] = half_up(exact["student_hours"], HOURS)
        rate = exact["attendance_rate"]
        out["attendance_rate"] = None if rate is None else float(Decimal(str(rate)).quantize(Decimal("0.01"),
                                                                                          ROUND_HALF_UP))
    for name in BREAKDOWNS:
        cells = {c["key"]: c["students_reached"] for c in exact[name]}
        if small:  # rule 2: not even which categories exist
            out[name] = []
            continue
        if keys is not None:
            cells = {**{k: cells.get(k, 0) for k in keys[name]}, **{k: n for k, n in cells.items()
                                                                     if k not in keys[name]}}
        hidden = {k for k, n in cells.items() if n < THRESHOLD}
        if len(hidden) == 1:
            rest = sorted((n, k) for k, n in cells.items() if k not in hidden)
            if rest:
                hidden.add(rest[0][1])
        out[name] = [{"key": k, "students_reached": None if k in hidden else half_up(n, BASE),
                      "suppressed": k in hidden} for k, n in cells.items()]
    out["suppressed"] = small
    out["suppression_threshold"], out["rounding_base"] = THRESHOLD, BASE
    return out


def comparable(answer: dict) -> dict:
    """The parts of an API answer expected_for_funder speaks of (cells without extra fields)."""
    out = {key: answer[key] for key in ("workshops_delivered", "regions_reached", "target_students", "suppressed",
                                        "suppression_threshold", "rounding_base", *CHILD_FIGURES)}
    for name in BREAKDOWNS:
        out[name] = [{k: c[k] for k in ("key", "students_reached", "suppressed")} for c in answer[name]]
    return out


def small_counts_shown(answer: dict) -> list:
    """Every child count of 1..9 an answer shows (there must be none)."""
    found = [(key, answer[key]) for key in ("students_reached", "signups")
             if answer[key] is not None and 1 <= answer[key] <= 9]
    for name in (*BREAKDOWNS, "by_language"):
        found += [(name, c["key"], c["students_reached"]) for c in answer.get(name, [])
                  if c["students_reached"] is not None and 1 <= c["students_reached"] <= 9]
    return found


def possible(value: int | None) -> tuple[int, int]:
    """The exact counts an attacker knows are consistent with one published students_reached."""
    if value is None:
        return 0, THRESHOLD - 1
    # rounded half up to a multiple of BASE (x rounds to v when v - BASE/2 <= x < v + BASE/2), and a
    # figure under the threshold is never shown
    return max(value - BASE // 2, THRESHOLD), value + (BASE - 1) // 2


def contains(outer: tuple, inner: tuple) -> bool:
    """Filters as (initiative, region, period): outer counts every student inner counts."""
    return all(o is None or o == i for o, i in zip(outer, inner))


def differencing_attack(funder: dict, exact: dict) -> list[str]:
    """Subtract every pair of nested funder answers, and every total minus the cells it shows.

    funder and exact map filters (initiative, region, month or None) to students reached (funder: as
    published, exact: the coordinator's). A small group (1..9 children) is recovered when the attacker's
    interval for it holds exactly one value. Returns what was recovered (must be nothing)."""
    recovered = []
    for outer, inner in product(funder, repeat=2):
        if outer == inner or not contains(outer, inner):
            continue
        true = exact[outer] - exact[inner]
        if not 1 <= true <= THRESHOLD - 1:
            continue
        (lo_o, hi_o), (lo_i, hi_i) = possible(funder[outer]), possible(funder[inner])
        low, high = max(lo_o - hi_i, 0), hi_o - lo_i
        assert low <= true <= high, (outer, inner, true, low, high)  # the attacker's reasoning is sound
        if low == high:
            recovered.append(f"{outer} minus {inner} = {true}")
    return recovered


def cells_attack(answer: dict, exact: dict) -> list[str]:
    """Total minus the cells shown: the sum of the hidden cells of a partition must not be pinned down."""
    recovered = []
    if answer["students_reached"] is None:
        return recovered
    lo_t, hi_t = possible(answer["students_reached"])
    for name in PARTITIONS:
        hidden = [c["key"] for c in answer[name] if c["suppressed"]]
        if not hidden:
            continue
        shown = [possible(c["students_reached"]) for c in answer[name] if not c["suppressed"]]
        low = max(lo_t - sum(h for _l, h in shown), 0)
        high = hi_t - sum(lo for lo, _h in shown)
        true = sum(c["students_reached"] for c in exact[name] if c["key"] in hidden)
        assert low <= true <= high, (name, true, low, high)
        if low == high and 1 <= true <= THRESHOLD - 1:
            recovered.append(f"{name}: hidden cells {hidden} = {true}")
    return recovered
