"""Route × role rows for the JSON endpoints the offline attendance page uses with its session.

Anonymous: the session endpoint answers 401 (the page keeps the marks and asks to sign in); an anonymous POST has
no CSRF token (400). The table's POST sends a form, not JSON: 400 for those who take attendance (staff, teaching
artists), 403 for other roles (checked first).
"""

ROUTES = [
    ("GET", "/attendance/session", {"ok": 200, "anonymous": 401}, "attendance.session_state"),
    ("POST", "/attendance/sync", 400, "attendance.sync"),
]
