"""Checks shared by the roster's services and the import: one message per broken rule."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from outreach.dbtypes import local_tz
from outreach.i18n import _l
from outreach.students.models import CONSENT_METHODS, GENDERS

MAX_NAME = 100
MAX_GUARDIAN_NAME = 200
MAX_RELATIONSHIP = 100
MIN_GRADE, MAX_GRADE = 0, 11

INVALID = _l("Please correct the marked fields.")


# --- small checks shared with the import -------------------------------------------------------

def clean_text(value: Any) -> str:
    """Whitespace trimmed and collapsed, as people mean it."""
    return " ".join(str(value).split()) if value is not None else ""


def name_error(value: str, *, missing: Any, limit: int = MAX_NAME) -> Any | None:
    if not value:
        return missing
    if len(value) > limit:
        return _l("At most %(n)s characters.", n=limit)
    return None


def grade_error(value: Any) -> Any | None:
    if value is None or value == "":
        return _l("Choose a grade.")
    if isinstance(value, bool) or not isinstance(value, int):
        return _l("Enter a whole number from %(low)s to %(high)s.", low=MIN_GRADE, high=MAX_GRADE)
    if not MIN_GRADE <= value <= MAX_GRADE:
        return _l("Grades go from %(low)s (pre-school class) to %(high)s.", low=MIN_GRADE, high=MAX_GRADE)
    return None


def gender_error(value: Any) -> Any | None:
    if not value:
        return _l("Choose a gender: female, male or unspecified.")
    if value not in GENDERS:
        return _l("Choose a gender: female, male or unspecified.")
    return None


def today() -> date:
    """Today in the programme's time zone."""
    return datetime.now(local_tz()).date()


def consent_date_error(value: Any) -> Any | None:
    if value is None or value == "":
        return _l("Enter the date consent was given.")
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return _l("Enter a valid date.")
    if value > today():
        return _l("The date of consent cannot be in the future.")
    return None


def consent_method_error(value: Any) -> Any | None:
    if value not in CONSENT_METHODS:
        return _l("Choose how consent was given: paper form or electronic.")
    return None

