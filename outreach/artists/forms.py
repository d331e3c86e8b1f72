"""Forms for teaching artists and venues: the records, the list filters, a merge, an unavailable period."""
from __future__ import annotations

from typing import Any

from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from outreach.artists.records import NAME_MAX
from outreach.forms import BaseForm, DateField, FilterSelectField, int_or_none, max_length, number_range, optional, \
    required
from outreach.i18n import _l
from outreach.initiatives.models import ART_FORMS
from outreach.workshops.models import DELIVERY_LANGUAGES

CONFIRM_LABEL = _l("This is another person or place with a similar name: save it anyway")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _RecordForm(BaseForm):
    def show_errors(self, fields: dict[str, list[Any]]) -> None:
        for name, messages in fields.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = list(field.errors) + [str(m) for m in messages if not isinstance(m, int)]


class ArtistForm(_RecordForm):
    name = StringField(_l("Last and first name"), validators=[required(), max_length(NAME_MAX)])
    art_forms = CheckboxesField(_l("Art forms"), choices=list(ART_FORMS.items()), validators=[optional()])
    languages = CheckboxesField(_l("Languages of delivery"), choices=list(DELIVERY_LANGUAGES.items()),
                                validators=[optional()])
    home_region = SelectField(_l("Home region"), choices=[], validators=[optional()], validate_choice=False)
    email = StringField(_l("Email"), validators=[optional(), max_length(254)])
    phone = StringField(_l("Phone"), validators=[optional(), max_length(40)])
    confirm_distinct = BooleanField(CONFIRM_LABEL)

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name.data, "art_forms": list(self.art_forms.data or []),
                "languages": list(self.languages.data or []), "home_region": self.home_region.data or None,
                "email": self.email.data or None, "phone": self.phone.data or None}

    def fill_from(self, artist: Any) -> None:
        self.name.data, self.art_forms.data, self.languages.data = artist.name, artist.art_forms, artist.languages
        self.home_region.data, self.email.data, self.phone.data = artist.home_region, artist.email, artist.phone


class VenueForm(_RecordForm):
    name = StringField(_l("Name"), validators=[required(), max_length(NAME_MAX)])
    region = SelectField(_l("Region"), choices=[], validators=[required()], validate_choice=False)
    locality = StringField(_l("Locality (town or village)"), validators=[required(), max_length(120)])
    address = StringField(_l("Address"), validators=[optional(), max_length(300)])
    capacity = IntegerField(_l("Capacity (seats)"), validators=[optional(), number_range(1, 100_000)])
    confirm_distinct = BooleanField(CONFIRM_LABEL)

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name.data, "region": self.region.data, "locality": self.locality.data,
                "address": self.address.data or None, "capacity": self.capacity.data}

    def fill_from(self, venue: Any) -> None:
        self.name.data, self.region.data, self.locality.data = venue.name, venue.region, venue.locality
        self.address.data, self.capacity.data = venue.address, venue.capacity


class RecordFilterForm(BaseForm):
    """The list's search and region filter (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, in any spelling"), validators=[optional(), max_length(NAME_MAX)])
    region = FilterSelectField(_l("Region"), choices=[], validators=[optional()], validate_choice=False)


class MergeForm(BaseForm):
    keep_id = SelectField(_l("Keep this record"), coerce=int_or_none, choices=[], validators=[required()],
                          validate_choice=False)
    other_id = SelectField(_l("Merge this record into it (it is then deleted)"), coerce=int_or_none, choices=[],
                           validators=[required()], validate_choice=False)


class UnavailableForm(BaseForm):
    date_from = DateField(_l("From"), validators=[required()])
    date_to = DateField(_l("To (included)"), validators=[required()])
    reason = StringField(_l("Reason (leave, tour)"), validators=[optional(), max_length(200)])


class HoursPeriodForm(BaseForm):
    """The pay sheet's period (a GET form: no CSRF token); both dates included."""

    class Meta:
        csrf = False

    first = DateField(_l("From"), validators=[optional()])
    last = DateField(_l("To"), validators=[optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.first.data and self.last.data and self.last.data < self.first.data:
            self.last.errors = list(self.last.errors) + [_l("The end date must not be before the start date.")]
            return False
        return valid
