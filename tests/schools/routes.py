"""Route × role rows for the schools directory: (method, path, {role: status}, endpoint).

The directory is for admins and coordinators; school representatives and funders get 403.
POSTs carry only a CSRF token: an empty form is refused with 422.
"""
OTHERS = {"school": 403, "funder": 403}

ROUTES = [
    ("GET", "/schools", {"anonymous": 302, "admin": 200, "coordinator": 200, **OTHERS}, "schools.index"),
    ("GET", "/schools/{school_id}", {"anonymous": 302, "admin": 200, "coordinator": 200, **OTHERS}, "schools.detail"),
    ("GET", "/schools/new", {"anonymous": 302, "admin": 200, "coordinator": 200, **OTHERS}, "schools.new"),
    ("POST", "/schools/new", {"anonymous": 400, "admin": 422, "coordinator": 422, **OTHERS}, "schools.new"),
    ("GET", "/schools/{school_id}/edit", {"anonymous": 302, "admin": 200, "coordinator": 200, **OTHERS},
     "schools.edit"),
    ("POST", "/schools/{school_id}/edit", {"anonymous": 400, "admin": 422, "coordinator": 422, **OTHERS},
     "schools.edit"),
    ("GET", "/schools/{school_id}/invite", {"anonymous": 302, "admin": 200, "coordinator": 200, **OTHERS},
     "schools.invite"),
    ("POST", "/schools/{school_id}/invite", {"anonymous": 400, "admin": 422, "coordinator": 422, **OTHERS},
     "schools.invite"),
]
