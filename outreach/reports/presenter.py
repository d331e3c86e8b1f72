"""The impact report for people: labels in the viewer's language, suppressed cells worded, charts.

The page, the CSV, the spreadsheet and the PDF are all built from one `ReportView`, so they
always show the same figures: for a funder, the protected figures of `reports.privacy`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_decimal, format_percent
from markupsafe import Markup
from sqlalchemy import select

from outreach.collation import sort_key
from outreach.dates import fmt_date, fmt_datetime
from outreach.dbtypes import local_tz, utcnow
from outreach.extensions import db
from outreach.i18n import _, _l, localize, ngettext
from outreach.initiatives.models import Initiative
from outreach.reports import charts, privacy
from outreach.reports.outcomes_view import OutcomesView, present_outcomes
from outreach.schools.models import Region
from outreach.workshops.models import DELIVERY_LANGUAGES

GENDER_LABELS = {"female": _l("Girls"), "male": _l("Boys"), "unspecified": _l("Gender not given")}
SETTLEMENT_LABELS = {"urban": _l("Urban"), "rural": _l("Rural")}
BAND_LABELS = {"0-4": _l("Grades 0–4"), "5-9": _l("Grades 5–9"), "10-11": _l("Grades 10–11")}
HOURS_BAND_LABELS = {"0-2": _l("Under 2 hours"), "2-5": _l("2 to 5 hours"), "5-10": _l("5 to 10 hours"),
                     "10+": _l("10 hours or more")}

BREAKDOWN_TITLES = {
    "by_region": _l("Students reached by region"),
    "by_month": _l("Students reached by month"),
    "by_settlement_type": _l("Urban and rural schools"),
    "by_gender": _l("Girls and boys"),
    "by_grade_band": _l("Students reached by grade"),
    "by_language": _l("Language of the workshops"),
    "by_hours_band": _l("Hours each student attended"),
}
BREAKDOWN_COLUMNS = {
    "by_region": _l("Region"), "by_month": _l("Month"), "by_settlement_type": _l("Urban/rural"),
    "by_gender": _l("Gender"), "by_grade_band": _l("Grades"), "by_language": _l("Language of delivery"),
    "by_hours_band": _l("Hours attended"),
}
# each student is in exactly one cell of these, so shares of the total make sense
PARTITIONS = {"by_region", "by_settlement_type", "by_gender", "by_grade_band", "by_hours_band"}
PAGE_ORDER = ("by_region", "by_month", "by_settlement_type", "by_gender", "by_grade_band", "by_hours_band",
              "by_language")


@dataclass
class CellView:
    key: str
    label: str
    value: int | None
    suppressed: bool
    share: float | None = None
    hidden_text: str = ""  # a suppressed cell: "fewer than 10", or "hidden to protect another group"
    complementary: bool = False  # hidden only so that a smaller cell cannot be worked out (it may be large)
    partial: bool = False  # the current month, not over yet


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

    @property
    def any_complementary(self) -> bool:
        return any(c.complementary for c in self.cells)


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

    rounding_base: int | None = None
    months: bool = False  # the period is whole months (funders)
    #: the filter is narrower than the initiatives (a region or a period): the target is theirs as a whole
    target_is_whole: bool = False
    #: the questionnaires' figures (None when the initiatives ask no questions)
    outcomes: OutcomesView | None = None

    @property
    def empty_tile_class(self) -> str:
        return charts.tile_class(0)

    @property
    def exact(self) -> bool:
        return self.threshold is None

    @property
    def suppressed(self) -> bool:
        """The whole selection has fewer students than the threshold: no child-derived figure is shown."""
        return bool(self.report.get("suppressed"))

    @property
    def complementary_explained(self) -> str:
        return complementary_explained()

    @property
    def note(self) -> str:
        return protection_note(self.threshold, self.rounding_base) if not self.exact else ""

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def suppressed_text(threshold: int | None) -> str:
    """What a suppressed cell reads: "fewer than 10" in the viewer's language."""
    return _("fewer than %(threshold)s", threshold=format_decimal(threshold or 0))


def suppressed_selection_text(threshold: int | None) -> str:
    """What a hidden selection (fewer students than the threshold) reads instead of its figures and breakdowns."""
    return _("Fewer than %(threshold)s students are in this selection: to protect them, no figure about them is "
             "shown. Choose a wider selection.", threshold=format_decimal(threshold or 0))


