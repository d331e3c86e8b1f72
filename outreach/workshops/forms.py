"""Forms for workshops: one workshop, a recurring series, the scope of a change, and the list filters."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.widgets import CheckboxInput, ListWidget

from outreach.dbtypes import local_tz
from outreach.forms import (
    BaseForm, DateField, FilterSelectField, int_or_none, max_length, number_range, optional, required,
)
from outreach.i18n import LANGUAGES, _l
from outreach.workshops.rules import DELIVERY_LANGUAGES, MAX_CAPACITY, MAX_DURATION, MAX_GRADE, MAX_INTERVAL_WEEKS, \
    MAX_SESSIONS, MIN_GRADE, TITLE_MAX, WORKSHOP_STATUSES, local

GRADE_CHOICES = [(0, _l("0 (pre-school class)")), *((n, str(n)) for n in range(MIN_GRADE + 1, MAX_GRADE + 1))]
SCOPES = [("this", _l("This session only")), ("following", _l("This and all following sessions"))]


_int_or_none = int_or_none


def _iso_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


#: the label of the search box that filters a long list of records (static/js/ui.js)
SEARCH_LABEL = _l("Search in the list")


class WorkshopForm(BaseForm):
    # choices are checked by the services, with their own messages
    initiative_id = SelectField(_l("Initiative"), coerce=_int_or_none, choices=[], validators=[required()],
                                validate_choice=False)
    title_kk = StringField(_l("Title (Kazakh)"), validators=[optional(), max_length(TITLE_MAX)])
    title_ru = StringField(_l("Title (Russian)"), validators=[optional(), max_length(TITLE_MAX)])
    title_en = StringField(_l("Title (English)"), validators=[optional(), max_length(TITLE_MAX)])
    date = DateField(_l("Date"), validators=[required()])
    time = TimeField(_l("Start time"), validators=[required()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=90,
                                    validators=[required(), number_range(1, MAX_DURATION)])
    capacity = IntegerField(_l("Capacity (seats)"), default=20, validators=[required(), number_range(1, MAX_CAPACITY)])
    # picked from the records (a searchable list: static/js/app.js adds the search box); choices from the view
    venue_id = SelectField(_l("Venue"), coerce=_int_or_none, choices=[], validators=[required()],
                           validate_choice=False, render_kw={"data-searchable": SEARCH_LABEL})
    artist_id = SelectField(_l("Teaching artist"), coerce=_int_or_none, choices=[], validators=[required()],
                            validate_choice=False, render_kw={"data-searchable": SEARCH_LABEL})
    language = SelectField(_l("Language of delivery"), choices=list(DELIVERY_LANGUAGES.items()), default="kk",
                           validators=[required()], validate_choice=False)
    min_grade = SelectField(_l("From grade"), coerce=_int_or_none, choices=GRADE_CHOICES, default=0,
                            validators=[required()], validate_choice=False)
    max_grade = SelectField(_l("To grade"), coerce=_int_or_none, choices=GRADE_CHOICES, default=MAX_GRADE,
                            validators=[required()], validate_choice=False)
    scope = RadioField(_l("Apply the change to"), choices=SCOPES, default="this", validators=[optional()])

    #: service (API) field name → form field name
    FIELD_MAP = {"starts_at": "date", "title": "title_kk", "instructor": "artist_id", "venue": "venue_id",
                 "title.kk": "title_kk", "title.ru": "title_ru",
                 "title.en": "title_en"}

    def starts_at(self) -> datetime | None:
        if self.date.data is None or self.time.data is None:
            return None
        return datetime.combine(self.date.data, self.time.data, local_tz())

    def to_data(self) -> dict[str, Any]:
        """The service's data dict, with the API's field names and typed values."""
        return {
            "initiative_id": self.initiative_id.data,
            "title": {code: getattr(self, f"title_{code}").data or "" for code in LANGUAGES},
            "starts_at": self.starts_at(),
            "duration_minutes": self.duration_minutes.data,
            "capacity": self.capacity.data,
            "venue_id": self.venue_id.data,
            "artist_id": self.artist_id.data,
            "language": self.language.data,
            "min_grade": self.min_grade.data,
            "max_grade": self.max_grade.data,
        }

    def fill_from(self, workshop: Any) -> None:
        when = local(workshop.starts_at)
        self.initiative_id.data = workshop.initiative_id
        for code in LANGUAGES:
            getattr(self, f"title_{code}").data = (workshop.title or {}).get(code, "")
        self.date.data, self.time.data = when.date(), when.time().replace(tzinfo=None)
        for name in ("duration_minutes", "capacity", "venue_id", "artist_id", "language", "min_grade", "max_grade"):
            getattr(self, name).data = getattr(workshop, name)

    def show_errors(self, fields: dict[str, list[Any]]) -> None:
        """Put a service's field errors (API names) next to the inputs they concern."""
        for name, messages in fields.items():
            target = getattr(self, self.FIELD_MAP.get(name, name), None)
            if target is not None:
                target.errors = list(target.errors) + [str(m) for m in messages if str(m) not in target.errors]


