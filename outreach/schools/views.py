"""The schools directory: list, a school's page, the edit form, inviting a representative."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from outreach.access import MANAGE_SCHOOLS, requires
from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.schools import services
from outreach.schools.forms import InviteForm, SchoolFilterForm, SchoolForm
from outreach.schools.models import INSTRUCTION_LANGUAGES
from outreach.cache import cached_page
from outreach.web import domain_error, paginate

bp = Blueprint("schools", __name__, url_prefix="/schools")

# the invitation link is shown once, in the answer to the invitation (the e-mail may not be sent yet); never kept
# in the session cookie


def _region_choices() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in services.regions()]


@bp.route("")
@requires(MANAGE_SCHOOLS)
@cached_page()
def index():
    filters = SchoolFilterForm(request.args)
    filters.region.choices = [("", _("All regions")), *_region_choices()]
    filters.validate()

    def value(field):
        return field.data if field.data and not field.errors else None

    region = value(filters.region)
    if region not in dict(filters.region.choices):
        region = None
    query = services.schools_query(current_user, region=region, q=value(filters.q),
                                   settlement_type=value(filters.settlement_type), language=value(filters.language))
    page = paginate(query)
    filtered = any((region, value(filters.q), value(filters.settlement_type), value(filters.language)))
    return render_template("schools/index.html", page=page, filters=filters, filtered=filtered,
                           instruction_languages=INSTRUCTION_LANGUAGES)


@bp.route("/<int:school_id>")
@requires(MANAGE_SCHOOLS)
def detail(school_id: int):
    return _render_detail(services.get_school(current_user, school_id))


def _render_detail(school, invitation: dict | None = None):
    return render_template("schools/detail.html", school=school, counts=services.summary(school),
                           representatives=services.representatives(school), invitation=invitation,
                           invite_form=InviteForm(formdata=None), instruction_languages=INSTRUCTION_LANGUAGES)


def _render_form(form: SchoolForm, school=None, status: int = 200):
    return render_template("schools/form.html", form=form, school=school), status


@bp.route("/new", methods=["GET", "POST"])
@requires(MANAGE_SCHOOLS)
def new():
    form = SchoolForm()
    form.region.choices = [("", _("Choose a region")), *_region_choices()]
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_form(form, status=422)
        try:
            school = services.create_school(form.to_data(), actor=current_user._get_current_object())
        except OutreachError as error:
            domain_error(error)
            form.show_errors(error.fields)
            return _render_form(form, status=422)
        flash(_("The school has been added."), "success")
        return redirect(url_for("schools.detail", school_id=school.id))
    if not form.languages.data:
        form.languages.data = ["kk"]
    return _render_form(form)


@bp.route("/<int:school_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_SCHOOLS)
def edit(school_id: int):
    school = services.get_school(current_user, school_id)
    form = SchoolForm()
    form.region.choices = _region_choices()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_form(form, school, status=422)
        try:
            services.update_school(school, form.to_data(), actor=current_user._get_current_object())
        except OutreachError as error:
            domain_error(error)
            form.show_errors(error.fields)
            return _render_form(form, services.get_school(current_user, school_id), status=422)
        flash(_("The school has been saved."), "success")
        return redirect(url_for("schools.detail", school_id=school.id))
    form.fill_from(school)
    return _render_form(form, school)


@bp.route("/<int:school_id>/invite", methods=["GET", "POST"])
@requires(MANAGE_SCHOOLS)
def invite(school_id: int):
    school = services.get_school(current_user, school_id)
    form = InviteForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("schools/invite.html", form=form, school=school), 422
        try:
            user, link = services.invite_representative(school, form.to_data(),
                                                        actor=current_user._get_current_object())
        except OutreachError as error:
            domain_error(error)
            form.show_errors(error.fields)
            return render_template("schools/invite.html", form=form,
                                   school=services.get_school(current_user, school_id)), 422
        flash(_("The invitation has been created."), "success")
        return _render_detail(school, {"email": user.email, "url": link})
    return render_template("schools/invite.html", form=form, school=school)
