"""Forms of the sign-up pages (input shape only; the rules are in services)."""
from __future__ import annotations

from wtforms import HiddenField, SearchField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import StopValidation

from outreach.forms import BaseForm, DateField, FilterSelectField, int_or_none, max_length, optional, row_id
from outreach.i18n import _, _l
from outreach.workshops.rules import DELIVERY_LANGUAGES


def grade_label(grade: int) -> str:
    """'Pre-school class' for grade 0, 'Grade 5' for the others."""
    return _("Pre-school class") if grade == 0 else _("Grade %(grade)s", grade=grade)


_optional_int = int_or_none


class BrowseForm(BaseForm):
    """Filters of the open-workshop list (GET, no CSRF)."""

    class Meta:
        csrf = False

    initiative = FilterSelectField(_l("Initiative"), coerce=_optional_int, validators=[optional()])
    date_from = DateField(_l("From"), validators=[optional()])
    date_to = DateField(_l("To"), validators=[optional()])
    grade = FilterSelectField(_l("Grade fits"), coerce=_optional_int, validators=[optional()])
    language = FilterSelectField(_l("Language of delivery"), validators=[optional()])
    region = FilterSelectField(_l("Region"), validators=[optional()])
    locality = FilterSelectField(_l("Locality"), validators=[optional()])

    def __init__(self, *args, initiatives=(), regions=(), localities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [("", _("All regions"))] + list(regions)
        self.locality.choices = [("", _("All localities"))] + list(localities)
        self.initiative.choices = [("", _("All initiatives"))] + [(i.id, str(i.display_title)) for i in initiatives]
        self.grade.choices = [("", _("Any grade"))] + [(g, grade_label(g)) for g in range(12)]
        self.language.choices = [("", _("Any language"))] + [(k, str(v)) for k, v in DELIVERY_LANGUAGES.items()]

    def filters(self) -> dict:
        """The valid filters only: a mistyped one is ignored (and shown as an error)."""
        self.validate()
        values = {}
        for name in ("date_from", "date_to", "language", "region", "locality"):
            if not getattr(self, name).errors and getattr(self, name).data:
                values[name] = getattr(self, name).data
        if not self.initiative.errors and self.initiative.data:
            values["initiative_id"] = self.initiative.data
        if not self.grade.errors and self.grade.data is not None:
            values["grade"] = self.grade.data
        return values


class SchoolChoiceForm(BaseForm):
    """Coordinators choose whose students to sign up (GET, no CSRF)."""

    class Meta:
        csrf = False

    school_id = SelectField(_l("School"), coerce=_optional_int, validators=[optional()])


class StudentSearchForm(BaseForm):
    """The pick page's search by name, sent by POST (outreach/students/searches.py); school_id: a coordinator's
    chosen school."""

    q = SearchField(_l("Find a student by name"), validators=[optional(), max_length(100)])
    school_id = HiddenField()


class SignupForm(BaseForm):
    # the choices are the school's roster; the service checks each student (404 for another school's)
    student_ids = SelectMultipleField(_l("Students"), coerce=row_id, validate_choice=False)
    submit = SubmitField(_l("Sign up the chosen students"))

    def validate_student_ids(self, field):
        if not field.data:
            raise StopValidation(_("Choose at least one student."))


class CancelForm(BaseForm):
    submit = SubmitField(_l("Cancel the sign-up"))
