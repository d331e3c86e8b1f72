"""Importing a roster from Excel (.xlsx) or CSV: read, check every row, then add all students or none.

CSV files come in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or Windows-1251, separated
by commas, semicolons or tabs (Excel in Kazakh and Russian locales writes `;` and cp1251). Column headers
may be in Kazakh, Russian or English. Between the preview and the confirmation the checked rows wait
server-side in the import_preview table under a random token (an hour at most), never in the browser.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Sequence

from flask_babel import format_decimal

from outreach.access import check_roster_actor, is_school_rep
from outreach.audit import services as audit
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _, _l, ngettext
from outreach.schools.models import School
from outreach.students.import_checks import ImportPreview, ImportRow, Problem, check_duplicates, check_row
from outreach.students.import_columns import (
    FIELD_TITLES, FIELDS, GUARDIAN_FIELDS, REQUIRED, TEMPLATE_GENDERS, TEMPLATE_HEADERS, find_header, header_score,
)
from outreach.students.import_files import MAX_BYTES, MAX_ROWS, cell_text, file_error, nonempty_count, read_table, too_many_rows
# the preview store and the template are their own modules; the roster views reach them through `importing`
from outreach.students.import_pending import (
    PENDING_TTL, claim_pending, discard_pending, load_pending, purge_pending, purge_school_previews, release_pending,
    save_pending,
)
from outreach.students.import_template import template_file
from outreach.students.models import GuardianConsent, Student
from outreach.students.rules import clean_text, consent_date_error, consent_method_error

__all__ = ["FIELDS", "FIELD_TITLES", "GUARDIAN_FIELDS", "REQUIRED", "TEMPLATE_GENDERS", "TEMPLATE_HEADERS",
           "PENDING_TTL", "Problem", "ImportRow", "ImportPreview", "ImportResult", "apply_import", "claim_pending",
           "discard_pending", "load_pending", "parse_roster_file", "preview_from_pending", "purge_pending",
           "purge_school_previews", "recheck", "release_pending", "result_summary", "save_pending", "template_file"]


def _split_full_name(text: str) -> tuple[str, str]:
    """"Last First [Patronymic]" → (last, first); a patronymic is not kept (nothing more about a child)."""
    parts = clean_text(text).split(" ")
    if not parts or not parts[0]:
        return "", ""
    return parts[0], (parts[1] if len(parts) > 1 else "")


def parse_roster_file(filename: str, data: bytes, *, school_id: int | None = None) -> ImportPreview:
    """Read and check an uploaded roster; with a school, rows already on its roster are problems too.

    Raises OutreachError (field "file") when the file itself cannot be used: too large, empty, not a
    table, no recognisable header, missing columns, too many rows.
    """
    if data is None or not isinstance(data, (bytes, bytearray)):
        raise file_error(_l("Choose a file to upload."), "file_missing")
    if len(data) > MAX_BYTES:
        raise file_error(_l("The file is too large: at most %(size)s MB can be imported at once. Split it into "
                             "several files.", size=MAX_BYTES // (1024 * 1024)), "file_too_large")
    if not bytes(data).strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise file_error(_l("The file is empty."), "file_empty")
    rows, file_format, encoding, delimiter = read_table(filename, bytes(data), header_score)
    if not nonempty_count(rows):
        raise file_error(_l("The file is empty."), "file_empty")
    found = find_header(rows)
    if found is None:
        raise file_error(_header_help(_l("No column headers were recognised in the file.")), "header_not_found")
    header_index, mapping, ignored = found
    header_cells = [cell_text(c) for c in rows[header_index]]
    columns = {name: header_cells[position] for position, name in mapping.items()}
    has_names = {"first_name", "last_name"} <= set(columns) or "full_name" in columns
    missing = [name for name in REQUIRED if name not in columns and not (
        name in ("first_name", "last_name") and has_names)]
    guardian_columns = any(name in columns for name in GUARDIAN_FIELDS)
    if guardian_columns:
        missing += [name for name in GUARDIAN_FIELDS if name not in columns]
    if missing:
        titles = ", ".join(str(FIELD_TITLES[name]) for name in missing)
        raise file_error(_header_help(ngettext("The file has no column for: %(columns)s.",
                                                "The file has no columns for: %(columns)s.",
                                                len(missing), columns=titles)), "columns_missing")
    body = [(header_index + 1 + offset, row) for offset, row in enumerate(rows[header_index + 1:])]
    body = [(number, row) for number, row in body if any(cell_text(c) for c in row)]
    if not body:
        raise file_error(_l("The file has column headers but no students below them."), "file_empty")
    if len(body) > MAX_ROWS:
        raise too_many_rows()
    import_rows: list[ImportRow] = []
    for index, row in body:
        cells = {name: cell_text(row[position]) if position < len(row) else "" for position, name in mapping.items()}
        if "full_name" in cells and not (cells.get("first_name") or cells.get("last_name")):
            cells["last_name"], cells["first_name"] = _split_full_name(cells["full_name"])
        import_rows.append(ImportRow(number=index + 1, cells=cells, guardian_columns=guardian_columns))
    check_columns = dict(columns)
    if "full_name" in columns:
        check_columns.setdefault("first_name", columns["full_name"])
        check_columns.setdefault("last_name", columns["full_name"])
    for row in import_rows:
        check_row(row, check_columns)
    check_duplicates(import_rows, school_id, check_columns)
    return ImportPreview(filename=filename, rows=import_rows, columns=columns, ignored_columns=ignored,
                         file_format=file_format, encoding=encoding, delimiter=delimiter)


def _header_help(message: Any) -> str:
    expected = "; ".join(", ".join(TEMPLATE_HEADERS[lang][name] for name in FIELDS) for lang in ("kk", "ru", "en"))
    return _("%(problem)s The first row should name the columns, for example: %(expected)s. "
             "Download the template to start from a file that works.", problem=message, expected=expected)


# --- adding the students --------------------------------------------------------------------------

def recheck(values: Sequence[Mapping[str, Any]], school_id: int | None) -> list[ImportRow]:
    """Stored rows checked again from scratch, as things are now (the roster may have changed)."""
    columns = {name: str(FIELD_TITLES[name]) for name in FIELDS}
    rows = []
    for item in values:
        cells = {name: "" if item.get(name) is None else str(item.get(name)) for name in FIELDS}
        try:
            number = int(item.get("number") or 0)
        except (TypeError, ValueError):
            number = 0
        row = ImportRow(number=number, cells=cells, guardian_columns=item.get("guardian_columns", True) is not False)
        check_row(row, columns)
        rows.append(row)
    check_duplicates(rows, school_id, columns)
    return rows


def _import_school(actor: Any, school_id: Any) -> int:
    if is_school_rep(actor):
        return actor.school_id
    try:
        ident = int(school_id)
    except (TypeError, ValueError):
        ident = None
    if ident is None or db.session.get(School, ident) is None:
        raise OutreachError(_l("Choose a school."), fields={"school_id": [_l("Choose a school.")]})
    return ident


def apply_import(preview_rows: Sequence[ImportRow | Mapping[str, Any]], consent: Mapping[str, Any], *,
                 actor: Any, school_id: Any, skip_invalid: bool = False) -> ImportResult:
    """Add the new rows as students with guardian consent, in one transaction: all of them or none.

    Rows already on the roster (same names and grade) are left as they are. A row with a problem stops the
    import, unless `skip_invalid` (the person chose "import the valid rows, skip those with problems"): then
    it is left out and counted. `consent` is confirmed once for the batch: {"given_on": date,
    "method": "paper|electronic", "confirmed": True}; each row brings its guardian's name and relationship
    (a file without guardian columns: none, to be filled in later).
    """
    check_roster_actor(actor)
    school = _import_school(actor, school_id)
    errors: dict[str, list[Any]] = {}
    if not consent.get("confirmed"):
        errors["confirmed"] = [_l("Confirm that guardian consent was collected for every student in the file.")]
    given_on = consent.get("given_on")
    if isinstance(given_on, datetime):
        given_on = given_on.date()
    for name, problem in (("given_on", consent_date_error(given_on)),
                          ("method", consent_method_error(consent.get("method", "paper")))):
        if problem is not None:
            errors[name] = [problem]
    if errors:
        raise OutreachError(_l("Please correct the marked fields."), fields=errors)
    values = [row.values() if isinstance(row, ImportRow) else dict(row) for row in preview_rows]
    if not values:
        raise OutreachError(_l("There are no students to import."), code="import_empty")
    if len(values) > MAX_ROWS:
        raise OutreachError(_l("At most %(limit)s students can be imported at once.", limit=format_decimal(MAX_ROWS)),
                            code="too_many_rows")
    rows = recheck(values, school)
    problems = [p for row in rows for p in row.problems]
    if problems and not skip_invalid:
        messages = [_("Row %(row)s, %(column)s: %(message)s", row=p.row, column=p.column, message=p.message)
                    for p in problems]
        raise OutreachError(ngettext("%(num)s problem was found; nothing was imported.",
                                     "%(num)s problems were found; nothing was imported.", len(problems)),
                            code="import_invalid", fields={"rows": messages})
    method = consent.get("method", "paper")
    new = [row for row in rows if row.ok and not row.existing]
    if not new:
        raise OutreachError(_l("There are no new students to import: every correct row is already on the roster."),
                            code="import_empty")
    students = []
    for row in new:
        student = Student(school_id=school, first_name=row.first_name, last_name=row.last_name, grade=row.grade,
                          gender=row.gender, media_consent=row.media_consent)
        student.consent = GuardianConsent(guardian_name=row.guardian_name or None,
                                          relationship_to_student=row.relationship or None,
                                          given_on=given_on, method=method, recorded_by_id=getattr(actor, "id", None))
        students.append(student)
    db.session.add_all(students)
    db.session.flush()
    result = ImportResult(students, existing=sum(1 for row in rows if row.ok and row.existing),
                          skipped=sum(1 for row in rows if not row.ok))
    audit.record(actor, "students.imported", object_type="school", object_id=school, count=len(students),
                 consent_method=method, already_on_roster=result.existing, skipped_with_problems=result.skipped)
    return result


def result_summary(result: "ImportResult") -> str:
    """What an import did, in one message: added, left as they were (already on the roster), skipped."""
    parts = [ngettext("%(num)s student was added to the roster.", "%(num)s students were added to the roster.",
                      len(result.students))]
    if result.existing:
        parts.append(ngettext("%(num)s student already on the roster was left as it was.",
                              "%(num)s students already on the roster were left as they were.", result.existing))
    if result.skipped:
        parts.append(ngettext("%(num)s row with problems was skipped.", "%(num)s rows with problems were skipped.",
                              result.skipped))
    return " ".join(parts)


@dataclass
class ImportResult:
    students: list[Student]
    existing: int = 0  # rows already on the roster, left as they were
    skipped: int = 0  # rows with problems, left out by choice


def preview_from_pending(pending: Mapping[str, Any]) -> ImportPreview:
    """The stored rows as a preview again, checked as they are now."""
    rows = recheck(pending["rows"], pending.get("school_id"))
    columns = {name: str(FIELD_TITLES[name]) for name in FIELDS}
    return ImportPreview(filename=pending.get("filename") or "", rows=rows, columns=columns)
