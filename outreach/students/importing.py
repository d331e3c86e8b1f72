"""Importing a roster from Excel (.xlsx) or CSV: read, check every row, then add all students or none.

CSV files come in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or Windows-1251, separated
by commas, semicolons or tabs (Excel in Kazakh and Russian locales writes `;` and cp1251). Column headers
may be in Kazakh, Russian or English. Between the preview and the confirmation the checked rows wait
server-side in the import_preview table under a random token (an hour at most), never in the browser.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from flask_babel import format_decimal
from sqlalchemy import delete, select, update

from outreach import params
from outreach.text import normalized, problem as text_problem
from outreach.naming import casefold
from outreach.access import is_school_rep
from outreach.audit import services as audit
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _, _l, force_locale, ngettext
from outreach.schools.models import School
from outreach.students.import_files import (
    HEADER_SEARCH_ROWS, MAX_BYTES, MAX_ROWS, cell_text, file_error, nonempty_count, read_table, too_many_rows,
)
from outreach.students.models import GENDERS, GuardianConsent, Student, fold, folded_name
from outreach.students.models import ImportPreview as ImportPreviewRow
from outreach.students.rules import (
    MAX_GRADE, MAX_GUARDIAN_NAME, MAX_NAME, MAX_RELATIONSHIP, MIN_GRADE, check_roster_actor, clean_text,
    consent_date_error, consent_method_error,
)

PENDING_TTL = timedelta(hours=1)

FIELDS = ("last_name", "first_name", "grade", "gender", "guardian_name", "relationship", "media_consent")
REQUIRED = ("last_name", "first_name", "grade", "gender")
#: a class list from the school's e-journal has no guardian columns: then consent is confirmed for the whole
#: file, and the guardians' names can be filled in later; with one of the two columns, the other is needed too
GUARDIAN_FIELDS = ("guardian_name", "relationship")

FIELD_TITLES = {
    "last_name": _l("Last name"),
    "first_name": _l("First name"),
    "full_name": _l("Full name"),
    "grade": _l("Grade"),
    "gender": _l("Gender"),
    "guardian_name": _l("Guardian"),
    "relationship": _l("Relationship"),
    "media_consent": _l("Photos and video"),
}

#: The template's column headers in each language (also recognised on import).
TEMPLATE_HEADERS: dict[str, dict[str, str]] = {
    "kk": {"last_name": "Тегі", "first_name": "Аты", "grade": "Сынып", "gender": "Жынысы",
           "guardian_name": "Заңды өкіл", "relationship": "Туыстығы", "media_consent": "Фото және бейне"},
    "ru": {"last_name": "Фамилия", "first_name": "Имя", "grade": "Класс", "gender": "Пол",
           "guardian_name": "Законный представитель", "relationship": "Кем приходится",
           "media_consent": "Фото и видео"},
    "en": {"last_name": "Last name", "first_name": "First name", "grade": "Grade", "gender": "Gender",
           "guardian_name": "Guardian", "relationship": "Relationship", "media_consent": "Photos and video"},
}
#: Gender values written into the template's drop-down, per language.
TEMPLATE_GENDERS: dict[str, dict[str, str]] = {
    "kk": {"female": "әйел", "male": "ер", "unspecified": "көрсетілмеген"},
    "ru": {"female": "женский", "male": "мужской", "unspecified": "не указан"},
    "en": {"female": "female", "male": "male", "unspecified": "unspecified"},
}

_HEADER_WORDS: dict[str, set[str]] = {
    "last_name": {"тегі", "тегi", "фамилия", "фамилия ученика", "оқушының тегі", "last name", "lastname",
                  "surname", "family name"},
    "first_name": {"аты", "есімі", "оқушының аты", "имя", "имя ученика", "first name", "firstname", "given name"},
    "full_name": {"аты-жөні", "аты жөні", "оқушының аты-жөні", "тегі аты", "тегі, аты", "фио", "ф и о",
                  "фио ученика", "фамилия имя", "фамилия, имя", "фамилия и имя", "full name", "name", "student",
                  "student name"},
    "grade": {"сынып", "сыныбы", "класс", "grade", "class", "year"},
    "gender": {"жынысы", "жыныс", "пол", "gender", "sex"},
    "guardian_name": {"заңды өкіл", "заңды өкілі", "заңды өкілдің аты-жөні", "ата-анасы", "ата-ана",
                      "законный представитель", "представитель", "родитель", "фио родителя",
                      "фио законного представителя", "guardian", "guardian name", "guardian's name",
                      "parent", "parent name", "parent/guardian", "parent or guardian"},
    "relationship": {"туыстығы", "туыстық", "кім болып келеді", "кем приходится", "степень родства", "родство",
                     "relationship", "relation", "relationship to student", "relationship to the student"},
    # optional: the guardian agreed to photos and video (an empty cell or no column: no)
    "media_consent": {"фото және бейне", "фото, бейне", "фото бейне", "фото", "фотоға келісім", "суретке түсіру",
                      "суретке түсіруге келісім", "фото және бейнеге келісім", "фото и видео", "фото, видео",
                      "фото видео", "фото/видео", "согласие на фото", "согласие на фото и видео",
                      "согласие на фотосъемку", "фотосъемка", "photos and video", "photo and video", "photos",
                      "photo", "media consent", "photo consent", "photos allowed"},
}
#: the words of a media consent cell (an empty cell is no)
_YES_WORDS = {"иә", "ия", "иа", "келісті", "келісемін", "бар", "да", "согласен", "согласна", "согласие есть", "есть",
              "yes", "y", "true", "1", "+", "✓", "✔", "x", "х", "agreed"}
_NO_WORDS = {"жоқ", "келіспеді", "нет", "не согласен", "не согласна", "no", "n", "false", "0", "-", "—", "–"}

_GENDER_WORDS: dict[str, set[str]] = {
    "female": {"female", "f", "girl", "woman", "w", "ж", "жен", "женский", "женщина", "девочка", "д", "әйел", "ә",
               "қыз", "қ", "қыз бала"},
    "male": {"male", "m", "boy", "man", "м", "муж", "мужской", "мужчина", "мальчик", "е", "e", "ер", "ер бала",
             "ұл", "ұ", "ұл бала"},
    "unspecified": {"unspecified", "not specified", "u", "-", "—", "–", "не указан", "не указано",
                    "не указан(о)", "көрсетілмеген", "көрсетілмеді"},
}
_PRESCHOOL_WORDS = {"мектепалды", "мектепалды сыныбы", "предшкольный", "предшкольный класс", "предшкола",
                    "pre-school", "preschool", "pre-school class", "preschool class"}
_GRADE_NOISE = {"класс", "кл", "сынып", "сыныбы", "grade", "class"}
_GRADE_RE = re.compile(r"(-?\d{1,3})(?:[.,]0+)?(?:\s*[-–]?\s*[«\"'“]?\s*[^\W\d_]\s*[»\"'”]?)?")


def _header_key(text: str) -> str:
    text = casefold(text).replace("ё", "е")
    text = re.sub(r"\(.*?\)|[*:№#]", " ", text)
    text = text.replace(".", " ").replace("_", " ")
    return " ".join(text.split()).strip(" ,;")


def _value_key(text: str) -> str:
    return " ".join(casefold(text).replace("ё", "е").split()).rstrip(".")


# Saved as Windows-1251, Kazakh letters that code page lacks become "?": recognise such headers too.
_LOST_IN_CP1251 = str.maketrans({ch: "?" for ch in "әғқңөұүһӘҒҚҢӨҰҮҺ"})
_HEADERS: dict[str, str] = {}
for _name, _words in _HEADER_WORDS.items():
    for _word in _words | {TEMPLATE_HEADERS[lang][_name] for lang in TEMPLATE_HEADERS if _name in TEMPLATE_HEADERS[lang]}:
        _HEADERS[_header_key(_word)] = _name
        _HEADERS.setdefault(_header_key(_word).translate(_LOST_IN_CP1251), _name)
_GENDERS = {_value_key(word): name for name, words in _GENDER_WORDS.items() for word in words}
for _lang_values in TEMPLATE_GENDERS.values():
    for _name, _word in _lang_values.items():
        _GENDERS[_value_key(_word)] = _name


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


def _header_score(rows: Sequence[Sequence[Any]]) -> int:
    """How many known columns the header row of these rows names (0: none found)."""
    found = _find_header(rows)
    return len(found[1]) if found else 0


def _find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[int, str], list[str]] | None:
    """Among the first rows, the first that names at least two known columns."""
    seen = 0
    for index, row in enumerate(rows):
        cells = [cell_text(c) for c in row]
        if not any(cells):
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            break
        mapping: dict[int, str] = {}
        ignored: list[str] = []
        for position, cell in enumerate(cells):
            name = _HEADERS.get(_header_key(cell)) if cell else None
            if name and name not in mapping.values():
                mapping[position] = name
            elif cell:
                ignored.append(cell)
        if len(mapping) >= 2:
            return index, mapping, ignored
    return None


# --- checking the values --------------------------------------------------------------------------

def parse_grade(value: Any) -> tuple[int | None, Any | None]:
    """(grade, None) or (None, problem message)."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    else:
        text = _value_key(cell_text(value))
        if not text:
            return None, _l("The grade is missing.")
        if text in _PRESCHOOL_WORDS:
            return 0, None
        words = [w for w in re.split(r"\s+", text) if w.rstrip(".") not in _GRADE_NOISE]
        match = _GRADE_RE.fullmatch(" ".join(words))
        number = int(match.group(1)) if match else None
    if number is None:
        return None, _l("“%(value)s” is not a grade: enter a whole number from %(low)s to %(high)s "
                        "(%(low)s is the pre-school class).", value=cell_text(value), low=MIN_GRADE, high=MAX_GRADE)
    if not MIN_GRADE <= number <= MAX_GRADE:
        return None, _l("Grade %(value)s is out of range: grades go from %(low)s to %(high)s.",
                        value=number, low=MIN_GRADE, high=MAX_GRADE)
    return number, None


