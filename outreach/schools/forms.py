"""Forms for the schools directory: a school, the list filters, and an invitation."""
from __future__ import annotations

from typing import Any

from wtforms import EmailField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from outreach.forms import BaseForm, FilterSelectField, email, max_length, optional, required
from outreach.i18n import LANGUAGES, _l, _lp
from outreach.schools.models import INSTRUCTION_LANGUAGES
from outreach.schools.services import LOCALITY_MAX, NAME_MAX, PERSON_NAME_MAX

SETTLEMENT_LABELS = {"urban": _l("Urban"), "rural": _l("Rural")}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SchoolForm(BaseForm):
    name = StringField(_l("Name of the school"), validators=[required(), max_length(NAME_MAX)])
    region = SelectField(_l("Region"), choices=[], validators=[required()])
    locality = StringField(_l("City, town or village"), validators=[required(), max_length(LOCALITY_MAX)])
    settlement_type = RadioField(_l("Settlement"), choices=list(SETTLEMENT_LABELS.items()),
                                 validators=[required()])
    languages = CheckboxesField(_l("Languages of instruction"), choices=list(INSTRUCTION_LANGUAGES.items()))

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name.data, "region": self.region.data, "locality": self.locality.data,
                "settlement_type": self.settlement_type.data, "languages": list(self.languages.data or [])}

    def fill_from(self, school: Any) -> None:
        self.name.data = school.name
        self.region.data = school.region_code
        self.locality.data = school.locality
        self.settlement_type.data = school.settlement_type
        self.languages.data = school.languages

    def show_errors(self, fields: dict[str, list[Any]]) -> None:
        for name, messages in fields.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = list(field.errors) + [str(m) for m in messages if str(m) not in field.errors]


class SchoolFilterForm(BaseForm):
    """The directory's filters and search (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_lp("schools", "Search by name"), validators=[optional(), max_length(NAME_MAX)])
    region = FilterSelectField(_l("Region"), choices=[], validators=[optional()], validate_choice=False)
    settlement_type = FilterSelectField(_l("Settlement"), choices=[("", _l("Urban and rural")),
                                                             *SETTLEMENT_LABELS.items()], validators=[optional()])
    language = FilterSelectField(_l("Language of instruction"), choices=[("", _l("All languages")),
                                                                   *INSTRUCTION_LANGUAGES.items()],
                           validators=[optional()])


class InviteForm(BaseForm):
    email = EmailField(_l("Email"), validators=[required(), email(), max_length(254)])
    name = StringField(_l("Full name"), validators=[optional(), max_length(PERSON_NAME_MAX)])
    locale = SelectField(_l("Language of the invitation"), choices=list(LANGUAGES.items()), default="kk")

    def to_data(self) -> dict[str, Any]:
        return {"email": self.email.data, "name": self.name.data or "", "locale": self.locale.data}

    def show_errors(self, fields: dict[str, list[Any]]) -> None:
        for name, messages in fields.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = list(field.errors) + [str(m) for m in messages if str(m) not in field.errors]