def complementary_text() -> str:
    """What a cell hidden only so that a smaller one cannot be worked out reads (it may be large)."""
    return _("hidden to protect another group")


def complementary_explained() -> str:
    """One plain sentence under a breakdown with a cell hidden to protect another group (a board member
    would otherwise read it as missing data)."""
    return _("“%(label)s” is not missing data: that group may be large. It is hidden only so that a smaller "
             "group cannot be worked out by subtracting from the total.", label=complementary_text())


def hidden_text(why: str | None, threshold: int | None) -> str:
    return complementary_text() if why == privacy.COMPLEMENTARY else suppressed_text(threshold)


def protection_note(threshold: int | None, rounding_base: int | None) -> str:
    """The plain words a funder reads beside protected figures, wherever they are."""
    return _("To protect children's privacy, figures are rounded to the nearest %(base)s (student-hours to "
             "%(hours)s hours, the attendance rate to whole per cent) and groups of fewer than %(threshold)s "
             "students are hidden, so that no child can be picked out. Where hiding one group would let it be "
             "worked out from the total, another group is hidden too and marked “hidden to protect another "
             "group”. Periods cover whole months.",
             base=format_decimal(rounding_base or 0), hours=format_decimal(privacy.HOURS_BASE),
             threshold=format_decimal(threshold or 0))


def protection_texts(user: Any) -> dict[str, str | None]:
    """For pages beside the report that show a funder's protected figures (initiative pages, the overview):
    `privacy_note` (what the protection is and why) and `hidden_text` ("fewer than 10"); None for staff."""
    protection = privacy.protection_for(user)
    if protection is None:
        return {"privacy_note": None, "hidden_text": None}
    return {"privacy_note": protection_note(protection.threshold, protection.rounding_base),
            "hidden_text": suppressed_text(protection.threshold)}


def cell_text(cell: CellView, suppressed: str = "") -> str:
    return (cell.hidden_text or suppressed) if cell.suppressed else format_decimal(cell.value)


def _month_label(key: str, pattern: str = "LLLL y") -> str:
    year, month = (int(part) for part in key.split("-"))
    return format_date(date(year, month, 1), pattern)


def _labels(name: str, regions: dict[str, str]) -> Any:
    if name == "by_region":
        return lambda key: regions.get(key, key)
    if name == "by_month":
        return _month_label
    table = {"by_gender": GENDER_LABELS, "by_settlement_type": SETTLEMENT_LABELS, "by_grade_band": BAND_LABELS,
             "by_language": DELIVERY_LANGUAGES, "by_hours_band": HOURS_BAND_LABELS}[name]
    return lambda key: str(table.get(key, key))