def parse_gender(value: Any) -> tuple[str | None, Any | None]:
    text = _value_key(cell_text(value))
    if not text:
        return None, _l("The gender is missing: write female, male or unspecified.")
    if text in GENDERS:
        return text, None
    gender = _GENDERS.get(text)
    if gender is None:
        return None, _l("“%(value)s” is not a gender Outreach knows: write female, male or unspecified "
                        "(short forms such as F or M work too).", value=cell_text(value))
    return gender, None


_MISSING = {
    "first_name": _l("The first name is missing."),
    "last_name": _l("The last name is missing."),
    "guardian_name": _l("The guardian's name is missing: consent needs it for every student."),
    "relationship": _l("The guardian's relationship to the student is missing."),
}
_LIMITS = {"first_name": MAX_NAME, "last_name": MAX_NAME, "guardian_name": MAX_GUARDIAN_NAME,
           "relationship": MAX_RELATIONSHIP}


def _check_row(row: ImportRow, columns: Mapping[str, str]) -> None:
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


def parse_yes_no(value: Any) -> tuple[bool, Any | None]:
    """A media consent cell: yes (иә, да, +, 1 …) or no (жоқ, нет, empty …), else a problem (the cell left no)."""
    text = _value_key(cell_text(value))
    if not text or text in _NO_WORDS:
        return False, None
    if text in _YES_WORDS:
        return True, None
    return False, _l("“%(value)s” is not a yes or a no: write yes or no (иә or жоқ, да or нет), or leave the cell "
                     "empty for no.", value=cell_text(value))


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
    rows, file_format, encoding, delimiter = read_table(filename, bytes(data), _header_score)
    if not nonempty_count(rows):
        raise file_error(_l("The file is empty."), "file_empty")
    found = _find_header(rows)
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
        _check_row(row, check_columns)
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
        _check_row(row, columns)
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


