"""The report's filters: a GET form (no CSRF token), the same fields for the page and the exports."""
from __future__ import annotations

from typing import Any

from outreach.forms import BaseForm, DateField, FilterSelectField, int_or_none, optional
from outreach.i18n import _l


_int_or_none = int_or_none


class ImpactFilterForm(BaseForm):
    class Meta:
        csrf = False

    # any id is accepted here: the service answers 404 for an initiative the viewer may not see
    initiative_id = FilterSelectField(_l("Initiative"), choices=[], coerce=_int_or_none, validate_choice=False,
                                validators=[optional()])
    region = FilterSelectField(_l("Region"), choices=[], validators=[optional()])
    date_from = DateField(_l("From"), name="from", validators=[optional()])
    date_to = DateField(_l("To"), name="to", validators=[optional()])

    # the service's error fields are the API's names
    API_FIELDS = {"initiative_id": "initiative_id", "region": "region", "from": "date_from", "to": "date_to"}

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for services.impact_report."""
        return {"initiative_id": self.initiative_id.data, "region": self.region.data or None,
                "date_from": self.date_from.data, "date_to": self.date_to.data}

    def add_errors(self, fields: dict[str, list[Any]]) -> None:
        for name, messages in fields.items():
            field = getattr(self, self.API_FIELDS.get(name, ""), None)
            if field is not None:
                field.errors = [*field.errors, *(str(m) for m in messages)]
