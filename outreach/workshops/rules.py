"""The rules of a workshop's fields, declared once: limits, allowed values, how names and dates are read.

The HTML forms, the API schemas and the services all take their limits and allowed values from here
(the values themselves live beside the CHECK constraints in `models.py`).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Mapping, Sequence

from flask_babel import format_time
from sqlalchemy import select

from outreach.dates import fmt_date, quoted_inside
from outreach.dbtypes import local_tz
from outreach import params
from outreach.errors import FieldErrors, OutreachError
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _, _l
from outreach.initiatives.models import Initiative
from outreach.students.rules import MAX_GRADE, MIN_GRADE  # a workshop is for grades of the roster
from outreach.artists.models import Artist
from outreach.naming import fold
from outreach.venues.models import Venue
from outreach.workshops.models import DELIVERY_LANGUAGES, WORKSHOP_STATUSES, Workshop

__all__ = ["DELIVERY_LANGUAGES", "WORKSHOP_STATUSES"]

MAX_SESSIONS = 200
MAX_INTERVAL_WEEKS = 52
MAX_CAPACITY = 10_000
MAX_DURATION = 1440
NAME_MAX = 200
TITLE_MAX = 300
#: The fields of a workshop in the data dicts (the API's names).
FIELDS = ("initiative_id", "title", "starts_at", "duration_minutes", "capacity", "artist_id", "venue_id",
          "language", "min_grade", "max_grade")
#: (record key in the clean values, id field, name field accepted instead of the id, record model)
RECORD_FIELDS = (("artist", "artist_id", "instructor", Artist), ("place", "venue_id", "venue", Venue))
NOT_FOUND = {"artist": _l("The teaching artist was not found."), "place": _l("The venue was not found.")}
NO_SUCH_NAME = {"artist": _l("No teaching artist has this name: choose one from the list."),
                "place": _l("No venue has this name: choose one from the list.")}
SEVERAL_NAMES = {"artist": _l("Several teaching artists have this name: choose one by its id."),
                 "place": _l("Several venues have this name: choose one by its id.")}

#: A workshop's status can be changed by a client only to this one.
SETTABLE_STATUSES = ("cancelled",)
#: a line break in a title would end up in a notification's subject, which no mail server accepts
CONTROL_CHARACTERS = _l("Line breaks, tabs and other control characters are not allowed here.")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def local(moment: datetime) -> datetime:
    """The instant in the programme's time zone."""
    return moment.astimezone(local_tz())


def local_date(moment: datetime) -> date:
    return local(moment).date()


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC-aware bounds [start of `first`, start of the day after `last`) of local calendar days."""
    tz = local_tz()
    start = datetime.combine(first, time(0), tz) if first else None
    end = datetime.combine(last + timedelta(days=1), time(0), tz) if last else None
    return start, end


def describe(workshop: Workshop) -> str:
    """“Title” on <date> at <time>, in the viewer's language and the programme's time zone."""
    when = local(workshop.starts_at)
    return _("“%(title)s” on %(date)s at %(time)s", title=quoted_inside(workshop.display_title.text),
             date=fmt_date(when.date()), time=format_time(when.time(), "short"))



def language_error(value: Any) -> Any | None:
    """The message for a delivery language that is missing or not one of kk, ru, en (None when fine)."""
    if value is None or value == "":
        return _l("This field is required.")
    if value not in DELIVERY_LANGUAGES:
        return _l("Choose kk, ru or en.")
    return None


def _clean_title(value: Any, errors: FieldErrors) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        errors.add("title", _l("Enter the title as an object with kk, ru and en."))
        return None
    cleaned: dict[str, str] = {}
    for code, text in value.items():
        if code not in LANGUAGES:
            errors.add(f"title.{code}", _l("Only kk, ru and en are accepted."))
        elif text is None:
            continue
        elif not isinstance(text, str):
            errors.add(f"title.{code}", _l("Enter text."))
        elif len(text.strip()) > TITLE_MAX:
            errors.add(f"title.{code}", _l("At most %(n)s characters.", n=TITLE_MAX))
        elif params.has_control_characters(text):
            errors.add(f"title.{code}", CONTROL_CHARACTERS)
        elif text.strip():
            cleaned[code] = text.strip()
    if not cleaned and not any(k.startswith("title") for k in errors.fields):
        errors.add("title", _l("Enter a title in at least one language."))
    return cleaned


def _clean_int(data: Mapping[str, Any], name: str, low: int, high: int, errors: FieldErrors) -> int | None:
    value = data.get(name)
    if value is None:
        errors.add(name, _l("This field is required."))
    elif not _is_int(value) or not low <= value <= high:
        errors.add(name, _l("Enter a number from %(low)s to %(high)s.", low=low, high=high))
    else:
        return value
    return None


def _clean_name(data: Mapping[str, Any], name: str, errors: FieldErrors) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(name, _l("This field is required."))
    elif not isinstance(value, str):
        errors.add(name, _l("Enter text."))
    elif len(value.strip()) > NAME_MAX:
        errors.add(name, _l("At most %(n)s characters.", n=NAME_MAX))
    elif params.has_control_characters(value):
        errors.add(name, CONTROL_CHARACTERS)
    else:
        return " ".join(value.split())
    return None


def _clean_record(data: Mapping[str, Any], key: str, id_name: str, text_name: str, model: Any,
                  errors: FieldErrors, *, required: bool) -> Any | None:
    """The artist or venue record given by its id, or by a name that folds to exactly one record's name."""
    if data.get(id_name) is not None:
        ident = data[id_name]
        record = db.session.get(model, ident) if _is_int(ident) and 1 <= ident <= params.INT32_MAX else None
        if record is None:
            errors.add(id_name, NOT_FOUND[key])
        return record
    if data.get(text_name) is not None:
        name = _clean_name(data, text_name, errors)
        if name is None:
            return None
        found = db.session.scalars(select(model).where(model.name_folded == fold(name)).limit(2)).all()
        if len(found) == 1:
            return found[0]
        errors.add(text_name, NO_SUCH_NAME[key] if not found else SEVERAL_NAMES[key])
        return None
    if required or id_name in data or text_name in data:
        errors.add(id_name, _l("This field is required."))
    return None


