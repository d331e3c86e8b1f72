"""The programme's today, as the application sees it.

The application dates consent, defaults and "in the future" checks in the programme's time zone
(`OUTREACH_TIMEZONE`, Asia/Almaty, UTC+5); the machine's own date is a day behind it every evening
from 19:00 UTC, so a test that compares with the application's today uses this.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PROGRAMME_TIMEZONE = "Asia/Almaty"


def programme_today() -> date:
    return datetime.now(ZoneInfo(PROGRAMME_TIMEZONE)).date()
