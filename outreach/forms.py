"""The base form (strips whitespace, refuses control characters in one-line text) and validators with
translated messages; DateField and int_or_none for values that must fit the database (outreach/params.py)."""
from __future__ import annotations

from typing import Any

import wtforms
from flask_wtf import FlaskForm
from wtforms import validators

from outreach import params
from outreach.i18n import _l, _ln

#: fields whose text is one line: a line break or another control character in them is refused
SINGLE_LINE_FIELDS = (wtforms.StringField,)
MULTI_LINE_FIELDS = (wtforms.TextAreaField, wtforms.PasswordField, wtforms.HiddenField)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class SingleLine:
    """One-line text has no line breaks, tabs or other control characters (a title with CR/LF would end up
    in an email subject that no mail server accepts)."""

    field_flags = {}

    def __call__(self, form: Any, field: Any) -> None:
        if params.has_control_characters(field.data):
            raise validators.StopValidation(_l("Line breaks, tabs and other control characters are not allowed "
                                               "here."))


class MultiLine:
    """Several lines of text: line breaks and tabs are fine, other control characters (NUL …) are not."""

    field_flags = {}

    def __call__(self, form: Any, field: Any) -> None:
        if params.has_control_characters(field.data, multiline=True):
            raise validators.StopValidation(_l("Control characters are not allowed here."))


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [_strip, *unbound_field.kwargs.get("filters", [])]
            field_class = unbound_field.field_class
            if issubclass(field_class, SINGLE_LINE_FIELDS) and not issubclass(field_class, MULTI_LINE_FIELDS):
                guard = SingleLine()
            elif issubclass(field_class, (wtforms.TextAreaField,)):
                guard = MultiLine()
            else:
                guard = None
            if guard is not None:
                kwargs = dict(unbound_field.kwargs)
                kwargs["validators"] = [guard, *(kwargs.get("validators") or [])]
                unbound_field = wtforms.fields.core.UnboundField(field_class, *unbound_field.args, **kwargs)
            return unbound_field.bind(form=form, filters=filters, **options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid and not self.meta.csrf:
            # a filter form (GET): a value that failed its check is not used, so the list shows unfiltered
            for field in self:
                if field.errors and isinstance(field.data, str):
                    field.data = None
        return valid


class DateField(wtforms.DateField):
    """A date between params.MIN_YEAR and MAX_YEAR; anything else is a form error and no value."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not params.sane_date(self.data):
            self.data = None
            raise ValueError(_l("Enter a date between %(low)s and %(high)s.", low=params.MIN_YEAR,
                                high=params.MAX_YEAR))


def int_or_none(value: Any) -> int | None:
    """A select's value as an int; empty, junk and numbers beyond a database integer are None."""
    if value in (None, ""):
        return None
    return params.to_int(value)


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
