"""Forms for initiatives: the edit form (one input per language) and the list filters."""
from __future__ import annotations

from typing import Any

from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from outreach.forms import (
    BaseForm, DateField, FilterSelectField, int_or_none, max_length, number_range, optional, required,
)
from outreach.i18n import LANGUAGES, _l
from outreach.initiatives.rules import ART_FORMS, INITIATIVE_STATUSES
from outreach.initiatives.services import DESCRIPTION_MAX, TARGET_MAX, TITLE_MAX



class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (easier than a multi-select on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InitiativeForm(BaseForm):
    title_kk = StringField(_l("Title (Kazakh)"), validators=[optional(), max_length(TITLE_MAX)])
    title_ru = StringField(_l("Title (Russian)"), validators=[optional(), max_length(TITLE_MAX)])
    title_en = StringField(_l("Title (English)"), validators=[optional(), max_length(TITLE_MAX)])
    description_kk = TextAreaField(_l("Description (Kazakh)"), validators=[optional(), max_length(DESCRIPTION_MAX)])
    description_ru = TextAreaField(_l("Description (Russian)"), validators=[optional(), max_length(DESCRIPTION_MAX)])
    description_en = TextAreaField(_l("Description (English)"), validators=[optional(), max_length(DESCRIPTION_MAX)])
    art_form = SelectField(_l("Art form"), choices=list(ART_FORMS.items()), validators=[required()])
    starts_on = DateField(_l("Starts on"), validators=[required()])
    ends_on = DateField(_l("Ends on"), validators=[required()])
    target_students = IntegerField(_l("Target number of students"),
                                   validators=[optional(), number_range(0, TARGET_MAX)])
    funder_ids = CheckboxesField(_l("Funders"), coerce=int, choices=[])

    def to_data(self) -> dict[str, Any]:
        """The service's data dict, with the API's field names."""
        return {
            "title": {code: getattr(self, f"title_{code}").data or "" for code in LANGUAGES},
            "description": {code: getattr(self, f"description_{code}").data or "" for code in LANGUAGES},
            "art_form": self.art_form.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "target_students": self.target_students.data,
            "funder_ids": list(self.funder_ids.data or []),
        }

    def fill_from(self, initiative: Any) -> None:
        for code in LANGUAGES:
            getattr(self, f"title_{code}").data = (initiative.title or {}).get(code, "")
            getattr(self, f"description_{code}").data = (initiative.description or {}).get(code, "")
        self.art_form.data = initiative.art_form
        self.starts_on.data = initiative.starts_on
        self.ends_on.data = initiative.ends_on
        self.target_students.data = initiative.target_students
        self.funder_ids.data = [f.id for f in initiative.funders]

    def show_errors(self, fields: dict[str, list[Any]]) -> None:
        """Put a service's field errors (API names) next to the inputs they concern."""
        for name, messages in fields.items():
            base, _dot, code = name.partition(".")
            if base in ("title", "description"):
                targets = [f"{base}_{code}"] if code in LANGUAGES else [f"{base}_kk"]
            else:
                targets = [base]
            for target in targets:
                field = getattr(self, target, None)
                if field is not None:
                    field.errors = list(field.errors) + [str(m) for m in messages if str(m) not in field.errors]


class InitiativeFilterForm(BaseForm):
    """The list filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    art_form = FilterSelectField(_l("Art form"), choices=[("", _l("All art forms")), *ART_FORMS.items()],
                           validators=[optional()])
    funder = FilterSelectField(_l("Funder"), choices=[], coerce=int_or_none,
                         validators=[optional()], validate_choice=False)
    status = FilterSelectField(_l("Status"), choices=[("active", INITIATIVE_STATUSES["active"]),
                                                ("archived", INITIATIVE_STATUSES["archived"]),
                                                ("all", _l("Active and archived"))],
                         default="active", validators=[optional()])
