"""Checking the rows of a roster import: what the preview shows (problems per row), each row's values, and the
same student twice in a file or already on the roster."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from sqlalchemy import select

from outreach import params
from outreach.extensions import db
from outreach.i18n import _l
from outreach.students.import_columns import FIELD_TITLES, GUARDIAN_FIELDS, parse_gender, parse_grade, parse_yes_no
from outreach.students.models import Student, fold, folded_name
from outreach.students.rules import MAX_GUARDIAN_NAME, MAX_NAME, MAX_RELATIONSHIP, clean_text
from outreach.text import normalized, problem as text_problem

# --- what the preview shows -----------------------------------------------------------------------

@dataclass
class Problem:
    """One problem: a row number as in the spreadsheet (None: the whole file), the column as headed there."""

    row: int | None
    column: str | None
    message: Any

    def __post_init__(self) -> None:
        # a plain string in the reader's language: lazy strings pass as safe HTML, and some carry cell values
        self.message = str(self.message)


@dataclass
class ImportRow:
    number: int
    cells: dict[str, str]
    first_name: str = ""
    last_name: str = ""
    grade: int | None = None
    gender: str | None = None
    guardian_name: str = ""
    relationship: str = ""
    media_consent: bool = False
    problems: list[Problem] = field(default_factory=list)
    #: the file has guardian columns (a class list from an e-journal has none)
    guardian_columns: bool = True
    #: the same student (names and grade, folded) is already on the roster: recognised and left as it is
    existing: bool = False

    def values(self) -> dict[str, Any]:
        return {"number": self.number, "first_name": self.first_name, "last_name": self.last_name,
                "grade": self.grade, "gender": self.gender, "guardian_name": self.guardian_name,
                "relationship": self.relationship, "media_consent": "1" if self.media_consent else "",
                "guardian_columns": self.guardian_columns}

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportPreview:
    filename: str
    rows: list[ImportRow]
    columns: dict[str, str]  # field -> the header as written in the file
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about the whole file
    file_format: str = ""
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def row_problems(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.problems]

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.problems, *self.row_problems]

    @property
    def rows_with_problems(self) -> int:
        return sum(1 for row in self.rows if row.problems)

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.all_problems

    @property
    def new_rows(self) -> list[ImportRow]:
        """The rows that would become students: correct, and not already on the roster."""
        return [row for row in self.rows if row.ok and not row.existing]

    @property
    def existing_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.ok and row.existing]

    @property
    def can_import(self) -> bool:
        """Something can be added: the file itself is usable and at least one row is new and correct (the rows
        with problems are skipped only when the person importing chooses so)."""
        return not self.problems and bool(self.new_rows)

    @property
    def guardian_columns(self) -> bool:
        return all(row.guardian_columns for row in self.rows)
_MISSING = {
    "first_name": _l("The first name is missing."),
    "last_name": _l("The last name is missing."),
    "guardian_name": _l("The guardian's name is missing: consent needs it for every student."),
    "relationship": _l("The guardian's relationship to the student is missing."),
}
_LIMITS = {"first_name": MAX_NAME, "last_name": MAX_NAME, "guardian_name": MAX_GUARDIAN_NAME,
           "relationship": MAX_RELATIONSHIP}


def check_row(row: ImportRow, columns: Mapping[str, str]) -> None:
    """Fill the typed values of a row from its cells and note each problem."""
    def problem(name: str, message: Any) -> None:
        row.problems.append(Problem(row.number, columns.get(name, str(FIELD_TITLES[name])), message))

    for name in ("last_name", "first_name", *(GUARDIAN_FIELDS if row.guardian_columns else ())):
        raw = row.cells.get(name, "")
        value = normalized(clean_text(raw))  # NFC, as the forms and the API keep names (outreach/text.py)
        if params.has_control_characters(value):
            problem(name, _l("Contains control characters (invisible characters that are not text). Type the "
                             "value again in the file and upload it again."))
            value = params.CONTROL_CHARACTERS.sub("", value)
        elif text_problem(value) is not None:
            problem(name, _l("Contains invisible formatting characters (such as text direction marks or zero-width "
                             "spaces). Type the value again in the file and upload it again."))
            value = params.FORMAT_CHARACTERS.sub("", value)
        elif not value:
            problem(name, _MISSING[name])
        elif len(value) > _LIMITS[name]:
            problem(name, _l("At most %(n)s characters.", n=_LIMITS[name]))
        elif "?" in value:
            problem(name, _l("“%(value)s” contains “?”: letters were probably lost when the file was saved. Save it "
                             "as “CSV UTF-8” or as an Excel workbook (.xlsx) and upload it again.", value=value))
        setattr(row, name, value)
    row.grade, message = parse_grade(row.cells.get("grade", ""))
    if message is not None:
        problem("grade", message)
    row.gender, message = parse_gender(row.cells.get("gender", ""))
    if message is not None:
        problem("gender", message)
    row.media_consent, message = parse_yes_no(row.cells.get("media_consent", ""))
    if message is not None:
        problem("media_consent", message)


def _duplicate_key(first_name: str, last_name: str, grade: int | None) -> tuple[str, str, int | None]:
    return fold(first_name), fold(last_name), grade


def check_duplicates(rows: Sequence[ImportRow], school_id: int | None, columns: Mapping[str, str]) -> None:
    """Two rows for one student are a problem; a student already on the roster (same names and grade) is
    recognised (`existing`) and will be left as it is: re-importing an updated class list adds only the new."""
    first_seen: dict[tuple[str, str, int | None], int] = {}
    candidates = [row for row in rows if row.first_name and row.last_name and row.grade is not None]
    for row in candidates:
        key = _duplicate_key(row.first_name, row.last_name, row.grade)
        if key in first_seen:
            row.problems.append(Problem(row.number, columns.get("last_name", str(FIELD_TITLES["last_name"])),
                                        _l("The same student (names and grade) is already in row %(row)s of this "
                                           "file.", row=first_seen[key])))
        else:
            first_seen[key] = row.number
    if school_id is None or not candidates:
        return
    wanted = {folded_name(row.first_name, row.last_name) for row in candidates}
    on_roster: set[tuple[str | None, int]] = set()
    names = sorted(n for n in wanted if n)
    for start in range(0, len(names), 500):  # keep the IN list a sensible size
        on_roster.update(db.session.execute(
            select(Student.name_folded, Student.grade).where(
                Student.school_id == school_id, Student.erased_at.is_(None),
                Student.name_folded.in_(names[start:start + 500]))).tuples())
    on_roster = {(name, grade) for name, grade in on_roster}
    for row in candidates:
        row.existing = (folded_name(row.first_name, row.last_name), row.grade) in on_roster
