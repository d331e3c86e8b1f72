"""Route × role rows for the teaching artists' and venues' pages: coordinators and admins only."""
STAFF_ONLY = {"school": 403, "funder": 403}
PAGE = {"anonymous": 302, "admin": 200, "coordinator": 200, **STAFF_ONLY}
EMPTY_POST = {"anonymous": 400, "admin": 422, "coordinator": 422, **STAFF_ONLY}

ROUTES = [
    ("GET", "/artists", PAGE, "artists.index"),
    ("GET", "/artists/new", PAGE, "artists.new"),
    ("POST", "/artists/new", EMPTY_POST, "artists.new"),
    ("GET", "/artists/{artist_id}", PAGE, "artists.detail"),
    ("GET", "/artists/999999", {"admin": 404, "coordinator": 404, **STAFF_ONLY}, "artists.detail"),
    ("GET", "/artists/{artist_id}/edit", PAGE, "artists.edit"),
    ("POST", "/artists/{artist_id}/edit", EMPTY_POST, "artists.edit"),
    # an empty period: the errors are flashed on the artist's page
    ("POST", "/artists/{artist_id}/unavailable", {"anonymous": 400, "admin": 302, "coordinator": 302, **STAFF_ONLY},
     "artists.add_unavailable"),
    ("POST", "/artists/unavailable/999999/delete", {"anonymous": 400, "admin": 404, "coordinator": 404,
                                                    **STAFF_ONLY}, "artists.delete_unavailable"),
    ("POST", "/artists/{artist_id}/invite", {"anonymous": 400, "admin": 302, "coordinator": 302, **STAFF_ONLY},
     "artists.invite"),
    ("GET", "/artists/hours", PAGE, "artists.hours"),
    ("GET", "/artists/hours.csv", PAGE, "artists.hours_export"),
    ("GET", "/artists/hours.xlsx", PAGE, "artists.hours_export"),
    ("GET", "/artists/merge", PAGE, "artists.merge"),
    ("POST", "/artists/merge", EMPTY_POST, "artists.merge"),
    ("GET", "/duplicates", PAGE, "artists.duplicates"),
    ("GET", "/venues", PAGE, "venues.index"),
    ("GET", "/venues/new", PAGE, "venues.new"),
    ("POST", "/venues/new", EMPTY_POST, "venues.new"),
    ("GET", "/venues/{venue_id}", PAGE, "venues.detail"),
    ("GET", "/venues/{venue_id}/edit", PAGE, "venues.edit"),
    ("POST", "/venues/{venue_id}/edit", EMPTY_POST, "venues.edit"),
    ("GET", "/venues/merge", PAGE, "venues.merge"),
    ("POST", "/venues/merge", EMPTY_POST, "venues.merge"),
]
