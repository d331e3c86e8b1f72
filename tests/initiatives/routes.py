"""Route × role rows for the initiative pages: (method, path, {role: status}, endpoint).

School representatives do not use initiative pages (403); funders read the initiatives they fund.
POSTs carry only a CSRF token: an empty form is refused with 422, archiving redirects.
"""
STAFF_ONLY = {"school": 403, "funder": 403}

ROUTES = [
    ("GET", "/initiatives", {"anonymous": 302, "admin": 200, "coordinator": 200, "school": 403, "funder": 200},
     "initiatives.index"),
    ("GET", "/initiatives/{initiative_id}",
     {"anonymous": 302, "admin": 200, "coordinator": 200, "school": 403, "funder": 200}, "initiatives.detail"),
    ("GET", "/initiatives/new", {"anonymous": 302, "admin": 200, "coordinator": 200, **STAFF_ONLY}, "initiatives.new"),
    ("POST", "/initiatives/new", {"anonymous": 400, "admin": 422, "coordinator": 422, **STAFF_ONLY},
     "initiatives.new"),
    ("GET", "/initiatives/{initiative_id}/edit", {"anonymous": 302, "admin": 200, "coordinator": 200, **STAFF_ONLY},
     "initiatives.edit"),
    ("POST", "/initiatives/{initiative_id}/edit", {"anonymous": 400, "admin": 422, "coordinator": 422, **STAFF_ONLY},
     "initiatives.edit"),
    ("POST", "/initiatives/{initiative_id}/archive",
     {"anonymous": 400, "admin": 302, "coordinator": 302, **STAFF_ONLY}, "initiatives.archive"),
]
