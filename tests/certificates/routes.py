"""Route × role rows for the certificates pages: (method, path, {role: status}, endpoint).

The `objects` fixture's student has attended no workshop: its certificate and its school's are a conflict (409)
for those who may make them. Funders and teaching artists never may (403).
"""
MAKERS = {"admin": 200, "coordinator": 200, "school": 200, "funder": 403}
NOT_ENOUGH = {"admin": 409, "coordinator": 409, "school": 409, "funder": 403}

ROUTES = [
    ("GET", "/certificates", {"anonymous": 302, **MAKERS}, "certificates.index"),
    ("GET", "/certificates?school_id={school_id}", {"anonymous": 302, **MAKERS}, "certificates.index"),
    ("GET", "/certificates/students/{student_id}.pdf?initiative_id={initiative_id}", {"anonymous": 302, **NOT_ENOUGH},
     "certificates.student_pdf"),
    ("GET", "/certificates/schools/{school_id}.pdf?initiative_id={initiative_id}&grade=5",
     {"anonymous": 302, **NOT_ENOUGH}, "certificates.class_pdf"),
]
