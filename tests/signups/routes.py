"""Route × role rows for the sign-up pages: (method, path, expected, endpoint)."""
# Anonymous POSTs carry no CSRF token and are refused (400) before anything else. A POST with only the
# token chooses no student (422); sign-up 999999 does not exist (404 for those who may cancel at all).

ROUTES = [
    ("GET", "/signups/browse", 200, "signups.browse"),
    ("GET", "/signups/mine", 200, "signups.mine"),
    ("GET", "/signups/workshops/{workshop_id}", 200, "signups.pick"),
    ("POST", "/signups/workshops/{workshop_id}", 422, "signups.register"),
    # the name search (POST): with only the token it is an empty search, the page without a held one
    ("POST", "/signups/workshops/{workshop_id}/search", 303, "signups.search"),
    ("GET", "/signups/workshops/{workshop_id}/result", 200, "signups.result"),
    ("GET", "/signups/workshops/{workshop_id}/list", 200, "signups.workshop"),
    ("POST", "/signups/999999/cancel", 404, "signups.cancel"),
]
