"""Route × role rows for funder organisations: (method, path, {role: status}, endpoint)."""
STAFF = {"admin": 200, "coordinator": 200, "school": 403, "funder": 403}
STAFF_POST = {"anonymous": 400, "admin": 422, "coordinator": 422, "school": 403, "funder": 403}

ROUTES = [
    ("GET", "/funders", {"anonymous": 302, **STAFF}, "funders.index"),
    ("GET", "/funders/new", {"anonymous": 302, **STAFF}, "funders.new"),
    ("POST", "/funders/new", STAFF_POST, "funders.new"),
    ("GET", "/funders/{funder_id}", {"anonymous": 302, **STAFF}, "funders.detail"),
    ("GET", "/funders/{funder_id}/edit", {"anonymous": 302, **STAFF}, "funders.edit"),
    ("POST", "/funders/{funder_id}/edit", STAFF_POST, "funders.edit"),
    ("GET", "/funders/{funder_id}/invite", {"anonymous": 302, **STAFF}, "funders.invite"),
    ("POST", "/funders/{funder_id}/invite", STAFF_POST, "funders.invite"),
]
