"""Route × role rows for the certificates pages: (method, path, status of the capability's holders, endpoint).

The pages need MAKE_CERTIFICATES (staff and school representatives; funders and teaching artists get 403). The
`objects` fixture's student has attended no workshop: its certificate and its school's are a conflict (409) for
those who may make them.
"""

ROUTES = [
    ("GET", "/certificates", 200, "certificates.index"),
    ("GET", "/certificates?school_id={school_id}", 200, "certificates.index"),
    ("GET", "/certificates/students/{student_id}.pdf?initiative_id={initiative_id}", 409, "certificates.student_pdf"),
    ("GET", "/certificates/schools/{school_id}.pdf?initiative_id={initiative_id}&grade=5", 409,
     "certificates.class_pdf"),
]
