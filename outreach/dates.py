"""Dates and times as people read them: one style per purpose, in the page's or the recipient's language.

Templates use the filters `date` and `datetime` (outreach/templating.py); e-mails and messages built in Python
call these functions inside force_locale(recipient.locale). Everything is shown in the programme's time zone.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import format_date, format_time

from outreach.dbtypes import local_tz
from outreach.i18n import _, current_language

#: One date style per purpose, in every language (the December 2026 language review):
#: - "long" (the default): a date a person reads as such — sentences, e-mails, headings, workshop cards, ranges:
#:   «2027 ж. 8 наурыз», «8 марта 2027 г.»; with the time «…, 10:00» (never seconds);
#: - "short": table cells and a record's bookkeeping (created, sent, last sign-in, audit time): «08.03.2027»,
#:   «08.03.2027, 10:00» in kk and ru alike (CLDR's Kazakh short date has a two-digit year);
#: - "full": a day heading with its weekday (calendar, the workshop page).
#: "medium" is read as "long": CLDR's medium Kazakh date abbreviates the month and pads the day («2027 ж. 08 нау.»),
#: which Kazakh texts do not do. E-mails add the time zone: fmt_datetime(value, zone=True).
DATE_STYLES = ("long", "short", "full")
_PATTERNS = {"short": {"kk": "dd.MM.y", "ru": "dd.MM.y"}}


def _date_pattern(style: str) -> str:
    if style == "medium":
        style = "long"
    if style not in DATE_STYLES:  # a CLDR pattern of its own ("LLLL y", "d MMMM")
        return style
    return _PATTERNS.get(style, {}).get(current_language(), style)


def fmt_date(value: date | datetime | None, style: str = "long") -> str:
    """A date in one of DATE_STYLES, in the page's (or force_locale's) language and the programme's time zone."""
    if value is None:
        return ""
    return format_date(value, _date_pattern(style))


def fmt_month(key: str | None) -> str:
    """A "YYYY-MM" month key as a month people read: «қазан 2026», «октябрь 2026», "October 2026"."""
    if not key:
        return ""
    year, month = (int(part) for part in key.split("-"))
    return format_date(date(year, month, 1), "LLLL y")


def fmt_time(value: datetime | None) -> str:
    """The time of day without seconds («10:00»), in the programme's time zone."""
    return format_time(value, "short") if value else ""


def fmt_datetime(value: datetime | None, style: str = "long", zone: bool = False) -> str:
    """Date in the given style and time without seconds, in the programme's time zone; `zone` names it (e-mails)."""
    if not value:
        return ""
    text = f"{fmt_date(value, style)}, {format_time(value, 'short')}"
    return with_zone(text, value) if zone else text


# The zones of Kazakhstan: one time since 1 March 2024 (UTC+5), which people call Astana time
_KAZAKHSTAN = {"Asia/Almaty", "Asia/Astana", "Asia/Qostanay", "Asia/Qyzylorda", "Asia/Aqtobe", "Asia/Aqtau",
               "Asia/Atyrau", "Asia/Oral"}


def with_zone(text: str, value: datetime) -> str:
    """«2027 ж. 8 наурыз, 10:00 (Астана уақытымен, UTC+5)»: a letter is read wherever its reader is."""
    tz = local_tz()
    offset = value.astimezone(tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    if getattr(tz, "key", "") in _KAZAKHSTAN and minutes == 300:
        return _("%(when)s (Astana time, %(utc)s)", when=text, utc=utc)
    return _("%(when)s (%(utc)s)", when=text, utc=utc)


def quoted_inside(text: str | None) -> str:
    """A title that goes inside «…»: its own «» become „“ («„Аққу көлі“ — мектептерге», never ««Аққу көлі» —…»)."""
    return (text or "").replace("«", "„").replace("»", "“")