# --- rows kept between the preview and the confirmation ----------------------------------------

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _valid_token(token: Any) -> bool:
    return isinstance(token, str) and _TOKEN_RE.fullmatch(token) is not None


def _payload(row: ImportPreview) -> dict[str, Any]:
    return {"token": row.token, "user_id": row.user_id, "school_id": row.school_id, "filename": row.filename,
            "created_at": row.created_at.isoformat(), "rows": row.rows}


def save_pending(preview: ImportPreview, *, user_id: int, school_id: int) -> str:
    """Keep the checked rows in the database for PENDING_TTL (any app server can confirm); returns the token."""
    purge_pending()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(ImportPreviewRow(token=token, user_id=user_id, school_id=school_id,
                                    filename=(preview.filename or "")[:255],
                                    rows=[row.values() for row in preview.rows], created_at=now,
                                    expires_at=now + PENDING_TTL))
    db.session.flush()
    return token


def load_pending(token: str, *, user_id: int) -> dict[str, Any] | None:
    """The stored import, if it is this user's, not expired and not taken by a confirmation under way."""
    if not _valid_token(token):
        return None
    row = db.session.get(ImportPreviewRow, token)
    if row is None or row.user_id != user_id or row.claimed_at is not None or row.expires_at <= utcnow():
        return None
    return _payload(row)


def discard_pending(token: str) -> None:
    if _valid_token(token):
        db.session.execute(delete(ImportPreviewRow).where(ImportPreviewRow.token == token)
                           .execution_options(synchronize_session=False))


