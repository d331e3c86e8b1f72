"""One parser for what comes in the URL of an HTML page: path ids and query values.

The JSON API checks the same ranges (outreach/api/fields.py): an id beyond a 32-bit column, a far-off date
or a string with a NUL never reaches the database. A path id out of range is simply no page (404); a query
value out of range is ignored or shown as a form error by the filter form that reads it.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from werkzeug.routing import IntegerConverter

#: ids are PostgreSQL `integer` columns
INT32_MAX = 2**31 - 1
# Dates outside these years are typing mistakes, and far-off ones overflow time-zone arithmetic.
MIN_YEAR, MAX_YEAR = 1900, 2999
#: pages beyond this are empty anyway; the limit keeps OFFSET inside a 64-bit integer
MAX_PAGE = 100_000
# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators; lone surrogates
# cannot be stored at all
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 1 … 2**31-1, anything else does not match (404)."""

    regex = r"\d{1,10}"

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = 1, max: int | None = INT32_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def to_int(value: Any, *, low: int = -INT32_MAX - 1, high: int = INT32_MAX) -> int | None:
    """An integer in [low, high] from a query value, or None for anything else (junk, too long, out of range)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d{1,12}", text):
            return None
        number = int(text)
    else:
        return None
    return number if low <= number <= high else None


def to_id(value: Any) -> int | None:
    """A row id (1 … 2**31-1) or None."""
    return to_int(value, low=1)


def to_date(value: Any) -> date | None:
    """An ISO date (YYYY-MM-DD) between MIN_YEAR and MAX_YEAR, or None."""
    if isinstance(value, date):
        return value if MIN_YEAR <= value.year <= MAX_YEAR else None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None


def sane_date(value: date | None) -> bool:
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def page_number(value: Any) -> int:
    """A page number from ?page=: junk is page 1, huge numbers stop at MAX_PAGE."""
    number = to_int(value, low=-INT32_MAX, high=10**12)
    if number is None or number < 1:
        return 1
    return min(number, MAX_PAGE)


#: what several lines of text (a description, a message) may not hold: control characters other than tab and line breaks
MULTILINE_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: the same rules as JSON-schema patterns (the OpenAPI document)
SINGLE_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$"
MULTILINE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def has_control_characters(value: Any, *, multiline: bool = False) -> bool:
    """Whether one-line text holds a line break, tab or other control character (multiline: other than those)."""
    if not isinstance(value, str):
        return False
    pattern = MULTILINE_CONTROL_CHARACTERS if multiline else CONTROL_CHARACTERS
    return pattern.search(value) is not None


def one_line(value: str) -> str:
    """Control characters replaced by spaces, whitespace collapsed: for text that must be one line (a subject)."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value).split())


def query_text(value: Any) -> str | None:
    """A query string value with no NUL or other control character (they are dropped), or None."""
    if not isinstance(value, str):
        return None
    return CONTROL_CHARACTERS.sub("", value)
