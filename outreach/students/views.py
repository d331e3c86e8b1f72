"""Roster pages: students with guardian consent, the consent form, erasure, and the import."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, noload, selectinload

from outreach.access import KEEP_ROSTER, is_school_rep, is_staff, own_school_id, requires
from outreach.certificates import services as certificates
from outreach.collation import stored_order
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _, current_language, ngettext
from outreach.initiatives.models import Initiative
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students import import_files, importing, retention, searches, services
from outreach.students.consent_pdf import consent_form_pdf
from outreach.students.forms import RELATIONSHIP_SUGGESTIONS, EraseForm, ImportConfirmForm, KeepForm, ImportUploadForm, RosterFilterForm, RosterSearchForm, StudentForm
from outreach.students.models import Student
from outreach import params
from outreach.web import domain_error, interface_language_kept, paginate, without_query
from outreach.cache import cached_page
from outreach.workshops.models import Workshop

bp = Blueprint("students", __name__)


def _user() -> Any:
    return current_user._get_current_object()


def _is_staff() -> bool:
    return is_staff(current_user)


def _school_choices() -> list[tuple[int, str]] | None:
    """Schools to choose from (coordinators and administrators); None for a school's representative."""
    if not _is_staff():
        return None
    return [(row.id, row.name)
            for row in db.session.execute(select(School.id, School.name).order_by(stored_order(School), School.id))]


def _download_language() -> str:
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else current_language()


# --- the roster ----------------------------------------------------------------------------------

@bp.route("/students")
@requires(KEEP_ROSTER)
@cached_page()
def index():
    """The roster; a name search comes as ?search=<token> (students.search holds the text), never as ?q=."""
    old_link = without_query("q")  # an old link or bookmark with the name in it: the page without it
    if old_link is not None:
        return old_link
    schools = _school_choices()
    filters = RosterFilterForm(formdata=request.args, schools=schools)
    filters.validate()
    filters.q.data = searches.held(request.args.get(searches.PARAMETER), user_id=current_user.id)
    return _roster(filters, schools)


@bp.route("/students/search", methods=["POST"])
@requires(KEEP_ROSTER)
def search():
    """The search form, sent by POST: the name is held on the server and the roster asked for with its token."""
    schools = _school_choices()
    filters = RosterSearchForm(schools=schools)
    if not filters.validate_on_submit():
        return _roster(filters, schools, status=422)
    args = {"grade": filters.grade.data, "school_id": filters.school_id.data if schools is not None else None}
    if filters.q.data:
        args[searches.PARAMETER] = searches.hold(filters.q.data, user_id=current_user.id)
    return redirect(url_for("students.index", **args), 303)


def _roster(filters: RosterFilterForm, schools: list[tuple[int, str]] | None, status: int = 200):
    def value(field):  # a value that failed its check is not used: the list shows unfiltered by it
        return None if field.errors else field.data

    q, grade = value(filters.q), value(filters.grade)
    school_id = value(filters.school_id) if schools is not None else None
    query = services.students_query(_user(), school_id=school_id, q=q or None, grade=grade)
    if schools is not None:
        query = query.options(joinedload(Student.school).options(noload(School.language_rows), noload(School.region)))
    page = paginate(query)
    filtered = bool(q or grade is not None or school_id)
    return render_template("students/index.html", page=page, filters=filters, filtered=filtered,
                           show_school=schools is not None), status


@bp.route("/students/<int:student_id>")
@requires(KEEP_ROSTER)
def detail(student_id: int):
    student = services.get_student(student_id, actor=_user())
    signups = paginate(
        select(Signup).join(Workshop, Workshop.id == Signup.workshop_id)
        .where(Signup.student_id == student.id)
        .options(contains_eager(Signup.workshop), selectinload(Signup.attendance_row))
        .order_by(Workshop.starts_at.desc(), Signup.id.desc()))
    attended = certificates.student_sessions(student)
    initiatives = db.session.scalars(select(Initiative).where(Initiative.id.in_(list(attended)))
                                     .order_by(Initiative.id.desc())).all() if attended else []
    return render_template("students/detail.html", student=student, signups=signups,
                           certificates=[(i, attended[i.id]) for i in initiatives],
                           min_sessions=certificates.min_sessions())


