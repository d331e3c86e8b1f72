"""Route × role rows for the audit log: (method, path, expected, endpoint)."""

ROUTES = [
    ("GET", "/audit", 200, "audit.index"),
]
