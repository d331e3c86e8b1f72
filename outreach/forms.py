"""The base form (strips whitespace) and validators with translated messages."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import validators

from outreach.i18n import _l, _ln


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [_strip, *unbound_field.kwargs.get("filters", [])]
            return unbound_field.bind(form=form, filters=filters, **options)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        csrf_field = getattr(self.meta, "csrf_field_name", "csrf_token")
        if self.meta.csrf and csrf_field in self._fields:
            # a page with several forms would repeat id="csrf_token"; nothing refers to the hidden input by id
            self._fields[csrf_field].render_kw = {"id": False}


def required() -> validators.InputRequired:
    return validators.InputRequired(message=_l("This field is required."))


def data_required() -> validators.DataRequired:
    return validators.DataRequired(message=_l("This field is required."))


def optional() -> validators.Optional:
    return validators.Optional()


def max_length(n: int) -> validators.Length:
    return validators.Length(max=n, message=_ln("At most %(num)s character.", "At most %(num)s characters.", n))


def number_range(low: int | None = None, high: int | None = None) -> validators.NumberRange:
    if low is not None and high is not None:
        message = _l("Enter a number from %(low)s to %(high)s.", low=low, high=high)
    elif low is not None:
        message = _l("Enter a number of at least %(low)s.", low=low)
    else:
        message = _l("Enter a number of at most %(high)s.", high=high)
    return validators.NumberRange(min=low, max=high, message=message)


def email() -> validators.Email:
    return validators.Email(message=_l("Enter a valid email address."), check_deliverability=False)
