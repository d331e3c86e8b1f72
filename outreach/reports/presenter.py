"""The impact report for people: labels in the viewer's language, suppressed cells worded, charts.

The page, the CSV, the spreadsheet and the PDF are all built from one `ReportView`, so they
always show the same figures.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal, format_percent
from markupsafe import Markup
from sqlalchemy import select

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.i18n import _, _l, localize, ngettext
from outreach.initiatives.models import Initiative
from outreach.reports import charts
from outreach.schools.models import Region
from outreach.workshops.models import DELIVERY_LANGUAGES

GENDER_LABELS = {"female": _l("Girls"), "male": _l("Boys"), "unspecified": _l("Gender not given")}
SETTLEMENT_LABELS = {"urban": _l("Urban"), "rural": _l("Rural")}
BAND_LABELS = {"0-4": _l("Grades 0–4"), "5-9": _l("Grades 5–9"), "10-11": _l("Grades 10–11")}

BREAKDOWN_TITLES = {
    "by_region": _l("Students reached by region"),
    "by_month": _l("Students reached by month"),
    "by_settlement_type": _l("Urban and rural schools"),
    "by_gender": _l("Girls and boys"),
    "by_grade_band": _l("Students reached by grade"),
    "by_language": _l("Language of the workshops"),
}
BREAKDOWN_COLUMNS = {
    "by_region": _l("Region"), "by_month": _l("Month"), "by_settlement_type": _l("Urban/rural"),
    "by_gender": _l("Gender"), "by_grade_band": _l("Grades"), "by_language": _l("Language of delivery"),
}
# each student is in exactly one cell of these, so shares of the total make sense
PARTITIONS = {"by_region", "by_settlement_type", "by_gender", "by_grade_band"}
PAGE_ORDER = ("by_region", "by_month", "by_settlement_type", "by_gender", "by_grade_band", "by_language")


@dataclass
class CellView:
    key: str
    label: str
    value: int | None
    suppressed: bool
    share: float | None = None


@dataclass
class BreakdownView:
    name: str
    title: str
    column: str
    cells: list[CellView]
    partition: bool
    chart: Markup = Markup("")

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for c in self.cells)


@dataclass
class Figure:
    key: str
    label: str
    value: Any
    text: str
    hint: str = ""


@dataclass
class ReportView:
    report: dict[str, Any]
    threshold: int | None
    suppressed_text: str
    figures: list[Figure]
    target: int | None
    progress: float | None
    breakdowns: dict[str, BreakdownView]
    filters: list[tuple[str, str]]
    initiative_title: str | None
    generated_at: datetime
    region_names: dict[str, str] = field(default_factory=dict)
    tiles: list[dict[str, Any]] = field(default_factory=list)
    tile_legend: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def empty_tile_style(self) -> str:
        return charts.tile_style(0)

    @property
    def empty_tile_class(self) -> str:
        return charts.tile_class(0)

    @property
    def exact(self) -> bool:
        return self.threshold is None

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def suppressed_text(threshold: int | None) -> str:
    """What a suppressed cell reads: "fewer than 10" in the viewer's language."""
    return _("fewer than %(threshold)s", threshold=format_decimal(threshold or 0))


def cell_text(cell: CellView, suppressed: str) -> str:
    return suppressed if cell.suppressed else format_decimal(cell.value)


def _month_label(key: str, pattern: str = "LLLL y") -> str:
    year, month = (int(part) for part in key.split("-"))
    return format_date(date(year, month, 1), pattern)


def _labels(name: str, regions: dict[str, str]) -> Any:
    if name == "by_region":
        return lambda key: regions.get(key, key)
    if name == "by_month":
        return _month_label
    table = {"by_gender": GENDER_LABELS, "by_settlement_type": SETTLEMENT_LABELS, "by_grade_band": BAND_LABELS,
             "by_language": DELIVERY_LANGUAGES}[name]
    return lambda key: str(table.get(key, key))


