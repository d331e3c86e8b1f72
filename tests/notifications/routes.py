"""Route × role rows for the outbox (administrators only): (method, path, expected, endpoint)."""
# Message 999999 does not exist: 404 for the administrator, 403 for everyone else.
ROUTES = [
    ("GET", "/outbox", 200, "notifications.outbox"),
    ("GET", "/outbox/999999", 404, "notifications.message"),
    ("POST", "/outbox/999999/retry", 404, "notifications.retry"),
]
