"""The impact report as CSV, XLSX and PDF, and every sign-up as a streamed CSV.

All exports are built from the same `ReportView` as the page (same figures: for a funder the
protected figures of `reports.privacy`, and the note saying how they are protected), with headers in
the viewer's language.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Iterator

from flask import render_template
from flask_babel import format_decimal
from sqlalchemy import select

from outreach.access import is_funder, sees_exact_figures
from outreach.dbtypes import local_tz
from outreach.extensions import db
from outreach.i18n import _, current_language, localize, ngettext
from outreach.reports import presenter, services
from outreach.reports.presenter import BAND_LABELS, GENDER_LABELS, SETTLEMENT_LABELS, ReportView
from outreach.schools.models import Region
from outreach.signups.models import SIGNUP_STATUSES

FORMATS = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to text/* itself
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# a cell starting with one of these is a formula to a spreadsheet (and tab/CR start a new cell)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# PDFs list the schools with most students reached; the CSV and the spreadsheet list them all
PDF_SCHOOLS = 25


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Table:
    """One block of an export: a title, headers, and rows; kinds say how to format each column."""

    title: str
    headers: list[str]
    kinds: list[str]  # "text", "count", "percent", "hours"
    rows: list[list[Any]] = field(default_factory=list)
    sheet: str = ""


def load(user: Any, filters: dict[str, Any], *, all_schools: bool = True,
         schools_per_page: int | None = None) -> tuple[ReportView, Any]:
    """The report view and, for coordinators, the per-school table (None for funders)."""
    report = services.impact_report(user, **filters)
    view = presenter.present(report)
    schools = None
    if sees_exact_figures(user):
        schools = services.school_table(user, **filters, per_page=None if all_schools else schools_per_page)
    return view, schools


def report_tables(view: ReportView, schools: Any = None) -> list[Table]:
    suppressed = view.suppressed_text
    summary = _("Summary")
    tables = [Table(_("Impact report"), [_("Filter"), _("Value")], ["text", "text"],
                    [[label, value] for label, value in view.filters], sheet=summary)]
    figures = Table(_("Figures"), [_("Figure"), _("Value")], ["text", "count"], sheet=summary)
    # protected figures are whole: hours in fives, the rate in whole per cent
    kinds = ({"attendance_rate": "whole_percent", "student_hours": "count", "average_hours": "hours"}
             if not view.exact else {"attendance_rate": "percent", "student_hours": "hours", "average_hours": "hours"})
    for figure in view.figures:
        if figure.value is None:
            figures.rows.append([figure.label, figure.text])
        else:
            figures.rows.append([figure.label, (figure.value, kinds.get(figure.key, "count"))])
    figures.rows.append([_("Target of the whole initiative (students)") if view.target_is_whole
                         else _("Target (students)"),
                         (view.target, "count") if view.target is not None else _("No target set")])
    figures.rows.append([_("Progress toward the target"), (view.progress, "percent") if view.progress is not None
                         else "—"])
    figures.rows.append([_("Privacy"), view.note if not view.exact else _("Exact figures")])
    tables.append(figures)
    if view.suppressed:  # rule 2: a hidden selection's breakdowns are empty; not even their categories are named
        tables.append(Table(_("Breakdowns"), [_("Figure"), _("Value")], ["text", "text"], sheet=_("Breakdowns"),
                            rows=[[_("Students reached"), presenter.suppressed_selection_text(view.threshold)]]))
        return tables + ([school_table(view, schools)] if schools is not None else [])
    for name in presenter.PAGE_ORDER:
        breakdown = view.breakdowns[name]
        headers = [breakdown.column, _("Students reached")]
        kinds = ["text", "count"]
        if breakdown.partition:
            headers.append(_("Share of students reached"))
            kinds.append("percent")
        table = Table(breakdown.title, headers, kinds, sheet=_("Breakdowns"))
        for cell in breakdown.cells:
            row: list[Any] = [cell.label, (cell.hidden_text or suppressed) if cell.suppressed else (cell.value, "count")]
            if breakdown.partition:
                row.append((cell.share, "percent") if cell.share is not None else "")
            table.rows.append(row)
        if not breakdown.cells:
            table.rows.append([_("No students reached"), ""] + ([""] if breakdown.partition else []))
        tables.append(table)
    tables.extend(outcome_tables(view))
    if schools is not None:
        tables.append(school_table(view, schools))
    return tables


def outcome_tables(view: ReportView) -> list[Table]:
    """The questionnaires: pupils before and after per question, the teachers' answers (never their comments)."""
    if view.outcomes is None:
        return []
    sheet = _("Outcomes")
    pupils = Table(_("Pupils' answers before and after"),
                   [_("Question"), _("Pupils who answered both times"), _("Before"), _("After"), _("Change")],
                   ["text", "text", "text", "text", "text"], sheet=sheet)
    for row in view.outcomes.rows:
        pupils.rows.append([row.label, row.pairs_text, row.before_text, row.after_text, row.change_text])
    tables = [pupils]
    if view.outcomes.feedback:
        teachers = Table(_("Teachers' answers"), [_("Question"), _("Teachers who answered"), _("Average")],
                         ["text", "text", "text"], sheet=sheet)
        for item in view.outcomes.feedback:
            teachers.rows.append([item.label, item.responses_text, item.mean_text or "—"])
        tables.append(teachers)
    return tables


