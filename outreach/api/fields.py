"""Input fields of the JSON API: strict JSON types (no coercion) and errors that know 400 from 422.

The contract answers 400 for a field of the wrong JSON type and 422 for a missing or null field, a value
out of range or a string that does not parse. Marshmallow only gives messages, so every message here is a
`Problem` (a str that remembers which of the two it is), rendered in the request's language when the error
happens.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable

import marshmallow as ma
from marshmallow import validate

from outreach import params, text
from outreach.i18n import LANGUAGES, _

INT32_MAX = params.INT32_MAX
MIN_YEAR, MAX_YEAR = params.MIN_YEAR, params.MAX_YEAR
DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATETIME_PATTERN = (r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                    r"[Tt]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
                    r"([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Problem(str):
    """One field error in the request's language; `malformed` ones (a wrong JSON type) make the answer 400."""

    malformed: bool

    def __new__(cls, text: str, malformed: bool = False) -> "Problem":
        obj = super().__new__(cls, text)
        obj.malformed = malformed
        return obj


class LateMessage(str):
    """A marshmallow error message that is translated when marshmallow formats it (during the request)."""

    def __new__(cls, key: str, render: Callable[..., str], malformed: bool = False) -> "LateMessage":
        obj = super().__new__(cls, key)
        obj.render = render
        obj.malformed = malformed
        return obj

    def format(self, *args: Any, **kwargs: Any) -> Problem:  # type: ignore[override]
        return Problem(str(self.render(**kwargs)), self.malformed)


def problem(message: Any, *, malformed: bool = False) -> ma.ValidationError:
    return ma.ValidationError(Problem(str(message), malformed))


REQUIRED = LateMessage("required", lambda **kw: _("This field is required."))
NULL = LateMessage("null", lambda **kw: _("This field must not be null."))
UNKNOWN = LateMessage("unknown", lambda **kw: _("Unknown field."))
NOT_AN_OBJECT = LateMessage("object", lambda **kw: _("Must be a JSON object."), malformed=True)
NOT_A_LIST = LateMessage("list", lambda **kw: _("Must be a JSON array."), malformed=True)
NOT_A_STRING = LateMessage("string", lambda **kw: _("Must be a JSON string."), malformed=True)
NOT_AN_INTEGER = LateMessage("integer", lambda **kw: _("Must be a JSON integer (a number without quotes)."),
                             malformed=True)
NOT_A_BOOLEAN = LateMessage("boolean", lambda **kw: _("Must be true or false."), malformed=True)
NOT_A_NUMBER = LateMessage("number", lambda **kw: _("Must be a whole number."))
INVALID = LateMessage("invalid", lambda **kw: _("Not a valid value."))


def _render_range(**kw: Any) -> str:
    low, high = kw.get("min"), kw.get("max")
    if low is not None and high is not None:
        return _("Must be between %(low)s and %(high)s.", low=low, high=high)
    if low is not None:
        return _("Must be at least %(low)s.", low=low)
    return _("Must be at most %(high)s.", high=high)


def _render_length(**kw: Any) -> str:
    low, high = kw.get("min"), kw.get("max")
    if low and high is None:
        return _("Must not be empty.") if low == 1 else _("Must have at least %(n)s items.", n=low)
    if not low:
        return _("Must be at most %(n)s long.", n=high)
    return _("Must have between %(low)s and %(high)s items.", low=low, high=high)


RANGE = LateMessage("range", _render_range)
LENGTH = LateMessage("length", _render_length)
ONE_OF = LateMessage("one_of", lambda **kw: _("Must be one of: %(choices)s.", choices=kw.get("choices", "")))


def Range(min: int | None = None, max: int | None = None) -> validate.Range:  # noqa: A002
    return validate.Range(min=min, max=max, error=RANGE)


def Length(min: int | None = None, max: int | None = None) -> validate.Length:  # noqa: A002
    return validate.Length(min=min, max=max, error=LENGTH)