class SeriesForm(WorkshopForm):
    """A workshop and the rule that repeats it."""

    weekdays = CheckboxesField(_l("On these days"), coerce=int, choices=[], validators=[optional()])
    interval_weeks = IntegerField(_l("Every how many weeks"), default=1,
                                  validators=[required(), number_range(1, MAX_INTERVAL_WEEKS)])
    ends = RadioField(_l("Ends"), choices=[("count", _l("After a number of sessions")), ("until", _l("On a date"))],
                      default="count", validators=[required()])
    count = IntegerField(_l("Number of sessions"), default=10, validators=[optional(), number_range(1, MAX_SESSIONS)])
    until = DateField(_l("Last date"), validators=[optional()])
    school_id = SelectField(_l("For a school (its students are offered the series first)"), coerce=_int_or_none,
                            choices=[], validators=[optional()], validate_choice=False)
    # the dates to leave out (exceptions): offered when some dates clash; choices set by the view
    skip_dates = CheckboxesField(_l("Skip these dates"), coerce=_iso_date, choices=[], validators=[optional()],
                                 validate_choice=False)

    FIELD_MAP = {**WorkshopForm.FIELD_MAP, "rule": "weekdays"}

    def skipped(self) -> list[date]:
        return [d for d in (self.skip_dates.data or []) if d is not None]

    def rule(self) -> dict[str, Any]:
        return {"weekdays": list(self.weekdays.data or []), "interval_weeks": self.interval_weeks.data,
                "until": self.until.data if self.ends.data == "until" else None,
                "count": self.count.data if self.ends.data == "count" else None}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.ends.data == "until" and self.until.data is None and not self.until.errors:
            self.until.errors = [*self.until.errors, _l("This field is required.")]
            ok = False
        if self.ends.data == "count" and self.count.data is None and not self.count.errors:
            self.count.errors = [*self.count.errors, _l("This field is required.")]
            ok = False
        return ok


class CancelForm(BaseForm):
    scope = RadioField(_l("Which sessions to cancel"), choices=SCOPES, default="this", validators=[optional()])


class FilterForm(BaseForm):
    """Filters of the list and the calendar (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    initiative_id = FilterSelectField(_l("Initiative"), coerce=_int_or_none, choices=[], validators=[optional()],
                                validate_choice=False)
    region = FilterSelectField(_l("Region of the schools signed up"), choices=[], validators=[optional()],
                         validate_choice=False)
    artist_id = FilterSelectField(_l("Teaching artist"), coerce=_int_or_none, choices=[], validators=[optional()],
                                  validate_choice=False)
    venue_id = FilterSelectField(_l("Venue"), coerce=_int_or_none, choices=[], validators=[optional()],
                                 validate_choice=False)
    status = FilterSelectField(_l("Status"), choices=[("", _l("Any status")), *WORKSHOP_STATUSES.items()],
                         validators=[optional()])
    date_from = DateField(_l("From"), validators=[optional()])
    date_to = DateField(_l("To"), validators=[optional()])

    def values(self) -> dict[str, Any]:
        """The filters that were given and make sense, as keyword arguments of `workshops_query`."""
        out: dict[str, Any] = {}
        for name in ("initiative_id", "region", "artist_id", "venue_id", "status", "date_from", "date_to"):
            field = getattr(self, name)
            if field.data not in (None, "") and not field.errors:
                out[name] = field.data
        return out
