"""The report's filters: a GET form (no CSRF token), the same fields for the page and the exports."""
from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from outreach.forms import BaseForm, DateField, FilterSelectField, int_or_none, optional
from outreach.i18n import _l

MONTH = re.compile(r"(\d{4})-(\d{2})")


_int_or_none = int_or_none


class PeriodField(DateField):
    """A day (YYYY-MM-DD) or a whole month (YYYY-MM, what funders pick): a month given as the end of a
    period means its last day. With `months` set the field shows as a month picker."""

    def __init__(self, *args: Any, end: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.end = end
        self.months = False

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0].strip() if valuelist and valuelist[0] else ""
        month = MONTH.fullmatch(text)
        if month:
            year, number = int(month.group(1)), int(month.group(2))
            if 1 <= year and 1 <= number <= 12:
                self.data = date(year, number, calendar.monthrange(year, number)[1] if self.end else 1)
                return
        super().process_formdata(valuelist)

    def _value(self) -> str:
        if self.months and self.data is not None:
            return self.data.strftime("%Y-%m")
        return super()._value()


class ImpactFilterForm(BaseForm):
    class Meta:
        csrf = False

    # any id is accepted here: the service answers 404 for an initiative the viewer may not see
    initiative_id = FilterSelectField(_l("Initiative"), choices=[], coerce=_int_or_none, validate_choice=False,
                                      validators=[optional()])
    region = FilterSelectField(_l("Region"), choices=[], validators=[optional()])
    date_from = PeriodField(_l("From"), name="from", validators=[optional()])
    date_to = PeriodField(_l("To"), name="to", end=True, validators=[optional()])

    # the service's error fields are the API's names
    API_FIELDS = {"initiative_id": "initiative_id", "region": "region", "from": "date_from", "to": "date_to"}

    def use_months(self) -> None:
        """Month pickers instead of day pickers (funders' periods are whole months)."""
        for field in (self.date_from, self.date_to):
            field.months = True
            # no placeholder: the HTML standard allows none on a month input (the Nu checker flags it)
            field.render_kw = {**(field.render_kw or {}), "type": "month"}
            field.label.text = _l("From (month)") if field is self.date_from else _l("To (month)")

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for services.impact_report."""
        return {"initiative_id": self.initiative_id.data, "region": self.region.data or None,
                "date_from": self.date_from.data, "date_to": self.date_to.data}

    def add_errors(self, fields: dict[str, list[Any]]) -> None:
        for name, messages in fields.items():
            field = getattr(self, self.API_FIELDS.get(name, ""), None)
            if field is not None:
                field.errors = [*field.errors, *(str(m) for m in messages)]
