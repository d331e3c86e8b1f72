"""Initiative pages: the list, one initiative's page, and the edit form."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from outreach.access import MANAGE_INITIATIVES, SEE_INITIATIVES, is_staff, requires
from outreach.artists import services as artist_services
from outreach.auth.forms import EmptyForm
from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.initiatives import services
from outreach.initiatives.forms import InitiativeFilterForm, InitiativeForm
from outreach.reports import presenter as report_presenter
from outreach.reports import services as reports
from outreach.reports.outcomes_view import present_target
from outreach.workshops.models import WORKSHOP_STATUSES
from outreach.web import domain_error, page_number, paginate

bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")

SCHOOLS_PER_PAGE = 20


def _funder_choices() -> list[tuple[int, str]]:
    return [(f.id, f.name) for f in services.funder_choices(current_user)]


@bp.route("")
@requires(SEE_INITIATIVES)
def index():
    user = current_user._get_current_object()
    filters = InitiativeFilterForm(request.args)
    filters.funder.choices = [("", _("All funders")), *((f.id, f.name) for f in services.funder_choices(user))]
    filters.validate()
    art_form = filters.art_form.data if not filters.art_form.errors and filters.art_form.data else None
    funder_id = filters.funder.data if not filters.funder.errors else None
    status = filters.status.data if not filters.status.errors and filters.status.data else "active"
    query = services.initiatives_query(user, art_form=art_form, funder_id=funder_id,
                                       status=None if status == "all" else status)
    page = paginate(query)
    # a funder's figures are protected like the report's (None under the threshold, else rounded)
    reached = reports.students_reached_as_seen_by(user, [i.id for i in page.items])
    progress = {i.id: services.progress_toward(i.target_students, reached[i.id]) for i in page.items}
    languages = {i.id: services.translation_status(i) for i in page.items}
    return render_template("initiatives/index.html", page=page, filters=filters, progress=progress,
                           languages=languages,
                           filtered=bool(art_form or funder_id or status != "active"),
                           can_edit=is_staff(user), **report_presenter.protection_texts(user))


@bp.route("/<int:initiative_id>")
@requires(SEE_INITIATIVES)
def detail(initiative_id: int):
    user = current_user._get_current_object()
    initiative = services.get_initiative(user, initiative_id)
    workshops = paginate(services.workshops_query(initiative))
    staff = is_staff(user)
    schools_reached = None
    if staff:
        schools = paginate(services.involved_schools_query(initiative), page=page_number(request.args.get("spage")),
                           per_page=SCHOOLS_PER_PAGE, scalars=False)
        schools_count = schools.total
        progress = services.progress(initiative)
    else:
        # a funder sees the report's protected figures of this initiative, the same as on the report page
        figures = reports.impact_report(user, initiative_id=initiative.id)
        schools, schools_count, schools_reached = None, None, figures["schools_reached"]
        progress = services.progress_toward(initiative.target_students, figures["students_reached"])
    # the outcome target and how far the pupils are: exact for staff, protected for a funder (as in the report)
    target = reports.impact_report(user, initiative_id=initiative.id) if staff else figures
    return render_template("initiatives/detail.html", initiative=initiative, workshops=workshops,
                           schools=schools, schools_count=schools_count, schools_reached=schools_reached,
                           progress=progress, languages=services.translation_status(initiative), can_edit=staff,
                           outcome_target=present_target(target.get("outcome_target"),
                                                         target["suppression_threshold"]),
                           delivery=artist_services.initiative_delivery([initiative.id])[initiative.id],
                           archive_form=EmptyForm(), workshop_statuses=WORKSHOP_STATUSES,
                           **report_presenter.protection_texts(user))


def _render_form(form: InitiativeForm, initiative=None, status: int = 200):
    return render_template("initiatives/form.html", form=form, initiative=initiative), status


@bp.route("/new", methods=["GET", "POST"])
@requires(MANAGE_INITIATIVES)
def new():
    form = InitiativeForm()
    form.funder_ids.choices = _funder_choices()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_form(form, status=422)
        try:
            initiative = services.create_initiative(form.to_data(), actor=current_user._get_current_object())
        except OutreachError as error:
            domain_error(error)
            form.show_errors(error.fields)
            return _render_form(form, status=422)
        flash(_("The initiative has been created."), "success")
        return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
    return _render_form(form)


@bp.route("/<int:initiative_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_INITIATIVES)
def edit(initiative_id: int):
    user = current_user._get_current_object()
    initiative = services.get_initiative(user, initiative_id)
    form = InitiativeForm()
    form.funder_ids.choices = _funder_choices()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_form(form, initiative, status=422)
        try:
            services.update_initiative(initiative, form.to_data(), actor=user)
        except OutreachError as error:
            domain_error(error)
            form.show_errors(error.fields)
            # the rollback expired the initiative; reload it for the page heading
            initiative = services.get_initiative(user, initiative_id)
            return _render_form(form, initiative, status=422)
        flash(_("The initiative has been saved."), "success")
        return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
    form.fill_from(initiative)
    return _render_form(form, initiative)


@bp.route("/<int:initiative_id>/archive", methods=["POST"])
@requires(MANAGE_INITIATIVES)
def archive(initiative_id: int):
    """Archive, or with restore=1 bring back from the archive."""
    user = current_user._get_current_object()
    initiative = services.get_initiative(user, initiative_id)
    form = EmptyForm()
    if form.validate_on_submit():
        if request.form.get("restore") == "1":
            services.unarchive_initiative(initiative, actor=user)
            flash(_("The initiative is active again."), "success")
        else:
            services.archive_initiative(initiative, actor=user)
            flash(_("The initiative has been archived. Its workshops and figures are kept."), "success")
    return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
