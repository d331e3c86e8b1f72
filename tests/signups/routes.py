"""Route × role rows for the sign-up pages: (method, path, {role: status}, endpoint)."""
# Anonymous POSTs carry no CSRF token and are refused (400) before anything else. A POST with only the
# token chooses no student (422); sign-up 999999 does not exist (404 for those who may cancel at all).
SCHOOL_ONLY = {"anonymous": 302, "admin": 403, "coordinator": 403, "school": 200, "funder": 403}
SCHOOL_AND_STAFF = {"anonymous": 302, "admin": 200, "coordinator": 200, "school": 200, "funder": 403}

ROUTES = [
    ("GET", "/signups/browse", SCHOOL_ONLY, "signups.browse"),
    ("GET", "/signups/mine", SCHOOL_ONLY, "signups.mine"),
    ("GET", "/signups/workshops/{workshop_id}", SCHOOL_AND_STAFF, "signups.pick"),
    ("POST", "/signups/workshops/{workshop_id}",
     {"anonymous": 400, "admin": 422, "coordinator": 422, "school": 422, "funder": 403}, "signups.register"),
    # the name search (POST): with only the token it is an empty search, the page without a held one
    ("POST", "/signups/workshops/{workshop_id}/search",
     {"anonymous": 400, "admin": 303, "coordinator": 303, "school": 303, "funder": 403}, "signups.search"),
    ("GET", "/signups/workshops/{workshop_id}/result", SCHOOL_AND_STAFF, "signups.result"),
    ("GET", "/signups/workshops/{workshop_id}/list", SCHOOL_AND_STAFF, "signups.workshop"),
    ("POST", "/signups/999999/cancel",
     {"anonymous": 400, "admin": 404, "coordinator": 404, "school": 404, "funder": 403}, "signups.cancel"),
]