def claim_pending(token: str, *, user_id: int) -> dict[str, Any] | None:
    """Take the stored import for confirming, with one conditional UPDATE: of two clicks on "Add", only one
    gets it (the other waits for the first's transaction and then finds it taken or gone)."""
    if not _valid_token(token):
        return None
    now = utcnow()
    result = db.session.execute(
        update(ImportPreviewRow)
        .where(ImportPreviewRow.token == token, ImportPreviewRow.user_id == user_id,
               ImportPreviewRow.claimed_at.is_(None), ImportPreviewRow.expires_at > now)
        .values(claimed_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    row = db.session.get(ImportPreviewRow, token, populate_existing=True)
    return _payload(row) if row is not None else None


def release_pending(token: str) -> None:
    """Give a claimed import back (the confirmation failed), so that it can be tried again."""
    if _valid_token(token):
        db.session.execute(update(ImportPreviewRow).where(ImportPreviewRow.token == token)
                           .values(claimed_at=None).execution_options(synchronize_session=False))


def purge_pending(max_age: timedelta | None = None) -> int:
    """Delete expired previews (or, with max_age, those older than that); returns how many."""
    now = utcnow()
    condition = (ImportPreviewRow.expires_at <= now if max_age is None
                 else ImportPreviewRow.created_at <= now - max_age)
    result = db.session.execute(delete(ImportPreviewRow).where(condition).execution_options(synchronize_session=False))
    return result.rowcount or 0


def purge_school_previews(school_id: int) -> int:
    """Delete every waiting preview of a school (on erasure of any of its students: they may name the child)."""
    result = db.session.execute(delete(ImportPreviewRow).where(ImportPreviewRow.school_id == school_id)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def preview_from_pending(pending: Mapping[str, Any]) -> ImportPreview:
    """The stored rows as a preview again, checked as they are now."""
    rows = recheck(pending["rows"], pending.get("school_id"))
    columns = {name: str(FIELD_TITLES[name]) for name in FIELDS}
    return ImportPreview(filename=pending.get("filename") or "", rows=rows, columns=columns)


# --- the template -------------------------------------------------------------------------------

def template_file(lang: str, file_format: str) -> tuple[bytes, str, str]:
    """The import template in a language: (bytes, mimetype, filename)."""
    headers = [TEMPLATE_HEADERS[lang][name] for name in FIELDS]
    if file_format == "csv":
        # Excel in Kazakh and Russian locales expects ";"; the BOM tells it the file is UTF-8
        delimiter = "," if lang == "en" else ";"
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(headers)
        return (codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8"), "text/csv",
                f"students-{lang}.csv")
    return _template_xlsx(lang, headers), \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"students-{lang}.xlsx"


def _template_xlsx(lang: str, headers: list[str]) -> bytes:
    # not a cycle: openpyxl is slow to import and only the template download needs it
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    genders = TEMPLATE_GENDERS[lang]
    with force_locale(lang):
        sheet_title = _("Students")
        help_title = _("How to fill in")
        lines = [
            _("One row per student. Keep the first row: it names the columns."),
            _("Grade: a whole number from %(low)s to %(high)s; %(low)s is the pre-school class.",
              low=MIN_GRADE, high=MAX_GRADE),
            _("Gender: %(female)s, %(male)s or %(unspecified)s.", **genders),
            _("Guardian and relationship: who gave consent for the student, for example the mother or father."),
            _("Only add students whose guardians have given consent (print the consent form from Outreach)."),
            _("Photos and video: yes when the guardian agreed to photos and video of the student; leave it empty "
              "for no."),
            _("At most %(rows)s students and %(size)s MB per file.", rows=format_decimal(MAX_ROWS),
              size=MAX_BYTES // (1024 * 1024)),
        ]
        grade_message = _("A whole number from %(low)s to %(high)s.", low=MIN_GRADE, high=MAX_GRADE)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F2")
    for letter, width in zip("ABCDEF", (22, 18, 9, 16, 30, 18)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    grade_rule = DataValidation(type="whole", operator="between", formula1=str(MIN_GRADE), formula2=str(MAX_GRADE),
                                allow_blank=True, showErrorMessage=True, error=grade_message)
    gender_rule = DataValidation(type="list", formula1='"' + ",".join(genders.values()) + '"', allow_blank=True)
    sheet.add_data_validation(grade_rule)
    sheet.add_data_validation(gender_rule)
    grade_rule.add(f"C2:C{MAX_ROWS + 1}")
    gender_rule.add(f"D2:D{MAX_ROWS + 1}")
    notes = workbook.create_sheet(help_title[:31])
    notes.column_dimensions["A"].width = 100
    for line in lines:
        notes.append([line])
        notes.cell(row=notes.max_row, column=1).alignment = Alignment(wrap_text=True)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
