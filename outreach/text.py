"""What a person types, the one rule for every free-text input: the web forms (outreach/forms.py), the JSON API's
strings (outreach/api/fields.py) and the roster import (outreach/students/importing.py) all use it.

- Text is kept in Unicode's composed form (NFC): the same name typed on two keyboards is the same string.
- One line of text (a name, a title, an address, a search) holds no control character and no format character
  (Unicode category Cf: bidirectional controls such as U+202E, zero-width spaces, the BOM, the soft hyphen ...).
- Several lines (a description, a message, an answer) may hold line breaks and tabs, and the zero-width
  non-joiner and joiner that some scripts and emoji need; no other control or format character.
The character sets are in outreach/params.py (with the JSON-schema patterns of the OpenAPI document).
"""
from __future__ import annotations

from typing import Any

from outreach import params
from outreach.i18n import _l

CONTROL_IN_ONE_LINE = _l("Line breaks, tabs and other control characters are not allowed here.")
CONTROL = _l("Control characters are not allowed here.")
INVISIBLE = _l("Invisible formatting characters (such as text direction marks or zero-width spaces) are not "
               "allowed here. Type the text again without them.")


def normalized(value: Any) -> Any:
    """Text in NFC; anything else as it is."""
    return params.nfc(value)


def problem(value: Any, *, multiline: bool = False) -> Any | None:
    """What is wrong with typed text (a translatable message), or None."""
    if not isinstance(value, str):
        return None
    if params.has_control_characters(value, multiline=multiline):
        return CONTROL if multiline else CONTROL_IN_ONE_LINE
    if params.has_format_characters(value, multiline=multiline):
        return INVISIBLE
    return None