def present(report: dict[str, Any]) -> ReportView:
    """Everything a person sees in the report, worded in the current language."""
    threshold = report["suppression_threshold"]
    regions_full = {r.code: (localize(r.names).text, r.kind) for r in db.session.scalars(select(Region))}
    regions = {code: name for code, (name, _kind) in regions_full.items()}
    total = report["students_reached"]
    breakdowns: dict[str, BreakdownView] = {}
    for name in PAGE_ORDER:
        label = _labels(name, regions)
        cells = [CellView(c["key"], label(c["key"]), c["students_reached"], c["suppressed"]) for c in report[name]]
        if name == "by_region":  # most first, suppressed ones after, as in the chart
            cells.sort(key=lambda c: (c.suppressed, -(c.value or 0), c.label))
        partition = name in PARTITIONS
        if partition and total:
            for cell in cells:
                cell.share = None if cell.suppressed else cell.value / total
        breakdowns[name] = BreakdownView(name, str(BREAKDOWN_TITLES[name]), str(BREAKDOWN_COLUMNS[name]), cells,
                                         partition)
    rate = report["attendance_rate"]
    figures = [
        Figure("students_reached", _("Students reached"), total, format_decimal(total),
               _("each counted once, however many workshops they attended")),
        Figure("workshops_delivered", _("Workshops delivered"), report["workshops_delivered"],
               format_decimal(report["workshops_delivered"]), _("held, not cancelled")),
        Figure("signups", _("Sign-ups"), report["signups"], format_decimal(report["signups"]),
               _("confirmed places at delivered workshops")),
        Figure("attendance_rate", _("Attendance rate"), rate,
               format_percent(rate, "#,##0.#%") if rate is not None else "—",
               _("of confirmed sign-ups where attendance was taken")),
        Figure("student_hours", _("Student-hours"), report["student_hours"],
               format_decimal(report["student_hours"], "#,##0.#"), _("time students spent in workshops")),
        Figure("schools_reached", _("Schools reached"), report["schools_reached"],
               format_decimal(report["schools_reached"]), ""),
        Figure("regions_reached", _("Regions reached"), report["regions_reached"],
               format_decimal(report["regions_reached"]),
               ngettext("of %(num)s region", "of %(num)s regions", len(regions))),
    ]
    target = report["target_students"]
    progress = total / target if target else None
    initiative_title = None
    filters_text: list[tuple[str, str]] = []
    chosen = report["filters"]
    if chosen.get("initiative_id"):
        initiative = db.session.get(Initiative, chosen["initiative_id"])
        initiative_title = localize(initiative.title).text if initiative else None
    filters_text.append((_("Initiative"), initiative_title or _("All initiatives")))
    filters_text.append((_("Region"), regions.get(chosen["region"], chosen["region"]) if chosen.get("region")
                         else _("All regions")))
    filters_text.append((_("Period"), period_text(chosen.get("from"), chosen.get("to"))))
    view = ReportView(report=report, threshold=threshold, suppressed_text=suppressed_text(threshold),
                      figures=figures, target=target, progress=progress, breakdowns=breakdowns,
                      filters=filters_text, initiative_title=initiative_title, generated_at=utcnow(),
                      region_names=regions)
    _add_charts(view, regions_full)
    return view


def period_text(start: str | None, end: str | None) -> str:
    if start and end:
        return _("%(start)s – %(end)s", start=format_date(date.fromisoformat(start)),
                 end=format_date(date.fromisoformat(end)))
    if start:
        return _("from %(start)s", start=format_date(date.fromisoformat(start)))
    if end:
        return _("until %(end)s", end=format_date(date.fromisoformat(end)))
    return _("All dates")


def _add_charts(view: ReportView, regions: dict[str, tuple[str, str]]) -> None:
    suppressed = view.suppressed_text
    for name, breakdown in view.breakdowns.items():
        if not breakdown.cells:
            continue
        if name == "by_month":
            breakdown.chart = charts.line_chart(
                [(_month_label(c.key, "LLL y"), c.label, c.value) for c in breakdown.cells],
                title=breakdown.title, suppressed=suppressed,
                desc=_("Line chart of students reached per month; months with suppressed figures are gaps. "
                       "The table below lists every value."))
            continue
        bars = []
        for cell in breakdown.cells:
            text = cell_text(cell, suppressed)
            if cell.share is not None:
                text = _("%(count)s (%(share)s)", count=text, share=format_percent(cell.share, "#,##0%"))
            bars.append((cell.label, cell.value, text))
        breakdown.chart = charts.bar_chart(
            bars, title=breakdown.title,
            desc=_("Bar chart of students reached; the table below lists every value."))
    view.tiles, view.tile_legend = charts.region_tiles(
        {c.key: c for c in view.breakdowns["by_region"].cells}, regions, suppressed, view.threshold)


def generated_text(view: ReportView) -> str:
    return _("Generated %(when)s", when=format_datetime(view.generated_at, "medium"))
