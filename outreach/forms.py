"""The base form (strips whitespace, refuses control characters in one-line text) and validators with
translated messages; DateField and int_or_none for values that must fit the database (outreach/params.py)."""
from __future__ import annotations

from typing import Any

import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectField, validators
from wtforms.widgets import Select

from outreach import params, text
from outreach.i18n import _l, _ln

#: fields whose text is one line: a line break or another control character in them is refused
SINGLE_LINE_FIELDS = (wtforms.StringField,)
MULTI_LINE_FIELDS = (wtforms.TextAreaField, wtforms.PasswordField, wtforms.HiddenField)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(value: Any) -> Any:
    if isinstance(value, str):
        return params.CONTROL_CHARACTERS.sub("", value)
    if isinstance(value, list):
        return [params.CONTROL_CHARACTERS.sub("", v) if isinstance(v, str) else v for v in value]
    return value


class SingleLine:
    """One-line text has no line breaks, tabs or other control characters (a title with CR/LF would end up
    in an email subject that no mail server accepts) and no invisible format characters (outreach/text.py)."""

    field_flags = {}

    def __call__(self, form: Any, field: Any) -> None:
        message = text.problem(field.data)
        if message is not None:
            raise validators.StopValidation(message)


class MultiLine:
    """Several lines of text: line breaks and tabs are fine, other control characters (NUL …) and format
    characters other than ZWNJ/ZWJ are not (outreach/text.py)."""

    field_flags = {}

    def __call__(self, form: Any, field: Any) -> None:
        message = text.problem(field.data, multiline=True)
        if message is not None:
            raise validators.StopValidation(message)


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
            if guard is None:
                # a choice (select, radio) is never meant to hold a control character: drop them, so that a
                # NUL from a crafted URL never reaches the database (PostgreSQL refuses it in text)
                filters.append(_no_control_characters)
            if guard is not None:
                filters.append(text.normalized)  # NFC: what was typed, in the form every comparison uses
                kwargs = dict(unbound_field.kwargs)
                kwargs["validators"] = [guard, *(kwargs.get("validators") or [])]
                unbound_field = wtforms.fields.core.UnboundField(field_class, *unbound_field.args, **kwargs)
            return unbound_field.bind(form=form, filters=filters, **options)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        csrf_field = getattr(self.meta, "csrf_field_name", "csrf_token")
        if self.meta.csrf and csrf_field in self._fields:
            # a page with several forms would repeat id="csrf_token"; nothing refers to the hidden input by id
            self._fields[csrf_field].render_kw = {"id": False}

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


def row_id(value: Any) -> int:
    """A coerce for ids chosen in a form (student_ids=…): anything that cannot be a row id is not a choice."""
    number = params.to_id(value)
    if number is None:
        raise ValueError(value)
    return number


class FastSelect(Select):
    """The HTML of WTForms' Select, built without an attribute dictionary per option.

    Filter bars list every instructor, venue, school or initiative: rendering those options was a
    seventh of the workshops list's time."""

    def __call__(self, field, **kwargs):
        if self.multiple or field.has_groups():
            return super().__call__(field, **kwargs)
        head = super().__call__(_NoChoices(field), **kwargs)[:-len("</select>")]
        options = []
        for choice in field._iter_choices_normalized():
            if choice.render_kw:
                options.append(self.render_option(choice))
                continue
            value = str(choice.value) if isinstance(choice.value, bool) else choice.value
            selected = "selected " if choice.selected else ""
            options.append(f'<option {selected}value="{escape(value)}">{escape(choice.label or choice.value)}</option>')
        return Markup(f"{head}{''.join(options)}</select>")


class _NoChoices:
    """The field as the plain widget sees it, without its options (for the <select ...> tag alone)."""

    def __init__(self, field):
        self._field = field

    def __getattr__(self, name):
        return getattr(self._field, name)

    def has_groups(self) -> bool:
        return False

    def _iter_choices_normalized(self):
        return iter(())


class FilterSelectField(SelectField):
    """A select of a read-only filter bar (GET): fast to render however long the list."""

    widget = FastSelect()


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