def school_table(view: ReportView, schools: Any) -> Table:
    regions = view.region_names
    table = Table(_("Schools"), [_("School"), _("Region"), _("Urban/rural"), _("Students reached"), _("Sign-ups"),
                                 _("Attendance rate"), _("Student-hours")],
                  ["text", "text", "text", "count", "count", "percent", "hours"], sheet=_("Schools"))
    for row in schools.items:
        table.rows.append([row.name, regions.get(row.region_code, row.region_code),
                           str(SETTLEMENT_LABELS.get(row.settlement_type, row.settlement_type)),
                           (row.students_reached, "count"), (row.signups, "count"),
                           (row.attendance_rate, "percent") if row.attendance_rate is not None else "—",
                           (row.student_hours, "hours")])
    report = view.report
    table.rows.append([ngettext("All %(count)s school", "All %(count)s schools", schools.total,
                                count=format_decimal(schools.total)),
                       "", "",
                       (report["students_reached"], "count"), (report["signups"], "count"),
                       (report["attendance_rate"], "percent") if report["attendance_rate"] is not None else "—",
                       (report["student_hours"], "hours")])
    return table


def _plain(value: Any, decimal_comma: bool = False) -> Any:
    """A typed value for CSV: numbers as numbers (percentages as fractions), text neutralised; for Excel in
    kk/ru a decimal comma."""
    if isinstance(value, tuple):
        number, kind = value
        if number is None:
            return ""
        if kind in ("percent", "whole_percent"):
            number = round(number, 4)
        if decimal_comma and isinstance(number, float):
            return repr(number).replace(".", ",")
        return number
    return neutralise(value)


def long_rows(tables: list[Table]) -> Iterator[list[Any]]:
    """Every table of the report as rows of one table (long format): section, item, measure, value.
    A row's first cell is its item; each further cell becomes a row of its own, named by its column."""
    for table in tables:
        for row in table.rows:
            item, values = row[0], row[1:]
            for header, value in zip(table.headers[1:], values):
                if value == "" and len(values) > 1:
                    continue  # a share that does not apply
                yield [table.title, item, header, value]


def to_csv(tables: list[Table], *, excel: bool = False, language: str = "en") -> bytes:
    """One table (section, item, measure, value) that pandas or any spreadsheet reads as it is."""
    return _write_csv((_("Section"), _("Item"), _("Measure"), _("Value")), long_rows(tables), excel, language)


def _write_csv(headers: Iterable[str], rows: Iterable[list[Any]], excel: bool, language: str) -> bytes:
    """UTF-8 with a byte order mark, so Excel shows Cyrillic; formulas neutralised. `excel`: ";" between cells
    and, in kk and ru, decimal commas, as Excel set to Kazakh or Russian expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=";" if excel else ",")
    decimal_comma = excel and language in ("kk", "ru")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_plain(v, decimal_comma) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_csv(table: Table, *, excel: bool = False, language: str = "en") -> bytes:
    """One table as it is (its headers, then its rows), with the same care as the report's CSV."""
    return _write_csv(table.headers, table.rows, excel, language)


NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0%", "whole_percent": "0%", "hours": "#,##0.0"}


