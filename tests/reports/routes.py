"""Route × role rows for the impact report and its exports: (method, path, {role: status}, endpoint)."""
REPORT = {"anonymous": 302, "admin": 200, "coordinator": 200, "school": 403, "funder": 200}
STAFF_ONLY = {"anonymous": 302, "admin": 200, "coordinator": 200, "school": 403, "funder": 403}

ROUTES = [
    ("GET", "/reports/impact", REPORT, "reports.impact"),
    ("GET", "/reports/impact?initiative_id={initiative_id}", REPORT, "reports.impact"),
    ("GET", "/reports/impact.csv", REPORT, "reports.export"),
    ("GET", "/reports/impact.xlsx?initiative_id={initiative_id}", REPORT, "reports.export"),
    ("GET", "/reports/impact.pdf", REPORT, "reports.export"),
    ("GET", "/reports/signups.csv", STAFF_ONLY, "reports.signups_csv"),
    # how funders' figures protect children: no data, readable by a funder's board without signing in
    ("GET", "/reports/privacy",
     {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200, "artist": 200},
     "reports.privacy_page"),
    ("GET", "/reports/static/reports.css",
     {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200, "artist": 200},
     "reports.static"),
]
