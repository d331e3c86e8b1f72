"""Route × role rows for the impact report and its exports: (method, path, expected, endpoint)."""

ROUTES = [
    ("GET", "/reports/impact", 200, "reports.impact"),
    ("GET", "/reports/impact?initiative_id={initiative_id}", 200, "reports.impact"),
    ("GET", "/reports/impact.csv", 200, "reports.export"),
    ("GET", "/reports/impact.xlsx?initiative_id={initiative_id}", 200, "reports.export"),
    ("GET", "/reports/impact.pdf", 200, "reports.export"),
    ("GET", "/reports/signups.csv", 200, "reports.signups_csv"),
    # how funders' figures protect children: no data, readable by a funder's board without signing in
    ("GET", "/reports/privacy",
     {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200, "artist": 200},
     "reports.privacy_page"),
    ("GET", "/reports/static/reports.css",
     {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200, "artist": 200},
     "reports.static"),
]
