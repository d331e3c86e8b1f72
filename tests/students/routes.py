"""Route × role rows for the roster pages: (method, path, {role: status}, endpoint).

The `objects` fixture's school user belongs to the student's school. Anonymous GETs go to the sign-in
page (302); anonymous POSTs carry no CSRF token (400). Funders never see children's names (403).
"""
ROSTER = {"admin": 200, "coordinator": 200, "school": 200, "funder": 403}
# a POST with only a CSRF token: the form is incomplete
INCOMPLETE = {"admin": 422, "coordinator": 422, "school": 422, "funder": 403}

ROUTES = [
    ("GET", "/students", {"anonymous": 302, **ROSTER}, "students.index"),
    # the roster's search form (POST): with only a CSRF token it is an empty search, the roster without a token
    ("POST", "/students/search", {"anonymous": 400, "admin": 303, "coordinator": 303, "school": 303, "funder": 403},
     "students.search"),
    ("GET", "/students/new", {"anonymous": 302, **ROSTER}, "students.new"),
    ("POST", "/students/new", {"anonymous": 400, **INCOMPLETE}, "students.new"),
    ("GET", "/students/{student_id}", {"anonymous": 302, **ROSTER}, "students.detail"),
    ("GET", "/students/{student_id}/edit", {"anonymous": 302, **ROSTER}, "students.edit"),
    ("POST", "/students/{student_id}/edit", {"anonymous": 400, **INCOMPLETE}, "students.edit"),
    ("GET", "/students/{student_id}/erase", {"anonymous": 302, **ROSTER}, "students.erase"),
    # the confirmation button posts only the CSRF token: the student is erased
    ("POST", "/students/{student_id}/erase",
     {"anonymous": 400, "admin": 302, "coordinator": 302, "school": 302, "funder": 403}, "students.erase"),
    # the students due for automatic erasure; the button posts only the CSRF token: the student is kept
    ("GET", "/students/retention", {"anonymous": 302, **ROSTER}, "students.retention_list"),
    ("POST", "/students/{student_id}/keep",
     {"anonymous": 400, "admin": 303, "coordinator": 303, "school": 303, "funder": 403}, "students.keep"),
    ("GET", "/students/consent-form?lang=kk", {"anonymous": 302, **ROSTER}, "students.consent_form"),
    ("GET", "/students/consent-form?lang=ru&student_id={student_id}", {"anonymous": 302, **ROSTER},
     "students.consent_form"),
    ("GET", "/students/import", {"anonymous": 302, **ROSTER}, "students.import_"),
    ("POST", "/students/import", {"anonymous": 400, **INCOMPLETE}, "students.import_"),
    ("GET", "/students/import/template?lang=ru&format=xlsx", {"anonymous": 302, **ROSTER},
     "students.import_template"),
    ("GET", "/students/import/template?lang=kk&format=csv", {"anonymous": 302, **ROSTER},
     "students.import_template"),
]