def present(report: dict[str, Any]) -> ReportView:
    """Everything a person sees in the report, worded in the current language."""
    threshold = report["suppression_threshold"]
    protected = threshold is not None
    regions_full = {r.code: (localize(r.names).text, r.kind) for r in db.session.scalars(select(Region))}
    regions = {code: name for code, (name, _kind) in regions_full.items()}
    total = report["students_reached"]
    breakdowns: dict[str, BreakdownView] = {}
    this_month = datetime.now(local_tz()).strftime("%Y-%m")
    for name in PAGE_ORDER:
        label = _labels(name, regions)
        cells = [CellView(c["key"], label(c["key"]), c["students_reached"], c["suppressed"],
                          hidden_text=hidden_text(c.get("suppressed_because"), threshold) if c["suppressed"] else "",
                          complementary=c["suppressed"] and c.get("suppressed_because") == privacy.COMPLEMENTARY)
                 for c in report[name]]
        if name == "by_month":  # the month not yet over is not a drop: it says so
            for cell in cells:
                if cell.key == this_month:
                    cell.label = _("%(month)s (so far)", month=cell.label)
                    cell.partial = True
        if name == "by_region":  # most first, suppressed ones after, as in the chart
            cells.sort(key=lambda c: (c.suppressed, -(c.value or 0), sort_key(c.label)))
        partition = name in PARTITIONS
        if partition and total:
            for cell in cells:
                cell.share = None if cell.suppressed else cell.value / total
        breakdowns[name] = BreakdownView(name, str(BREAKDOWN_TITLES[name]), str(BREAKDOWN_COLUMNS[name]), cells,
                                         partition)
    rate = report["attendance_rate"]
    small = bool(report.get("suppressed"))
    hidden = suppressed_text(threshold)

    def count_text(value: Any, pattern: str | None = None) -> str:
        # a small selection: only students reached reads "fewer than 10" (sign-ups or hours may be more)
        return format_decimal(value, pattern) if value is not None else "—"

    figures = [
        Figure("students_reached", _("Students reached"), total, hidden if small else count_text(total),
               _("each counted once, however many workshops they attended")),
        Figure("workshops_delivered", _("Workshops delivered"), report["workshops_delivered"],
               format_decimal(report["workshops_delivered"]), _("held, not cancelled")),
        Figure("signups", _("Sign-ups"), report["signups"], count_text(report["signups"]),
               _("confirmed places at delivered workshops")),
        Figure("attendance_rate", _("Attendance rate"), rate,
               format_percent(rate, "#,##0%" if protected else "#,##0.#%") if rate is not None else "—",
               _("of confirmed sign-ups where attendance was taken")),
        Figure("student_hours", _("Student-hours"), report["student_hours"],
               count_text(report["student_hours"], "#,##0.#"), _("time students spent in workshops")),
        Figure("average_hours", _("Average hours per student"), report.get("average_hours"),
               count_text(report.get("average_hours"), "#,##0.#"),
               _("attended, per student reached (late students: the minutes they were there)")),
        Figure("schools_reached", _("Schools reached"), report["schools_reached"],
               count_text(report["schools_reached"]), ""),
        Figure("regions_reached", _("Regions reached"), report["regions_reached"],
               format_decimal(report["regions_reached"]),
               ngettext("of %(num)s region", "of %(num)s regions", len(regions))),
    ]
    target = report["target_students"]
    chosen = report["filters"]
    # a target is set for a whole initiative: progress toward it means something only for the whole of it
    target_is_whole = bool(chosen.get("region") or chosen.get("from") or chosen.get("to"))
    progress = total / target if target and total is not None and not target_is_whole else None
    initiative_title = None
    filters_text: list[tuple[str, str]] = []
    if chosen.get("initiative_id"):
        initiative = db.session.get(Initiative, chosen["initiative_id"])
        initiative_title = localize(initiative.title).text if initiative else None
    filters_text.append((_("Initiative"), initiative_title or _("All initiatives")))
    filters_text.append((_("Region"), regions.get(chosen["region"], chosen["region"]) if chosen.get("region")
                         else _("All regions")))
    filters_text.append((_("Period"), period_text(chosen.get("from"), chosen.get("to"), months=protected)))
    view = ReportView(report=report, threshold=threshold, suppressed_text=suppressed_text(threshold),
                      figures=figures, target=target, progress=progress, breakdowns=breakdowns,
                      target_is_whole=target_is_whole,
                      filters=filters_text, initiative_title=initiative_title, generated_at=utcnow(),
                      region_names=regions, rounding_base=report.get("rounding_base"), months=protected)
    _add_charts(view, regions_full)
    view.outcomes = present_outcomes(report)
    return view


def period_text(start: str | None, end: str | None, months: bool = False) -> str:
    """The period in words; a funder's (whole months) as months: "October 2026 – December 2026"."""
    def word(day: str, opening: bool = False) -> str:
        # a month after "from" is in the format form: ru «с октября 2026», kk «басы: қазан 2026»
        return fmt_date(date.fromisoformat(day), ("MMMM y" if opening else "LLLL y") if months else "long")

    if months and start and end and start[:7] == end[:7]:
        return word(start)
    if start and end:
        return _("%(start)s – %(end)s", start=word(start), end=word(end))
    if start:
        return _("from %(start)s", start=word(start, opening=True))
    if end:
        return _("until %(end)s", end=word(end))
    return _("All dates")


def _add_charts(view: ReportView, regions: dict[str, tuple[str, str]]) -> None:
    suppressed = view.suppressed_text
    for name, breakdown in view.breakdowns.items():
        if not breakdown.cells:
            continue
        if name == "by_month":
            breakdown.chart = charts.line_chart(
                [(_("%(month)s (so far)", month=_month_label(c.key, "LLL y")) if c.partial
                  else _month_label(c.key, "LLL y"), c.label, c.value, c.hidden_text) for c in breakdown.cells],
                title=breakdown.title, suppressed=suppressed,
                partial_last=bool(breakdown.cells) and breakdown.cells[-1].partial,
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
        {c.key: c for c in view.breakdowns["by_region"].cells}, regions, suppressed, view.threshold,
        view.rounding_base)


def generated_text(view: ReportView) -> str:
    return _("Generated %(when)s", when=fmt_datetime(view.generated_at))
