"""Route × role rows for the roster pages: (method, path, expected, endpoint).

The `objects` fixture's school user belongs to the student's school. Anonymous GETs go to the sign-in
page (302); anonymous POSTs carry no CSRF token (400). Funders never see children's names (403). A POST with
only a CSRF token is an incomplete form (422).
"""

ROUTES = [
    ("GET", "/students", 200, "students.index"),
    # the roster's search form (POST): with only a CSRF token it is an empty search, the roster without a token
    ("POST", "/students/search", 303, "students.search"),
    ("GET", "/students/new", 200, "students.new"),
    ("POST", "/students/new", 422, "students.new"),
    ("GET", "/students/{student_id}", 200, "students.detail"),
    ("GET", "/students/{student_id}/edit", 200, "students.edit"),
    ("POST", "/students/{student_id}/edit", 422, "students.edit"),
    ("GET", "/students/{student_id}/erase", 200, "students.erase"),
    # the confirmation button posts only the CSRF token: the student is erased
    ("POST", "/students/{student_id}/erase", 302, "students.erase"),
    # the students due for automatic erasure; the button posts only the CSRF token: the student is kept
    ("GET", "/students/retention", 200, "students.retention_list"),
    ("POST", "/students/{student_id}/keep", 303, "students.keep"),
    ("GET", "/students/consent-form?lang=kk", 200, "students.consent_form"),
    ("GET", "/students/consent-form?lang=ru&student_id={student_id}", 200, "students.consent_form"),
    ("GET", "/students/import", 200, "students.import_"),
    ("POST", "/students/import", 422, "students.import_"),
    ("GET", "/students/import/template?lang=ru&format=xlsx", 200, "students.import_template"),
    ("GET", "/students/import/template?lang=kk&format=csv", 200, "students.import_template"),
]
