"""Accounts (administrators) and invitations (coordinators and administrators)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from outreach import access, params
from outreach.access import INVITE, MANAGE_ACCOUNTS, requires
from outreach.auth.account_forms import AccountFilterForm, AccountSearchForm, InvitationFilterForm, InviteStaffForm, RoleForm
from outreach.audit import services as audit
from outreach.auth import invitations, resets
from outreach.auth import services as auth
from outreach.auth.forms import EmptyForm
from outreach.auth.models import ROLES, User
from outreach.collation import by_name, stored_order
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _
from outreach.funders.models import Funder
from outreach.schools.models import School
from outreach.students import searches
from outreach.web import domain_error, paginate, without_query

bp = Blueprint("accounts", __name__)

# One-time links (invitations, reset links) are shown in the answer to the POST that made them, and nowhere
# else: never kept in the session cookie, never in a URL.


def _me():
    return current_user._get_current_object()


def _organisation_choices() -> list[tuple[str, str]]:
    """Funders, and the schools that have accounts (not every school in the country)."""
    funders = [(f"funder:{f.id}", f.name) for f in db.session.scalars(select(Funder).order_by(*by_name(Funder.name), Funder.id))]
    schools = [(f"school:{s.id}", s.name) for s in db.session.scalars(
        select(School).where(School.id.in_(select(User.school_id).where(User.school_id.is_not(None))))
        .order_by(stored_order(School), School.id))]
    return [("", _("All organisations")), *funders, *schools]


def _filter_choices(filters: AccountFilterForm) -> AccountFilterForm:
    filters.status.choices = [("", _("Any status")), *auth.ACTIVITY.items()]
    filters.signed_in.choices = [("", _("Any time")), *auth.SIGNED_IN.items()]
    filters.organisation.choices = _organisation_choices()
    return filters


@bp.route("/accounts")
@requires(MANAGE_ACCOUNTS)
def index():
    """The accounts; a name or e-mail search comes as ?search=<token> (accounts.search holds it), never as ?q=."""
    old_link = without_query("q")  # an old link or bookmark with the name or e-mail in it: the page without it
    if old_link is not None:
        return old_link
    filters = _filter_choices(AccountFilterForm(request.args))
    filters.validate()
    filters.q.data = searches.held(request.args.get(searches.PARAMETER), user_id=current_user.id)
    return _accounts(filters)


@bp.route("/accounts/search", methods=["POST"])
@requires(MANAGE_ACCOUNTS)
def search():
    """The search form, sent by POST: the text is held on the server and the list asked for with its token."""
    filters = _filter_choices(AccountSearchForm())
    if not filters.validate_on_submit():
        return _accounts(filters, status=422)
    args = {name: getattr(filters, name).data or None for name in ("role", "status", "signed_in", "organisation")}
    if filters.q.data:
        args[searches.PARAMETER] = searches.hold(filters.q.data, user_id=current_user.id)
    return redirect(url_for("accounts.index", **args), 303)


def _accounts(filters: AccountFilterForm, status: int = 200):
    def value(field):
        return field.data if field.data and not field.errors else None

    kind, _sep, ident = (value(filters.organisation) or "").partition(":")
    school_id = params.to_id(ident) if kind == "school" else None
    funder_id = params.to_id(ident) if kind == "funder" else None
    query = auth.accounts_query(q=value(filters.q), role=value(filters.role), status=value(filters.status),
                                signed_in=value(filters.signed_in), school_id=school_id, funder_id=funder_id)
    page = paginate(query)
    filtered = any(value(f) for f in (filters.q, filters.role, filters.status, filters.signed_in,
                                      filters.organisation))
    return render_template("accounts/index.html", page=page, filters=filters, filtered=filtered,
                           status_of=auth.status_of, statuses=auth.ACTIVITY), status


def _account(user_id: int) -> User:
    return access.load_account(current_user, user_id)


def _role_form(user: User, formdata=None) -> RoleForm:
    form = RoleForm(formdata=formdata, role=user.role, school_id=str(user.school_id or ""),
                    funder_id=str(user.funder_id or ""))
    form.funder_id.choices = [("", "—"), *((str(f.id), f.name) for f in
                                           db.session.scalars(select(Funder).order_by(*by_name(Funder.name), Funder.id)))]
    form.school_id.choices = [("", "—"), *((str(s.id), s.name) for s in
                                           db.session.scalars(select(School).order_by(stored_order(School), School.id)))]
    return form


def _render_detail(user: User, role_form: RoleForm | None = None, status: int = 200, reset: dict | None = None):
    return render_template("accounts/detail.html", account=user, status=auth.status_of(user), reset=reset,
                           statuses=auth.ACTIVITY, role_form=role_form or _role_form(user), action_form=EmptyForm(),
                           can_change=access.can_change_account(current_user, user),
                           tokens=auth.live_tokens(user), events=audit.about(user, limit=20),
                           labels=audit.labels()), status


def _still_manages_accounts() -> bool:
    """After a refused change, as committed now: another administrator may have demoted this one meanwhile."""
    db.session.rollback()
    return access.can_manage_accounts(current_user)


def _refused(error: OutreachError):
    """The reason, on a page of its own (the account page is no longer this person's to see)."""
    return render_template("errors/error.html", status=error.status, message=str(error.message)), error.status


@bp.route("/accounts/<int:user_id>")
@requires(MANAGE_ACCOUNTS)
def detail(user_id: int):
    return _render_detail(_account(user_id))


@bp.route("/accounts/<int:user_id>/role", methods=["POST"])
@requires(MANAGE_ACCOUNTS)
def change_role(user_id: int):
    user = _account(user_id)
    form = _role_form(user, formdata=request.form)
    if not form.validate_on_submit():
        return _render_detail(user, form, 422)

    def as_id(raw):
        return params.to_id(raw)

    try:
        auth.change_role(user, role=form.role.data, school_id=as_id(form.school_id.data),
                         funder_id=as_id(form.funder_id.data), actor=_me())
    except OutreachError as error:
        if not _still_manages_accounts():
            return _refused(error)
        domain_error(error)
        user = _account(user_id)
        form = _role_form(user, formdata=request.form)
        for name, messages in error.fields.items():
            if hasattr(form, name):
                getattr(form, name).errors = [str(m) for m in messages]
        return _render_detail(user, form, error.status)
    flash(_("The role has been saved."), "success")
    return redirect(url_for("accounts.detail", user_id=user.id))


@bp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
@requires(MANAGE_ACCOUNTS)
def deactivate(user_id: int):
    user = _account(user_id)
    if EmptyForm().validate_on_submit():
        try:
            auth.deactivate(user, actor=_me())
        except OutreachError as error:
            if not _still_manages_accounts():
                return _refused(error)
            domain_error(error)
            return _render_detail(_account(user_id), status=error.status)
        flash(_("The account has been deactivated. It was signed out everywhere and its API tokens were revoked."),
              "success")
    return redirect(url_for("accounts.detail", user_id=user_id))


@bp.route("/accounts/<int:user_id>/reactivate", methods=["POST"])
@requires(MANAGE_ACCOUNTS)
def reactivate(user_id: int):
    user = _account(user_id)
    if EmptyForm().validate_on_submit():
        try:
            auth.reactivate(user, actor=_me())
        except OutreachError as error:
            domain_error(error)
            return _render_detail(_account(user_id), status=error.status)
        flash(_("The account has been reactivated. It stays signed out everywhere and its old API tokens stay revoked."), "success")
    return redirect(url_for("accounts.detail", user_id=user_id))


@bp.route("/accounts/<int:user_id>/reset-link", methods=["POST"])
@requires(MANAGE_ACCOUNTS)
def reset_link(user_id: int):
    """A one-time password reset link for someone without e-mail: shown once, on this answer only."""
    user = _account(user_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.detail", user_id=user_id))
    try:
        link, expires_at = resets.issue_reset_link(user, actor=_me())
    except OutreachError as error:
        domain_error(error)
        return _render_detail(_account(user_id), status=error.status)
    flash(_("The reset link has been made. Earlier reset links of this account no longer work."), "success")
    return _render_detail(user, reset={"email": user.email, "url": link, "expires_at": expires_at})


# -- invitations -----------------------------------------------------------------------------------------------

@bp.route("/invitations")
@requires(INVITE)
def invitation_list():
    return _render_invitations()


def _render_invitations(invitation: dict | None = None):
    """The list; `invitation` ({"email", "url"}) is the link just made, shown in this answer only."""
    filters = InvitationFilterForm(request.args)
    filters.state.choices = [("", _("Not accepted yet")), *invitations.STATES.items()]
    filters.validate()
    state = filters.state.data if filters.state.data in invitations.STATES else None
    page = paginate(invitations.open_invitations(_me(), state=state))
    return render_template("accounts/invitations.html", page=page, filters=filters, filtered=bool(state),
                           state_of=invitations.state_of, states=invitations.STATES, action_form=EmptyForm(),
                           invitation=invitation, can_invite_staff=bool(_staff_roles()))


def _staff_roles() -> list[tuple[str, str]]:
    """Roles invited from this page: those without an organisation (school and funder representatives are
    invited from their school's or funder's page)."""
    return [(r, str(ROLES[r])) for r in access.invitable_staff_roles(current_user)]


@bp.route("/invitations/new", methods=["GET", "POST"])
@requires(MANAGE_ACCOUNTS)
def invite():
    form = InviteStaffForm()
    form.role.choices = _staff_roles()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("accounts/invite.html", form=form), 422
        try:
            user, link = invitations.invite({"email": form.email.data, "name": form.name.data or "",
                                             "locale": form.locale.data}, role=form.role.data, actor=_me())
        except OutreachError as error:
            domain_error(error)
            for name, messages in error.fields.items():
                if hasattr(form, name):
                    getattr(form, name).errors = [str(m) for m in messages]
            return render_template("accounts/invite.html", form=form), error.status
        flash(_("The invitation has been created."), "success")
        return _render_invitations({"email": user.email, "url": link})
    if not form.role.data:
        form.role.data = "coordinator"
    return render_template("accounts/invite.html", form=form)


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@requires(INVITE)
def resend_invitation(invitation_id: int):
    invitation = invitations.get_invitation(_me(), invitation_id)
    if EmptyForm().validate_on_submit():
        try:
            link = invitations.resend(invitation, actor=_me())
        except OutreachError as error:
            domain_error(error)
            return redirect(url_for("accounts.invitation_list"))
        flash(_("The invitation has been sent again. The earlier link no longer works."), "success")
        return _render_invitations({"email": invitation.user.email, "url": link})
    return redirect(url_for("accounts.invitation_list"))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@requires(INVITE)
def revoke_invitation(invitation_id: int):
    invitation = invitations.get_invitation(_me(), invitation_id)
    if EmptyForm().validate_on_submit():
        invitations.revoke(invitation, actor=_me())
        flash(_("The invitation has been revoked. Its link no longer works."), "success")
    return redirect(url_for("accounts.invitation_list"))