@bp.route("/students/new", methods=["GET", "POST"])
@requires(KEEP_ROSTER)
def new():
    form = StudentForm(schools=_school_choices())
    if request.method == "GET" and "school_id" in form:
        form.school_id.data = params.to_id(request.args.get("school_id"))
    if form.validate_on_submit():
        try:
            student = services.create_student(form.data_for_service(), actor=_user())
        except OutreachError as error:
            domain_error(error)
            form.show_service_errors(error.fields)
        else:
            flash(_("%(name)s was added to the roster.", name=student.full_name), "success")
            return redirect(url_for("students.detail", student_id=student.id))
    status = 422 if form.is_submitted() else 200
    return render_template("students/form.html", form=form, student=None,
                           relationship_suggestions=RELATIONSHIP_SUGGESTIONS), status


@bp.route("/students/<int:student_id>/edit", methods=["GET", "POST"])
@requires(KEEP_ROSTER)
def edit(student_id: int):
    student = services.get_student(student_id, actor=_user())
    consent = student.consent
    initial = {"school_id": student.school_id, "first_name": student.first_name, "last_name": student.last_name,
               "grade": student.grade, "gender": student.gender,
               "guardian_name": consent.guardian_name if consent else None,
               "relationship": consent.relationship_to_student if consent else None,
               "given_on": consent.given_on if consent else None, "method": consent.method if consent else "paper",
               "media_consent": student.media_consent}
    form = StudentForm(data=initial, schools=_school_choices())
    if form.validate_on_submit():
        try:
            services.update_student(student, form.data_for_service(), actor=_user())
        except OutreachError as error:
            domain_error(error)
            form.show_service_errors(error.fields)
        else:
            flash(_("The changes were saved."), "success")
            return redirect(url_for("students.detail", student_id=student.id))
    status = 422 if form.is_submitted() else 200
    return render_template("students/form.html", form=form, student=student,
                           relationship_suggestions=RELATIONSHIP_SUGGESTIONS), status


@bp.route("/students/<int:student_id>/erase", methods=["GET", "POST"])
@requires(KEEP_ROSTER)
def erase(student_id: int):
    student = services.get_student(student_id, actor=_user())
    form = EraseForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.erase_student(student, actor=_user())
        except OutreachError as error:
            domain_error(error)
            status = error.status
        else:
            flash(_("Consent was withdrawn and the student's personal data was erased. Their past sign-ups "
                    "and attendance remain as anonymous records."), "success")
            return redirect(url_for("students.index"))
    elif form.is_submitted():
        status = 422
    upcoming = services.upcoming_signups(student)
    return render_template("students/erase.html", student=student, form=form, upcoming=len(upcoming)), status


# --- the consent form ----------------------------------------------------------------------------

@bp.route("/students/consent-form")
@requires(KEEP_ROSTER)
def consent_form():
    """The printable consent form: blank, or with one student's details (?student_id=); ?lang= kk|ru|en."""
    with interface_language_kept():
        user = _user()
        lang = _download_language()
        student = None
        if request.args.get("student_id"):
            student_id = params.to_id(request.args.get("student_id"))
            if student_id is None:
                abort(404)
            student = services.get_student(student_id, actor=user)
        school_name = user.school.name if is_school_rep(user) and user.school is not None else None
        pdf = consent_form_pdf(lang, student=student, school_name=school_name)
    name = f"consent-{student.id}-{lang}.pdf" if student is not None else f"consent-{lang}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


# --- the import ----------------------------------------------------------------------------------

