"""Route × role rows for the schools directory: (method, path, expected, endpoint).

The directory is for admins and coordinators; school representatives and funders get 403.
POSTs carry only a CSRF token: an empty form is refused with 422.
"""

ROUTES = [
    ("GET", "/schools", 200, "schools.index"),
    ("GET", "/schools/{school_id}", 200, "schools.detail"),
    ("GET", "/schools/new", 200, "schools.new"),
    ("POST", "/schools/new", 422, "schools.new"),
    ("GET", "/schools/{school_id}/edit", 200, "schools.edit"),
    ("POST", "/schools/{school_id}/edit", 422, "schools.edit"),
    ("GET", "/schools/{school_id}/invite", 200, "schools.invite"),
    ("POST", "/schools/{school_id}/invite", 422, "schools.invite"),
]
