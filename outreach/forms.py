"""The base form (strips whitespace) and validators with translated messages."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectField, validators
from wtforms.widgets import Select

from outreach.i18n import _l, _ln


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [_strip, *unbound_field.kwargs.get("filters", [])]
            return unbound_field.bind(form=form, filters=filters, **options)


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