@bp.route("/students/import/template")
@requires(KEEP_ROSTER)
def import_template():
    """The import template: ?lang= kk|ru|en, ?format= xlsx|csv."""
    with interface_language_kept():
        lang = _download_language()
        file_format = "csv" if request.args.get("format") == "csv" else "xlsx"
        content, mimetype, filename = importing.template_file(lang, file_format)
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/students/import", methods=["GET", "POST"])
@requires(KEEP_ROSTER)
def import_():
    """GET: the upload form; POST step=preview: check the file; POST step=confirm: add the students."""
    if request.method == "POST" and request.form.get("step") == "confirm":
        return _import_confirm()
    user = _user()
    form = ImportUploadForm(schools=_school_choices())
    if request.method == "GET" and "school_id" in form:
        form.school_id.data = params.to_id(request.args.get("school_id"))
    if form.validate_on_submit():
        school_id = own_school_id(user) or form.school_id.data
        upload = form.file.data
        data = upload.stream.read(import_files.MAX_BYTES + 1)
        try:
            preview = importing.parse_roster_file(upload.filename or "", data, school_id=school_id)
        except OutreachError as error:
            form.file.errors = [str(error)]
        else:
            token = importing.save_pending(preview, user_id=user.id, school_id=school_id) if preview.can_import else None
            confirm = ImportConfirmForm(formdata=None, token=token)
            confirm.for_preview(preview)
            return render_template("students/import_preview.html", preview=preview, confirm=confirm, upload=form,
                                   school=db.session.get(School, school_id)), 200 if preview.can_import else 422
    status = 422 if form.is_submitted() else 200
    return render_template("students/import.html", form=form), status


def _import_confirm():
    user = _user()
    form = ImportConfirmForm()
    pending = importing.load_pending(form.token.data or "", user_id=user.id)
    if pending is None:
        flash(_("This import has expired or was already completed. Please upload the file again."), "warning")
        return redirect(url_for("students.import_"))
    preview = importing.preview_from_pending(pending)
    form.for_preview(preview)
    if form.validate_on_submit():
        consent = {"given_on": form.given_on.data, "method": form.method.data, "confirmed": form.confirmed.data}
        if importing.claim_pending(pending["token"], user_id=user.id) is None:  # a second click
            flash(_("This import has expired or was already completed. Please upload the file again."), "warning")
            return redirect(url_for("students.import_"))
        try:
            result = services.apply_import(pending["rows"], consent, actor=user, school_id=pending["school_id"],
                                           skip_invalid=bool(form.skip_invalid.data))
        except OutreachError as error:
            importing.release_pending(pending["token"])
            domain_error(error)
            form.show_service_errors(error.fields)
        except Exception:
            importing.release_pending(pending["token"])
            raise
        else:
            importing.discard_pending(pending["token"])
            flash(importing.result_summary(result), "success")
            args = {"school_id": pending["school_id"]} if _is_staff() else {}
            return redirect(url_for("students.index", **args))
    upload = ImportUploadForm(formdata=None, schools=_school_choices())
    if "school_id" in upload:
        upload.school_id.data = pending["school_id"]
    if not preview.can_import:
        form.token.data = ""
        # the answer is a 422 (rolled back): delete the stale preview in a transaction of its own
        db.session.rollback()
        importing.discard_pending(pending["token"])
        db.session.commit()
    return render_template("students/import_preview.html", preview=preview, confirm=form, upload=upload,
                           school=db.session.get(School, pending["school_id"])), 422


# --- retention ------------------------------------------------------------------------------------------------

@bp.route("/students/retention")
@requires(KEEP_ROSTER)
def retention_list():
    """Students whose retention period ends soon (or has ended): the school keeps the ones still in the programme."""
    page = paginate(retention.due_query(_user()), scalars=False)
    page.items = retention.due(page.items)
    months, notice_days = retention.settings()
    return render_template("students/retention.html", page=page, form=KeepForm(), show_school=_is_staff(),
                           months=months, notice_days=notice_days)


@bp.route("/students/<int:student_id>/keep", methods=["POST"])
@requires(KEEP_ROSTER)
def keep(student_id: int):
    form = KeepForm()
    if not form.validate_on_submit():
        abort(400)
    student = retention.keep(student_id, actor=_user())
    flash(_("%(name)s stays in the programme: the retention period starts again today.", name=student.full_name),
          "success")
    return redirect(url_for("students.retention_list", page=request.args.get("page") or None), 303)
