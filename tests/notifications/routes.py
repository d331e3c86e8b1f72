"""Route × role rows for the outbox (administrators only): (method, path, {role: status}, endpoint)."""
# Message 999999 does not exist: 404 for the administrator, 403 for everyone else.
ROUTES = [
    ("GET", "/outbox", {"anonymous": 302, "admin": 200, "coordinator": 403, "school": 403, "funder": 403},
     "notifications.outbox"),
    ("GET", "/outbox/999999", {"anonymous": 302, "admin": 404, "coordinator": 403, "school": 403, "funder": 403},
     "notifications.message"),
    ("POST", "/outbox/999999/retry",
     {"anonymous": 400, "admin": 404, "coordinator": 403, "school": 403, "funder": 403}, "notifications.retry"),
]
