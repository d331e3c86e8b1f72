"""Forms of the roster pages: the shape of the input only; the rules are in services."""
from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired

from outreach.forms import BaseForm, DateField, FilterSelectField, int_or_none, max_length, optional, required
from outreach.i18n import _l, _lp, ngettext
from outreach.students.import_files import MAX_BYTES, MAX_ROWS
from outreach.students.models import CONSENT_METHODS, GENDERS
from outreach.students.rules import MAX_GRADE, MAX_GUARDIAN_NAME, MAX_NAME, MAX_RELATIONSHIP, MIN_GRADE, today

RELATIONSHIP_SUGGESTIONS = (_l("mother"), _l("father"), _l("grandmother"), _l("grandfather"), _l("aunt"),
                            _l("uncle"), _l("guardian"))


def grade_label(grade: int) -> str:
    if grade == 0:
        return str(_l("0 — pre-school class"))
    return str(grade)


def grade_choices(blank: Any) -> list[tuple[Any, Any]]:
    return [("", blank)] + [(g, grade_label(g)) for g in range(MIN_GRADE, MAX_GRADE + 1)]



def consent_method_choices() -> list[tuple[str, Any]]:
    """No method is chosen for the user: consent is recorded the way it was really given (paper or electronic)."""
    return [("", _l("Choose…"))] + list(CONSENT_METHODS.items())

class StudentForm(BaseForm):
    """A student and the guardian's consent; school_id only for coordinators and administrators."""

    school_id = SelectField(_l("School"), coerce=int_or_none, validators=[required()])
    last_name = StringField(_l("Last name"), validators=[required(), max_length(MAX_NAME)])
    first_name = StringField(_l("First name"), validators=[required(), max_length(MAX_NAME)])
    grade = SelectField(_l("Grade"), coerce=int_or_none, validators=[required()])
    gender = SelectField(_l("Gender"), validators=[required()])
    guardian_name = StringField(_l("Guardian's full name"), validators=[required(), max_length(MAX_GUARDIAN_NAME)])
    relationship = StringField(_l("Relationship to the student"),
                               validators=[required(), max_length(MAX_RELATIONSHIP)])
    given_on = DateField(_l("Date consent was given"), validators=[required()], format="%Y-%m-%d", default=today)
    method = SelectField(_l("How consent was given"), choices=consent_method_choices(), default="",
                         validators=[required()])
    media_consent = BooleanField(_l("The guardian agreed to photos and video of the student at workshops"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, schools: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grade.choices = grade_choices(_l("Choose…"))
        self.gender.choices = [("", _l("Choose…"))] + list(GENDERS.items())
        self.relationship.render_kw = {"list": "relationship-suggestions"}
        self.given_on.render_kw = {"max": today().isoformat()}
        for name in ("last_name", "first_name", "guardian_name"):
            self[name].render_kw = {"autocomplete": "off"}
        if schools is None:
            del self.school_id
        else:
            self.school_id.choices = [("", _l("Choose…"))] + schools

    def data_for_service(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "first_name": self.first_name.data, "last_name": self.last_name.data, "grade": self.grade.data,
            "gender": self.gender.data or None, "media_consent": bool(self.media_consent.data),
            "guardian_consent": {"guardian_name": self.guardian_name.data, "relationship": self.relationship.data,
                                 "given_on": self.given_on.data, "method": self.method.data},
        }
        if "school_id" in self:
            data["school_id"] = self.school_id.data
        return data

    def show_service_errors(self, fields: dict[str, list[Any]]) -> None:
        """Put the service's field errors (API names, dotted for consent) next to the inputs."""
        for name, messages in fields.items():
            field_name = name.split(".", 1)[1] if name.startswith("guardian_consent.") else name
            target = self._fields.get(field_name)
            if name == "guardian_consent":
                target = self.guardian_name
            if target is not None:
                target.errors = list(target.errors or []) + [str(m) for m in messages]


class RosterFilterForm(BaseForm):
    """The roster's filters as the page reads them (GET, no CSRF token needed); the name comes from a held search."""

    class Meta:
        csrf = False

    q = SearchField(_lp("students", "Search by name"), validators=[optional(), max_length(100)])
    grade = FilterSelectField(_l("Grade"), coerce=int_or_none, validators=[optional()])
    school_id = FilterSelectField(_l("School"), coerce=int_or_none, validators=[optional()])

    def __init__(self, *args: Any, schools: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grade.choices = grade_choices(_l("All grades"))
        if schools is None:
            del self.school_id
        else:
            self.school_id.choices = [("", _l("All schools"))] + schools


class RosterSearchForm(RosterFilterForm):
    """The same fields sent by POST (outreach/students/searches.py): a child's name never goes into a URL."""

    class Meta:
        csrf = True


class ImportUploadForm(BaseForm):
    step = HiddenField(default="preview")
    school_id = SelectField(_l("School"), coerce=int_or_none, validators=[required()])
    file = FileField(_l("Excel (.xlsx) or CSV file"), description=_l(".xlsx or .csv, at most %(mb)s MB and %(rows)s students.", mb=MAX_BYTES // (1024 * 1024), rows=MAX_ROWS), validators=[FileRequired(message=_l("Choose a file to upload."))],
                     render_kw={"accept": ".xlsx,.csv,text/csv,"
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    submit = SubmitField(_l("Check the file"))

    def __init__(self, *args: Any, schools: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.school_id
        else:
            self.school_id.choices = [("", _l("Choose…"))] + schools


class ImportConfirmForm(BaseForm):
    """Consent confirmed once for the whole file."""

    step = HiddenField(default="confirm")
    token = HiddenField()
    method = SelectField(_l("How consent was given"), choices=consent_method_choices(), default="",
                         validators=[required()])
    given_on = DateField(_l("Date consent was given"), validators=[required()], format="%Y-%m-%d", default=today)
    confirmed = BooleanField(_l("I confirm that guardian consent was collected for every student in this file, "
                                "from the guardian named in their row, by the method and on the date above."),
                             validators=[InputRequired(message=_l("Confirm that guardian consent was collected "
                                                                  "for every student in the file."))])
    skip_invalid = BooleanField(_l("Import the correct rows and skip the rows with problems"))
    submit = SubmitField(_l("Add the students"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.given_on.render_kw = {"max": today().isoformat()}

    def for_preview(self, preview: Any) -> None:
        """Word the choices for this file: how many rows go in, how many are skipped; without guardian
        columns, consent is confirmed for the whole file with no guardian named per row."""
        new, invalid = len(preview.new_rows), preview.rows_with_problems
        self.skip_invalid.label.text = ngettext(
            "Import the %(num)s correct student and skip the rows with problems (%(bad)s)",
            "Import the %(num)s correct students and skip the rows with problems (%(bad)s)", new, bad=invalid)
        if not preview.guardian_columns:
            self.confirmed.label.text = _l("I confirm that guardian consent was collected for every student in this "
                                           "file, by the method and on the date above. The guardians' names can be "
                                           "added to each student later.")

    def show_service_errors(self, fields: dict[str, list[Any]]) -> None:
        for name, messages in fields.items():
            target = self._fields.get(name)
            if target is not None:
                target.errors = list(target.errors or []) + [str(m) for m in messages]


class EraseForm(BaseForm):
    submit = SubmitField(_l("Erase the student"))


class KeepForm(BaseForm):
    """Keep a student whose retention period is ending (the button of /students/retention)."""

    submit = SubmitField(_l("Still in the programme"))
