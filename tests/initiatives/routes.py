"""Route × role rows for the initiative pages: (method, path, expected, endpoint).

School representatives do not use initiative pages (403); funders read the initiatives they fund.
POSTs carry only a CSRF token: an empty form is refused with 422, archiving redirects.
"""

ROUTES = [
    ("GET", "/initiatives", 200, "initiatives.index"),
    ("GET", "/initiatives/{initiative_id}", 200, "initiatives.detail"),
    ("GET", "/initiatives/new", 200, "initiatives.new"),
    ("POST", "/initiatives/new", 422, "initiatives.new"),
    ("GET", "/initiatives/{initiative_id}/edit", 200, "initiatives.edit"),
    ("POST", "/initiatives/{initiative_id}/edit", 422, "initiatives.edit"),
    ("POST", "/initiatives/{initiative_id}/archive", 302, "initiatives.archive"),
]
