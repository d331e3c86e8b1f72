"""Route × role rows for the JSON endpoints the offline attendance page uses with its session.

Anonymous: the session endpoint answers 401 (the page keeps the marks and asks to sign in); an anonymous POST has
no CSRF token (400). The table's POST sends a form, not JSON: 400 for those who take attendance (staff, teaching
artists), 403 for other roles (checked first).
"""
STAFF_ONLY = {"school": 403, "funder": 403}

ROUTES = [
    ("GET", "/attendance/session", {"anonymous": 401, "admin": 200, "coordinator": 200, "artist": 200,
                                     **STAFF_ONLY}, "attendance.session_state"),
    ("POST", "/attendance/sync", {"anonymous": 400, "admin": 400, "coordinator": 400, "artist": 400,
                                  **STAFF_ONLY}, "attendance.sync"),
]