def to_xlsx(tables: list[Table]) -> bytes:
    """A workbook in write-only mode (rows streamed to the file), one sheet per kind of block."""
    # not a cycle: openpyxl and WeasyPrint are slow to import and only the downloads need them
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheets: dict[str, Any] = {}
    bold, heading = Font(bold=True), Font(bold=True, size=13)
    for table in tables:
        name = table.sheet or table.title
        sheet = sheets.get(name)
        if sheet is None:
            sheet = sheets[name] = workbook.create_sheet(_sheet_title(name, sheets))
            sheet.column_dimensions["A"].width = 42
            for letter in "BCDEFG":
                sheet.column_dimensions[letter].width = 18
        else:
            sheet.append([])
        title = WriteOnlyCell(sheet, value=neutralise(table.title))
        title.font = heading
        sheet.append([title])
        headers = []
        for header in table.headers:
            cell = WriteOnlyCell(sheet, value=neutralise(header))
            cell.font = bold
            headers.append(cell)
        sheet.append(headers)
        for row in table.rows:
            cells = []
            for value in row:
                if isinstance(value, tuple):
                    number, kind = value
                    cell = WriteOnlyCell(sheet, value=number)
                    cell.number_format = NUMBER_FORMATS.get(kind, "General")
                else:
                    cell = WriteOnlyCell(sheet, value=neutralise(value))
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str, taken: dict[str, Any]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in name)[:31].strip() or "Sheet"
    return clean if clean not in taken else f"{clean[:28]} {len(taken) + 1}"


def prepared_for(user: Any) -> str:
    """Whose report a printed copy is: the funder organisation's name, or every initiative's."""
    funder = getattr(user, "funder", None) if is_funder(user) else None
    if funder is not None:
        return _("Prepared for %(funder)s", funder=funder.name)
    return _("All initiatives of the programme")


def to_pdf(view: ReportView, schools: Any = None, *, user: Any = None) -> bytes:
    """The report as a printable PDF (WeasyPrint; DejaVu Sans has every Kazakh letter): it says whose report
    it is, the filters, and when it was made, on its first page."""
    from weasyprint import HTML  # slow to import; only the PDF download needs it

    html = render_template("reports/impact_pdf.html", view=view, schools=schools, prepared_for=prepared_for(user),
                           region_names=view.region_names, generated=presenter.generated_text(view))
    return HTML(string=html).write_pdf()


def export_report(user: Any, fmt: str, filters: dict[str, Any], *, excel: bool = False) -> bytes:
    """The impact report in one of FORMATS, for this user (funders: suppressed; staff: with schools);
    `excel`: the CSV as Excel reads it in the viewer's language."""
    if fmt == "pdf":
        view, schools = load(user, filters, all_schools=False, schools_per_page=PDF_SCHOOLS)
        return to_pdf(view, schools, user=user)
    view, schools = load(user, filters)
    tables = report_tables(view, schools)
    if fmt == "csv":
        return to_csv(tables, excel=excel, language=current_language())
    return to_xlsx(tables)


def filename(fmt: str, suffix: str = "impact-report") -> str:
    return f"{suffix}-{datetime.now(local_tz()).date().isoformat()}.{fmt}"


# -- every sign-up, streamed -------------------------------------------------------------------

def signups_csv(user: Any, rows_per_chunk: int = 1000) -> Iterator[str]:
    """Anonymous rows (no name, no student id), a chunk of text at a time, in flat memory."""
    rows = services.signup_rows(user)  # checks the role before the first byte is sent
    return _signup_chunks(rows, rows_per_chunk)


def _signup_chunks(rows: Iterable[services.SignupRow], rows_per_chunk: int) -> Iterator[str]:
    tz = local_tz()
    yes, no, not_recorded = _("yes"), _("no"), _("not recorded")
    statuses = {key: str(label) for key, label in SIGNUP_STATUSES.items()}
    genders = {key: str(label) for key, label in GENDER_LABELS.items()}
    settlements = {key: str(label) for key, label in SETTLEMENT_LABELS.items()}
    bands = {key: str(label) for key, label in BAND_LABELS.items()}
    regions = {r.code: localize(r.names).text for r in db.session.scalars(select(Region))}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Workshop number"), _("Workshop"), _("Date"), _("Region of the school"), _("Urban/rural"),
                     _("Grades"), _("Gender"), _("Status"), _("Attended")])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    current: tuple[int, str, str] | None = None
    count = 0
    for row in rows:
        if current is None or current[0] != row.workshop_id:  # rows of one workshop come together
            current = (row.workshop_id, neutralise(localize(row.workshop_title).text),
                       row.starts_at.astimezone(tz).date().isoformat())
        if row.status != "confirmed":
            attended = ""
        else:
            attended = not_recorded if row.attended is None else (yes if row.attended else no)
        writer.writerow([row.workshop_id, current[1], current[2], regions.get(row.region_code, row.region_code),
                         settlements.get(row.settlement_type, row.settlement_type), bands.get(row.grade_band),
                         genders.get(row.gender, row.gender), statuses.get(row.status, row.status), attended])
        count += 1
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
