"""Certificates of participation: the page listing who qualifies, per initiative and class, and the PDFs."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from outreach import params
from outreach.access import MAKE_CERTIFICATES, is_staff, may_make_certificates, own_school_id, requires
from outreach.certificates import pdf, services
from outreach.collation import stored_order
from outreach.extensions import db
from outreach.i18n import LANGUAGES, current_language
from outreach.initiatives.models import Initiative
from outreach.schools.models import School
from outreach.web import interface_language_kept, paginate
from outreach.workshops.rules import MAX_GRADE, MIN_GRADE

bp = Blueprint("certificates", __name__)
PER_PAGE = 30


def _user() -> Any:
    return current_user._get_current_object()


def _initiative() -> Initiative:
    """The initiative of ?initiative_id= (any that exists: who qualifies is the services' question)."""
    initiative = db.session.get(Initiative, params.to_id(request.args.get("initiative_id")) or 0)
    if initiative is None:
        abort(404)
    return initiative


def _pdf(body: bytes, name: str) -> Response:
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/certificates")
@requires(MAKE_CERTIFICATES)
def index():
    """Per initiative and class, the students of a school who qualify (staff choose the school)."""
    user = _user()
    school_id = own_school_id(user) or params.to_id(request.args.get("school_id"))
    school = db.session.get(School, school_id) if school_id else None
    if school_id and (school is None or not may_make_certificates(user, school.id)):
        abort(404)
    schools = None
    if is_staff(user):
        schools = [(row.id, row.name) for row in db.session.execute(
            select(School.id, School.name).order_by(stored_order(School), School.id))]
    initiative_id = params.to_id(request.args.get("initiative_id"))
    language = request.args.get("language") if request.args.get("language") in LANGUAGES else None
    initiatives, groups, page = [], [], None
    if school is not None:
        initiatives = services.qualifying_initiatives(user, school.id)
        if initiative_id not in {i.id for i in initiatives}:
            initiative_id = None
        page = paginate(services.qualifiers_query(user, school.id, initiative_id=initiative_id),
                        per_page=PER_PAGE, scalars=False)
        by_id = {i.id: i for i in initiatives}
        for student, row_initiative, sessions, minutes in page.items:
            key = (row_initiative, student.grade)
            if not groups or groups[-1]["key"] != key:
                groups.append({"key": key, "initiative": by_id[row_initiative], "grade": student.grade,
                               "grade_label": services.grade_label(student.grade), "rows": []})
            groups[-1]["rows"].append({"student": student, "sessions": sessions, "hours": (minutes or 0) / 60})
    return render_template("certificates/index.html", school=school, schools=schools, initiatives=initiatives,
                           initiative_id=initiative_id, groups=groups, page=page, language=language,
                           default_language=services.language_for(school, None, current_language()) if school else None,
                           min_sessions=services.min_sessions())


@bp.route("/certificates/students/<int:student_id>.pdf")
@requires(MAKE_CERTIFICATES)
def student_pdf(student_id: int):
    """One student's certificate: ?initiative_id= (required), ?lang= kk|ru|en (default: the school's)."""
    initiative = _initiative()
    with interface_language_kept():
        certificate = services.student_certificate(_user(), student_id, initiative.id, lang=request.args.get("lang"),
                                                   preferred=current_language())
        body = pdf.certificates_pdf([certificate], certificate.language)
    return _pdf(body, f"certificate-{student_id}-{initiative.id}-{certificate.language}.pdf")


@bp.route("/certificates/schools/<int:school_id>.pdf")
@requires(MAKE_CERTIFICATES)
def class_pdf(school_id: int):
    """Every qualifying student's certificate, one page each: ?initiative_id= (required), ?grade= (one class),
    ?lang=."""
    initiative = _initiative()
    grade = None
    if request.args.get("grade"):
        grade = params.to_int(request.args.get("grade"), low=MIN_GRADE, high=MAX_GRADE)
        if grade is None:
            abort(404)
    with interface_language_kept():
        certificates = services.class_certificates(_user(), school_id, initiative.id, grade=grade,
                                                   lang=request.args.get("lang"), preferred=current_language())
        language = certificates[0].language
        body = pdf.certificates_pdf(certificates, language)
    suffix = f"-grade-{grade}" if grade is not None else ""
    return _pdf(body, f"certificates-{school_id}-{initiative.id}{suffix}-{language}.pdf")
