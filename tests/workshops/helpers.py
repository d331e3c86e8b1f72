"""Helpers for the workshop tests: Almaty times and a valid data dict for the services."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.factories import artist_named, make_initiative, make_user, venue_named

ALMATY = ZoneInfo("Asia/Almaty")


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime:
    """An instant given as Almaty wall-clock time."""
    return datetime(y, m, d, hour, minute, tzinfo=ALMATY)


def term(**kw):
    """An initiative running through 2026 and 2027."""
    return make_initiative(starts_on=kw.pop("starts_on", date(2026, 9, 1)), ends_on=kw.pop("ends_on", date(2027, 12, 31)),
                           **kw)


def workshop_data(initiative, **overrides) -> dict:
    data = {"initiative_id": initiative.id, "title": {"kk": "Би сабағы", "en": "Dance class"},
            "starts_at": at(2027, 3, 8, 10), "duration_minutes": 90, "capacity": 10, "venue": "Үлкен зал",
            "instructor": "Анна Ким", "language": "kk", "min_grade": 0, "max_grade": 11}
    data.update(overrides)
    # the names stand for records (a name that folds to exactly one record's is accepted): make them
    if isinstance(data.get("instructor"), str) and data["instructor"].strip():
        artist_named(data["instructor"])
    if isinstance(data.get("venue"), str) and data["venue"].strip():
        venue_named(data["venue"])
    return data


def coordinator():
    return make_user("coordinator")
