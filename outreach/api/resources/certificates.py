"""Certificates of participation (PDF): the student's own school and staff; funders and teaching artists never."""
from __future__ import annotations

from typing import Any

from flask import Response

from outreach.access import MAKE_CERTIFICATES, requires
from outreach.api.schemas import certificates as s
from outreach.api.blueprint import ID, actor, bp
from outreach.certificates import pdf, services
from outreach.i18n import current_language

PDF = "application/pdf"
#: the success answer in the OpenAPI document: a PDF file (the schema is registered by outreach/api/views.py)
def pdf_response(description: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": description,
                                  "content": {PDF: {"schema": {"$ref": "#/components/schemas/PdfDocument"}}}}}}


def _pdf(body: bytes, name: str) -> Response:
    return Response(body, mimetype=PDF, headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route(f"/students/<{ID}:student_id>/certificate.pdf")
@bp.doc(summary="A student's certificate of participation in an initiative (PDF)",
        description="In the school's language (kk or ru; a school teaching in both: the Accept-Language one of "
                    "them, else kk) unless ?lang= says otherwise. 409 "
                    "(not_enough_attendance) when the student attended fewer than CERTIFICATE_MIN_SESSIONS workshops "
                    "of the initiative (present or late); another school's student: 404; initiative_id missing or "
                    "not an initiative: 422.")
@requires(MAKE_CERTIFICATES)
@bp.arguments(s.CertificateArgs, location="query")
@bp.response(200, content_type=PDF, description="An A4 PDF")
@bp.doc(**pdf_response("An A4 PDF"))
@bp.errors(401, 404, 409)
def student_certificate(args: dict[str, Any], student_id: int):
    certificate = services.student_certificate(actor(), student_id, args["initiative_id"], lang=args.get("lang"),
                                               preferred=current_language())
    body = pdf.certificates_pdf([certificate], certificate.language)
    return _pdf(body, f"certificate-{student_id}-{args['initiative_id']}-{certificate.language}.pdf")


@bp.route(f"/schools/<{ID}:school_id>/certificates.pdf")
@bp.doc(summary="The certificates of every qualifying student of a school in an initiative (PDF, one page each)",
        description="Students by grade and name; ?grade= for one class. 409 (no_certificates) when no student of "
                    "the school qualifies; another school: 404; initiative_id missing or not an initiative: 422.")
@requires(MAKE_CERTIFICATES)
@bp.arguments(s.SchoolCertificatesArgs, location="query")
@bp.response(200, content_type=PDF, description="An A4 PDF, one page per student")
@bp.doc(**pdf_response("An A4 PDF, one page per student"))
@bp.errors(401, 404, 409)
def school_certificates(args: dict[str, Any], school_id: int):
    certificates = services.class_certificates(actor(), school_id, args["initiative_id"], grade=args.get("grade"),
                                               lang=args.get("lang"), preferred=current_language())
    language = certificates[0].language
    return _pdf(pdf.certificates_pdf(certificates, language),
                f"certificates-{school_id}-{args['initiative_id']}-{language}.pdf")
