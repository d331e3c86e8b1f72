"""Route × role rows for funder organisations: (method, path, expected, endpoint)."""

ROUTES = [
    ("GET", "/funders", 200, "funders.index"),
    ("GET", "/funders/new", 200, "funders.new"),
    ("POST", "/funders/new", 422, "funders.new"),
    ("GET", "/funders/{funder_id}", 200, "funders.detail"),
    ("GET", "/funders/{funder_id}/edit", 200, "funders.edit"),
    ("POST", "/funders/{funder_id}/edit", 422, "funders.edit"),
    ("GET", "/funders/{funder_id}/invite", 200, "funders.invite"),
    ("POST", "/funders/{funder_id}/invite", 422, "funders.invite"),
]
