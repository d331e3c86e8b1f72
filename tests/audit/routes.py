"""Route × role rows for the audit log: (method, path, {role: status}, endpoint)."""
ROUTES = [
    ("GET", "/audit", {"anonymous": 302, "admin": 200, "coordinator": 403, "school": 403, "funder": 403},
     "audit.index"),
]
