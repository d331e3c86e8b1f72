"""The roster import's template to download, in a language: CSV or an Excel workbook with drop-downs."""
from __future__ import annotations

import codecs
import csv
import io

from flask_babel import format_decimal

from outreach.i18n import _, force_locale
from outreach.students.import_columns import FIELDS, TEMPLATE_GENDERS, TEMPLATE_HEADERS
from outreach.students.import_files import MAX_BYTES, MAX_ROWS
from outreach.students.rules import MAX_GRADE, MIN_GRADE


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
