"""One parser for what comes in the URL of an HTML page: path ids and query values.

The JSON API checks the same ranges (outreach/api/fields.py): an id beyond a 32-bit column, a far-off date
or a string with a NUL never reaches the database. A path id out of range is simply no page (404); a query
value out of range is ignored or shown as a form error by the filter form that reads it.
"""
from __future__ import annotations

import re
import unicodedata
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
    """A row id in a path: 1 … 2**31-1. The one converter of every route, in two manners:

    - HTML routes (`<int:...>`): anything else does not match, so there is no page (404);
    - the API (`<id:...>`, `partial(IdConverter, lenient=True)`): any digits match, and an id that cannot
      exist (0, beyond 32 bits) is looked up as 0 and simply not found: the resource answers (401, 403, 404 as
      its contract says) and no overflowing number reaches the database.
    """

    regex = r"\d{1,10}"

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = 1, max: int | None = INT32_MAX,
                 signed: bool = False, lenient: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        self.lenient = lenient
        if lenient:
            self.regex = r"\d+"

    def to_python(self, value: str) -> int:
        if self.lenient:
            number = int(value) if len(value) <= 10 else 0
            return number if number <= INT32_MAX else 0
        return super().to_python(value)

    def to_url(self, value: Any) -> str:
        return str(int(value)) if self.lenient else super().to_url(value)


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
# Format characters (Unicode category Cf, as of Unicode 14: tests/hardening/test_invisible_characters.py checks the
# list against unicodedata): bidirectional controls (U+202E turns "A\u202eB" around on screen), zero-width spaces
# and joiners, the BOM, the soft hyphen, Arabic and other number signs, the tag characters. Invisible, they make
# two names that look alike differ and a name look unlike what it is.
_FORMAT_RANGES = [(0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
                  (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
                  (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
                  (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
                  (0xE0001, 0xE0001), (0xE0020, 0xE007F)]
#: zero-width non-joiner and joiner: some scripts (Persian, the Indic ones) and emoji sequences need them inside
#: words, so several lines of text (a description, a message) may hold them; a name or a title may not
JOINERS = "\u200c\u200d"


def _format_class(allowed: str = "", bmp: bool = False) -> str:
    """The format characters but `allowed` (and, with `bmp`, but those beyond U+FFFF) as a regular-expression class
    body: \\uXXXX ranges, astral ones as themselves."""
    codes = [code for low, high in _FORMAT_RANGES for code in range(low, high + 1)
             if chr(code) not in allowed and not (bmp and code > 0xFFFF)]
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])

    def one(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return "".join(one(low) if low == high else f"{one(low)}-{one(high)}" for low, high in runs)


FORMAT_CHARACTERS = re.compile(f"[{_format_class()}]")
MULTILINE_FORMAT_CHARACTERS = re.compile(f"[{_format_class(allowed=JOINERS)}]")

#: the same rules as JSON-schema patterns (the OpenAPI document): no control or format characters. The patterns
#: list the format characters of the Basic Multilingual Plane only: Schemathesis writes astral characters back as
#: `\\U0001xxxx`, which is no ECMAScript escape; the API's description names the astral ones (outreach/api/views.py).
SINGLE_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029" + _format_class(bmp=True) + "]*$"
MULTILINE_PATTERN = ("^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
                     + _format_class(allowed=JOINERS, bmp=True) + "]*$")
#: the format characters beyond the BMP, as the API's description names them
ASTRAL_FORMAT_CHARACTERS = ", ".join(f"U+{low:04X}" if low == high else f"U+{low:04X}–U+{high:04X}"
                                     for low, high in _FORMAT_RANGES if low > 0xFFFF)


def has_control_characters(value: Any, *, multiline: bool = False) -> bool:
    """Whether one-line text holds a line break, tab or other control character (multiline: other than those)."""
    if not isinstance(value, str):
        return False
    pattern = MULTILINE_CONTROL_CHARACTERS if multiline else CONTROL_CHARACTERS
    return pattern.search(value) is not None


def has_format_characters(value: Any, *, multiline: bool = False) -> bool:
    """Whether text holds an invisible format character (Unicode category Cf; several lines may hold ZWNJ/ZWJ)."""
    if not isinstance(value, str):
        return False
    return (MULTILINE_FORMAT_CHARACTERS if multiline else FORMAT_CHARACTERS).search(value) is not None


def nfc(value: Any) -> Any:
    """Text in Unicode's composed form (NFC: й is one character however it was typed); anything else as it is."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def one_line(value: str) -> str:
    """Control characters replaced by spaces, whitespace collapsed: for text that must be one line (a subject)."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value).split())


def query_text(value: Any) -> str | None:
    """A query string value with no NUL or other control character (they are dropped), or None."""
    if not isinstance(value, str):
        return None
    return CONTROL_CHARACTERS.sub("", value)
