"""Route × role rows for the workshop pages and calendar feeds: (method, path, expected, endpoint).

Coordinators and admins schedule; school representatives use the calendar and read workshop pages; funders read
the pages of workshops of the initiatives they fund and nothing else. The `objects` workshop starts in a week, so
attendance is not open yet (the page explains; a POST is 409). POSTs carry only a CSRF token: an empty form is 422.
The feed path uses the coordinator's token and needs no sign-in. A teaching artist reads the page of its own
workshop (the `objects` workshop is given by the artist signed in), takes its attendance and has a calendar and a feed;
everything else is refused.
"""
EVERYONE = {"admin": 200, "coordinator": 200, "school": 200, "funder": 200}

ROUTES = [
    ("GET", "/workshops/series/999999", 404, "workshops.series"),
    ("GET", "/workshops", 200, "workshops.index"),
    ("GET", "/calendar", 200, "workshops.calendar"),
    ("GET", "/workshops/{workshop_id}", 200, "workshops.detail"),
    ("GET", "/workshops/999999", 404, "workshops.detail"),
    # another teaching artist's workshop: as if it did not exist
    ("GET", "/workshops/{other_workshop_id}", {"ok": 200, "artist": 404}, "workshops.detail"),
    ("GET", "/workshops/{other_workshop_id}/attendance", {"ok": 200, "artist": 404}, "workshops.attendance"),
    ("GET", "/workshops/new", 200, "workshops.new"),
    ("POST", "/workshops/new", 422, "workshops.new"),
    ("GET", "/workshops/new-series", 200, "workshops.new_series"),
    ("POST", "/workshops/new-series", 422, "workshops.new_series"),
    ("GET", "/workshops/{workshop_id}/edit", 200, "workshops.edit"),
    ("POST", "/workshops/{workshop_id}/edit", 422, "workshops.edit"),
    ("POST", "/workshops/{workshop_id}/cancel", 302, "workshops.cancel"),
    ("GET", "/workshops/{workshop_id}/attendance", 200, "workshops.attendance"),
    ("POST", "/workshops/{workshop_id}/attendance", 409, "workshops.attendance"),
    ("GET", "/calendar/{feed_token}.ics", {"anonymous": 200, **EVERYONE, "artist": 200}, "workshops.feed"),
    ("GET", "/calendar/not-a-token.ics", {"anonymous": 404, "coordinator": 404}, "workshops.feed"),
    ("POST", "/account/calendar-feed", 302, "workshops.regenerate_feed"),
]
