"""iCalendar (RFC 5545) feeds of workshops, with the programme's time zone as a VTIMEZONE."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from icalendar import Calendar, Event

from outreach.dbtypes import local_tz, utcnow
from outreach.i18n import _, force_locale, localize
from outreach.links import external_url
from outreach.workshops.models import DELIVERY_LANGUAGES, Workshop

PRODID = "-//Outreach//Workshops//EN"


def uid(workshop: Workshop) -> str:
    return f"workshop-{workshop.id}@outreach"


def _event(workshop: Workshop, language: str, stamp: Any) -> Event:
    tz = local_tz()
    event = Event()
    event.add("uid", uid(workshop))
    event.add("dtstamp", stamp)
    # TZID-qualified local times: calendars show them right whatever the viewer's own zone
    event.add("dtstart", workshop.starts_at.astimezone(tz))
    event.add("dtend", workshop.ends_at.astimezone(tz))
    event.add("summary", localize(workshop.title, language).text)
    event.add("location", workshop.venue)
    initiative = localize(workshop.initiative.title, language).text
    lines = [
        _("Initiative: %(title)s", title=initiative),
        _("Instructor: %(name)s", name=workshop.instructor),
        _("Language of delivery: %(language)s", language=str(DELIVERY_LANGUAGES.get(workshop.language, ""))),
    ]
    event.add("description", "\n".join(lines))
    event.add("url", external_url("workshops.detail", workshop_id=workshop.id))
    event.add("status", "CANCELLED" if workshop.status == "cancelled" else "CONFIRMED")
    event.add("last-modified", workshop.updated_at or workshop.created_at)
    # seconds since creation grow with every change: calendars take the latest version
    changed = (workshop.updated_at or workshop.created_at) - workshop.created_at
    event.add("sequence", max(int(changed.total_seconds()), 0))
    return event


def build_feed(workshops: Iterable[Workshop], *, language: str, name: str) -> bytes:
    """A VCALENDAR with one VEVENT per workshop (cancelled ones have STATUS:CANCELLED)."""
    workshops = list(workshops)
    with force_locale(language):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", str(local_tz()))
        stamp = utcnow()
        for workshop in workshops:
            calendar.add_component(_event(workshop, language, stamp))
        years = [w.starts_at.year for w in workshops] or [stamp.year]
        calendar.add_missing_timezones(first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1))
    return calendar.to_ical()