def OneOf(choices: Any) -> validate.OneOf:
    return validate.OneOf(list(choices), error=ONE_OF)


class _Messages:
    default_error_messages = {"required": REQUIRED, "null": NULL, "validator_failed": INVALID}


# ------------------------------------------------------------------------------------------ JSON body fields

#: Documented on every text field: a NUL character (or a lone surrogate) cannot be stored.
STORABLE_PATTERN = r"^[^\u0000]*$"


def _storable(kwargs: dict[str, Any], pattern: str = STORABLE_PATTERN) -> dict[str, Any]:
    metadata = dict(kwargs.pop("metadata", None) or {})
    validators = _as_list(kwargs["validate"]) if kwargs.get("validate") else []
    regexps = [v for v in validators if isinstance(v, validate.Regexp)]
    if regexps:  # the field's own pattern is what the server checks (it is stricter than one-line text)
        metadata.setdefault("pattern", regexps[0].regex.pattern)
    elif not any(isinstance(v, validate.OneOf) for v in validators):
        metadata.setdefault("pattern", pattern)
    return {**kwargs, "metadata": metadata}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class String(_Messages, ma.fields.String):
    """A JSON string that a database can store (no NUL, no lone surrogates), in NFC, without invisible format
    characters and, unless `multiline`, one line of text: no line break, tab or other control character
    (outreach/text.py); `raw` (a password) is taken as it is."""

    default_error_messages = {"invalid": NOT_A_STRING, "invalid_utf8": NOT_A_STRING}

    def __init__(self, *, multiline: bool = False, raw: bool = False, **kwargs: Any) -> None:
        self.multiline, self.raw = multiline, raw
        pattern = STORABLE_PATTERN if raw else (params.MULTILINE_PATTERN if multiline else params.SINGLE_LINE_PATTERN)
        super().__init__(**_storable(kwargs, pattern))

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if _UNSTORABLE.search(value):
            raise problem(_("Contains characters that are not allowed."))
        if self.raw:
            return value
        message = text.problem(value, multiline=self.multiline)  # control and invisible format characters
        if message is not None:
            raise problem(message)
        return text.normalized(value)


class Integer(_Messages, ma.fields.Integer):
    """A JSON integer: "90" and 90.0 are the wrong type (400); anything beyond 32 bits is out of range (422)."""

    default_error_messages = {"invalid": NOT_AN_INTEGER, "too_large": RANGE}

    def __init__(self, *, minimum: int | None = -INT32_MAX - 1, maximum: int | None = INT32_MAX,
                 **kwargs: Any) -> None:
        validators = list(kwargs.pop("validate", None) or [])
        validators.insert(0, Range(min=minimum, max=maximum))
        super().__init__(strict=True, validate=validators, **kwargs)


class Boolean(_Messages, ma.fields.Boolean):
    """A JSON true or false: "true", 1 and 0 are the wrong type (400)."""

    default_error_messages = {"invalid": NOT_A_BOOLEAN}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Date(_Messages, ma.fields.Date):
    """A `YYYY-MM-DD` string; another type is 400, a string that is not such a date is 422."""

    default_error_messages = {"invalid": NOT_A_STRING, "format": NOT_A_STRING}

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": DATE_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return parse_date(value)


def parse_date(value: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise problem(_("Not a valid date: use YYYY-MM-DD."))
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise problem(_("Not a valid date: use YYYY-MM-DD.")) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise problem(_("The year must be between %(low)s and %(high)s.", low=MIN_YEAR, high=MAX_YEAR))
    return parsed


class DateTime(_Messages, ma.fields.DateTime):
    """An ISO 8601 time with an offset (any offset); a time without one is 422."""

    default_error_messages = {"invalid": NOT_A_STRING, "format": NOT_A_STRING}

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": DATETIME_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        message = _("Not a valid time: use ISO 8601 with an offset, like 2027-03-08T10:00:00+05:00.")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?",
                            value):
            raise problem(message)
        try:
            parsed = datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
        except ValueError:
            raise problem(message) from None
        if parsed.tzinfo is None:
            raise problem(_("The time needs an offset, like +05:00."))
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise problem(_("The year must be between %(low)s and %(high)s.", low=MIN_YEAR, high=MAX_YEAR))
        return parsed