def validated(data: Mapping[str, Any], current: Workshop | None) -> dict[str, Any]:
    """Check the given fields (all of them for a new workshop) and return their clean values."""
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    creating = current is None
    if creating or "initiative_id" in data:
        ident = data.get("initiative_id")
        initiative = db.session.get(Initiative, ident) if _is_int(ident) else None
        if ident is None:
            errors.add("initiative_id", _l("This field is required."))
        elif initiative is None:
            errors.add("initiative_id", _l("The initiative was not found."))
        elif initiative.status == "archived" and (creating or ident != current.initiative_id):
            errors.add("initiative_id", _l("This initiative is archived; it takes no new workshops."))
        else:
            clean["initiative"] = initiative
    if creating or "title" in data:
        title = _clean_title(data.get("title"), errors)
        if title:
            clean["title"] = title
    if creating or "starts_at" in data:
        starts_at = data.get("starts_at")
        if starts_at is None:
            errors.add("starts_at", _l("This field is required."))
        elif not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
            errors.add("starts_at", _l("Enter a date and time with its time zone."))
        else:
            clean["starts_at"] = starts_at
    for name, low, high in (("duration_minutes", 1, MAX_DURATION), ("capacity", 1, MAX_CAPACITY),
                            ("min_grade", MIN_GRADE, MAX_GRADE), ("max_grade", MIN_GRADE, MAX_GRADE)):
        if creating or name in data:
            value = _clean_int(data, name, low, high, errors)
            if value is not None:
                clean[name] = value
    for key, id_name, text_name, model in RECORD_FIELDS:
        record = _clean_record(data, key, id_name, text_name, model, errors, required=creating)
        if record is not None:
            clean[key] = record
    if creating or "language" in data:
        language = data.get("language")
        problem = language_error(language)
        if problem is not None:
            errors.add("language", problem)
        else:
            clean["language"] = language
    low = clean.get("min_grade", current.min_grade if current else None)
    high = clean.get("max_grade", current.max_grade if current else None)
    if low is not None and high is not None and low > high and ("min_grade" in clean or "max_grade" in clean):
        errors.add("max_grade", _l("The highest grade cannot be below the lowest grade."))
    errors.raise_if_any()
    return clean


def check_within_initiative(initiative: Initiative, starts: Sequence[datetime], *, later_field: str = "starts_at"
                             ) -> None:
    """Every start date must fall within the initiative's dates (both ends included, local time)."""
    for index, moment in enumerate(starts):
        day = local_date(moment)
        if not initiative.starts_on <= day <= initiative.ends_on:
            message = _("The workshop on %(date)s falls outside the initiative's dates (%(start)s – %(end)s).",
                        date=fmt_date(day), start=fmt_date(initiative.starts_on),
                        end=fmt_date(initiative.ends_on))
            raise OutreachError(message, code="outside_initiative_dates",
                                fields={"starts_at" if index == 0 else later_field: [message]})

