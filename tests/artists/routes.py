"""Route × role rows for the teaching artists' and venues' pages: coordinators and admins only."""

ROUTES = [
    ("GET", "/artists", 200, "artists.index"),
    ("GET", "/artists/new", 200, "artists.new"),
    ("POST", "/artists/new", 422, "artists.new"),
    ("GET", "/artists/{artist_id}", 200, "artists.detail"),
    ("GET", "/artists/999999", 404, "artists.detail"),
    ("GET", "/artists/{artist_id}/edit", 200, "artists.edit"),
    ("POST", "/artists/{artist_id}/edit", 422, "artists.edit"),
    # an empty period: the errors are flashed on the artist's page
    ("POST", "/artists/{artist_id}/unavailable", 302, "artists.add_unavailable"),
    ("POST", "/artists/unavailable/999999/delete", 404, "artists.delete_unavailable"),
    ("POST", "/artists/{artist_id}/invite", 302, "artists.invite"),
    ("GET", "/artists/hours", 200, "artists.hours"),
    ("GET", "/artists/hours.csv", 200, "artists.hours_export"),
    ("GET", "/artists/hours.xlsx", 200, "artists.hours_export"),
    ("GET", "/artists/merge", 200, "artists.merge"),
    ("POST", "/artists/merge", 422, "artists.merge"),
    ("GET", "/duplicates", 200, "artists.duplicates"),
    ("GET", "/venues", 200, "venues.index"),
    ("GET", "/venues/new", 200, "venues.new"),
    ("POST", "/venues/new", 422, "venues.new"),
    ("GET", "/venues/{venue_id}", 200, "venues.detail"),
    ("GET", "/venues/{venue_id}/edit", 200, "venues.edit"),
    ("POST", "/venues/{venue_id}/edit", 422, "venues.edit"),
    ("GET", "/venues/merge", 200, "venues.merge"),
    ("POST", "/venues/merge", 422, "venues.merge"),
]
