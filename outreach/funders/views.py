"""Funder organisations for coordinators and administrators: list, add, edit, what each funds, inviting
its representatives."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from outreach.access import MANAGE_FUNDERS, requires
from outreach.auth import invitations
from outreach.errors import OutreachError
from outreach.funders import services
from outreach.funders.forms import FunderFilterForm, FunderForm
from outreach.i18n import _
from outreach.schools.forms import InviteForm
from outreach.web import domain_error, paginate

bp = Blueprint("funders", __name__, url_prefix="/funders")

# the invitation link is shown once, in the answer to the invitation (the e-mail may not be sent yet); never kept
# in the session cookie


@bp.route("")
@requires(MANAGE_FUNDERS)
def index():
    filters = FunderFilterForm(request.args)
    filters.validate()
    q = filters.q.data if filters.q.data and not filters.q.errors else None
    page = paginate(services.funders_query(q=q), scalars=False)
    return render_template("funders/index.html", page=page, filters=filters, filtered=bool(q))


@bp.route("/<int:funder_id>")
@requires(MANAGE_FUNDERS)
def detail(funder_id: int):
    return _render_detail(services.get_funder(current_user, funder_id))


def _render_detail(funder, invitation: dict | None = None):
    return render_template("funders/detail.html", funder=funder, initiatives=services.initiatives_of(funder),
                           representatives=services.representatives(funder), invitation=invitation)


@bp.route("/new", methods=["GET", "POST"])
@requires(MANAGE_FUNDERS)
def new():
    form = FunderForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("funders/form.html", form=form, funder=None), 422
        try:
            funder = services.create_funder({"name": form.name.data}, actor=current_user._get_current_object())
        except OutreachError as error:
            domain_error(error)
            form.name.errors = [str(m) for m in error.fields.get("name", [])]
            return render_template("funders/form.html", form=form, funder=None), error.status
        flash(_("The funder organisation has been added."), "success")
        return redirect(url_for("funders.detail", funder_id=funder.id))
    return render_template("funders/form.html", form=form, funder=None)


@bp.route("/<int:funder_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_FUNDERS)
def edit(funder_id: int):
    funder = services.get_funder(current_user, funder_id)
    form = FunderForm(obj=funder)
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("funders/form.html", form=form, funder=funder), 422
        try:
            services.update_funder(funder, {"name": form.name.data}, actor=current_user._get_current_object())
        except OutreachError as error:
            domain_error(error)
            form.name.errors = [str(m) for m in error.fields.get("name", [])]
            return render_template("funders/form.html", form=form,
                                   funder=services.get_funder(current_user, funder_id)), error.status
        flash(_("The funder organisation has been saved."), "success")
        return redirect(url_for("funders.detail", funder_id=funder.id))
    return render_template("funders/form.html", form=form, funder=funder)


@bp.route("/<int:funder_id>/invite", methods=["GET", "POST"])
@requires(MANAGE_FUNDERS)
def invite(funder_id: int):
    funder = services.get_funder(current_user, funder_id)
    form = InviteForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("funders/invite.html", form=form, funder=funder), 422
        try:
            user, link = invitations.invite(form.to_data(), role="funder", funder_id=funder.id,
                                            actor=current_user._get_current_object())
        except OutreachError as error:
            domain_error(error)
            form.show_errors(error.fields)
            return render_template("funders/invite.html", form=form,
                                   funder=services.get_funder(current_user, funder_id)), error.status
        flash(_("The invitation has been created."), "success")
        return _render_detail(funder, {"email": user.email, "url": link})
    return render_template("funders/invite.html", form=form, funder=funder)
