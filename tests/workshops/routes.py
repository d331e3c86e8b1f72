"""Route × role rows for the workshop pages and calendar feeds: (method, path, {role: status}, endpoint).

Coordinators and admins schedule; school representatives use the calendar and read workshop pages; funders read
the pages of workshops of the initiatives they fund and nothing else. The `objects` workshop starts in a week, so
attendance is not open yet (the page explains; a POST is 409). POSTs carry only a CSRF token: an empty form is 422.
The feed path uses the coordinator's token and needs no sign-in. A teaching artist reads the page of its own
workshop (the `objects` workshop is given by the artist signed in), takes its attendance and has a calendar and a feed;
everything else is refused.
"""
STAFF_ONLY = {"school": 403, "funder": 403}
EVERYONE = {"admin": 200, "coordinator": 200, "school": 200, "funder": 200}

ROUTES = [
    ("GET", "/workshops/series/999999", {"anonymous": 302, "admin": 404, "coordinator": 404, **STAFF_ONLY},
     "workshops.series"),
    ("GET", "/workshops", {"anonymous": 302, "admin": 200, "coordinator": 200, **STAFF_ONLY}, "workshops.index"),
    ("GET", "/calendar", {"anonymous": 302, "admin": 200, "coordinator": 200, "school": 200, "funder": 403,
                      "artist": 200}, "workshops.calendar"),
    ("GET", "/workshops/{workshop_id}", {"anonymous": 302, **EVERYONE, "artist": 200}, "workshops.detail"),
    ("GET", "/workshops/999999", {"admin": 404, "coordinator": 404, "school": 404, "funder": 404, "artist": 404},
     "workshops.detail"),
    # another teaching artist's workshop: as if it did not exist
    ("GET", "/workshops/{other_workshop_id}", {"artist": 404}, "workshops.detail"),
    ("GET", "/workshops/{other_workshop_id}/attendance", {"artist": 404}, "workshops.attendance"),
    ("GET", "/workshops/new", {"anonymous": 302, "admin": 200, "coordinator": 200, **STAFF_ONLY}, "workshops.new"),
    ("POST", "/workshops/new", {"anonymous": 400, "admin": 422, "coordinator": 422, **STAFF_ONLY}, "workshops.new"),
    ("GET", "/workshops/new-series", {"anonymous": 302, "admin": 200, "coordinator": 200, **STAFF_ONLY},
     "workshops.new_series"),
    ("POST", "/workshops/new-series", {"anonymous": 400, "admin": 422, "coordinator": 422, **STAFF_ONLY},
     "workshops.new_series"),
    ("GET", "/workshops/{workshop_id}/edit", {"anonymous": 302, "admin": 200, "coordinator": 200, **STAFF_ONLY},
     "workshops.edit"),
    ("POST", "/workshops/{workshop_id}/edit", {"anonymous": 400, "admin": 422, "coordinator": 422, **STAFF_ONLY},
     "workshops.edit"),
    ("POST", "/workshops/{workshop_id}/cancel", {"anonymous": 400, "admin": 302, "coordinator": 302, **STAFF_ONLY},
     "workshops.cancel"),
    ("GET", "/workshops/{workshop_id}/attendance",
     {"anonymous": 302, "admin": 200, "coordinator": 200, "artist": 200, **STAFF_ONLY}, "workshops.attendance"),
    ("POST", "/workshops/{workshop_id}/attendance",
     {"anonymous": 400, "admin": 409, "coordinator": 409, "artist": 409, **STAFF_ONLY}, "workshops.attendance"),
    ("GET", "/calendar/{feed_token}.ics", {"anonymous": 200, **EVERYONE, "artist": 200}, "workshops.feed"),
    ("GET", "/calendar/not-a-token.ics", {"anonymous": 404, "coordinator": 404}, "workshops.feed"),
    ("POST", "/account/calendar-feed", {"anonymous": 400, "admin": 302, "coordinator": 302, "school": 302,
                                        "funder": 403, "artist": 302}, "workshops.regenerate_feed"),
]