class List(_Messages, ma.fields.List):
    default_error_messages = {"invalid": NOT_A_LIST}


class Nested(_Messages, ma.fields.Nested):
    default_error_messages = {"type": NOT_AN_OBJECT}


class Body(ma.Schema):
    """A request body: a JSON object with only the documented fields."""

    error_messages = {"type": NOT_AN_OBJECT, "unknown": UNKNOWN}

    class Meta:
        unknown = ma.RAISE


class TranslatableIn(Body):
    """One line of text in up to three languages (a title); a missing, null or blank language is not given."""

    kk = String(allow_none=True, validate=Length(max=5000))
    ru = String(allow_none=True, validate=Length(max=5000))
    en = String(allow_none=True, validate=Length(max=5000))


class TranslatableTextIn(Body):
    """Several lines of text in up to three languages (a description)."""

    kk = String(allow_none=True, multiline=True, validate=Length(max=5000))
    ru = String(allow_none=True, multiline=True, validate=Length(max=5000))
    en = String(allow_none=True, multiline=True, validate=Length(max=5000))


class Translatable(Nested):
    """A {kk, ru, en} object; with `at_least_one`, one language must be filled in."""

    def __init__(self, *, at_least_one: bool = False, max_length: int | None = None, multiline: bool = False,
                 **kwargs: Any) -> None:
        self.at_least_one = at_least_one
        self.max_length = max_length
        super().__init__(TranslatableTextIn if multiline else TranslatableIn, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, str]:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        errors: dict[str, list[Problem]] = {}
        text = {code: loaded[code] for code in LANGUAGES if isinstance(loaded.get(code), str)}
        if self.max_length:
            for code, value_ in text.items():
                if len(value_) > self.max_length:
                    errors[code] = [Problem(_("Must be at most %(n)s long.", n=self.max_length))]
        if errors:
            raise ma.ValidationError(errors)
        if self.at_least_one and not any(v.strip() for v in text.values()):
            raise problem(_("Enter the text in at least one language (kk, ru or en)."))
        return text


# ------------------------------------------------------------------------------------- query-string fields

class QueryInteger(_Messages, ma.fields.Integer):
    """An integer in the query string (where everything is text): not a number is 422."""

    default_error_messages = {"invalid": NOT_A_NUMBER, "too_large": RANGE}

    def __init__(self, *, minimum: int | None = None, maximum: int | None = INT32_MAX, **kwargs: Any) -> None:
        super().__init__(strict=False, validate=Range(min=minimum, max=maximum), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if not isinstance(value, str) or not re.fullmatch(r"\s*[+-]?\d+\s*", value):
            raise self.make_error("invalid")
        digits = value.strip().lstrip("+-").lstrip("0")
        if len(digits) > 18:  # far beyond any bound here: out of range (or clamped), without reading it all
            value = ("-" if value.strip().startswith("-") else "") + "9" * 19
        return super()._deserialize(value, attr, data, **kwargs)


class QueryString(_Messages, ma.fields.String):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_storable(kwargs))

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        value = super()._deserialize(value, attr, data, **kwargs)
        if _UNSTORABLE.search(value):
            raise problem(_("Contains characters that are not allowed."))
        return value


class QueryDate(_Messages, ma.fields.Date):
    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": DATE_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        return parse_date(str(value))


class Query(ma.Schema):
    """Query-string parameters; unknown ones are ignored."""

    error_messages = {"type": NOT_AN_OBJECT, "unknown": UNKNOWN}

    class Meta:
        unknown = ma.EXCLUDE


class Out(ma.Schema):
    """A response: clients must accept fields added later, so the document leaves objects open."""

    class Meta:
        unknown = ma.EXCLUDE
