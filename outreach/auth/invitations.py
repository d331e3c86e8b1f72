"""Inviting people: a new account without a password and a one-time link, by e-mail in their language.

An invitation only ever creates an account. An address that already has an account is refused (whoever may
change that account is named), so an invitation never reactivates an account and never yields a link that
sets an existing account's password.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Select, func, select, update

from outreach import access
from outreach.audit.services import record
from outreach.auth import services as auth
from outreach.auth.models import ROLES, Invitation, User
from outreach.dates import fmt_datetime
from outreach.dbtypes import utcnow
from outreach.errors import Conflict, FieldErrors, Forbidden, NotFound, OutreachError
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _, _l, force_locale
from outreach.links import external_url
from outreach.notifications import services as notifications

PERSON_NAME_MAX = 200
STATES = {"pending": _l("Invitation sent"), "expired": _l("Expired"), "revoked": _l("Revoked")}


def invitation_link(token: str) -> str:
    return external_url("auth.accept_invitation", token=token)


def _organisation_name(user: User) -> str | None:
    if access.is_school_rep(user) and user.school is not None:
        return user.school.name
    if access.is_funder(user) and user.funder is not None:
        return user.funder.name
    return None


def _message(user: User, link: str, expires_at: Any) -> tuple[str, str]:
    """Subject and body in the invitee's language."""
    organisation = _organisation_name(user)
    with force_locale(user.locale):
        if access.is_school_rep(user):
            why = _("You have been invited to Outreach as a representative of %(school)s. With Outreach you sign "
                    "your students up to arts workshops and follow their places.", school=organisation)
        elif access.is_funder(user):
            why = _("You have been invited to Outreach as a representative of %(funder)s. With Outreach you follow "
                    "the initiatives it funds and their results.", funder=organisation)
        elif access.is_coordinator(user):
            why = _("You have been invited to Outreach as a coordinator. With Outreach you run initiatives, "
                    "workshops and partner schools.")
        else:
            why = _("You have been invited to Outreach as an administrator.")
        subject = _("Your invitation to Outreach")
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.name) if user.name else _("Hello,"),
            why,
            _("Open this link to choose your password:"),
            link,
            _("The link works once, until %(when)s.", when=fmt_datetime(expires_at, zone=True)),
            _("If you did not expect this invitation, you can ignore this message."),
        ])
    return subject, body


def _send(user: User, *, actor: Any, link_for: Callable[[str], str]) -> str:
    """Expire the person's earlier links, make a new one and queue the e-mail. Returns the link."""
    now = utcnow()
    db.session.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None),
                                                Invitation.revoked_at.is_(None), Invitation.expires_at > now)
                       .values(expires_at=now).execution_options(synchronize_session=False))
    token = auth.create_invitation(user, actor=actor)
    link = link_for(token)
    expires_at = auth.find_invitation(token).expires_at
    subject, body = _message(user, link, expires_at)
    notifications.withdraw_unsent(user, "invitation")  # the earlier link is dead: its e-mail must not go out
    notifications.queue(user, "invitation", subject, body)
    db.session.flush()
    return link


def existing_account_message(actor: Any, user: User) -> Any:
    """What to say when the address already has an account: who can help."""
    if user.active and user.password_hash is None and access.can_invite(actor, user.role):
        return _l("This person has already been invited. Send the invitation again from the list of invitations.")
    if access.can_manage_accounts(actor):
        return _l("An account with this email already exists. Change its role, organisation or status on its "
                  "page in the list of accounts.")
    return _l("An account with this email already exists. Ask an administrator to change its role, organisation "
              "or status.")


def invite(data: dict[str, Any], *, role: str, actor: Any, school_id: int | None = None,
           funder_id: int | None = None, artist_id: int | None = None,
           link_for: Callable[[str], str] = invitation_link) -> tuple[User, str]:
    """Create an account for a new address with this role and organisation, and send it a one-time link.
    Returns (user, link)."""
    if not access.can_invite(actor, role):
        raise Forbidden(_l("You may not invite people with this role."), code="forbidden")
    errors = FieldErrors()
    email = None
    try:
        email = auth.valid_email(data.get("email"))
    except OutreachError as error:
        for message in error.fields.get("email", [error.message]):
            errors.add("email", message)
    name = data.get("name") or ""
    if not isinstance(name, str) or len(name.strip()) > PERSON_NAME_MAX:
        errors.add("name", _l("At most %(n)s characters.", n=PERSON_NAME_MAX))
        name = ""
    locale = data.get("locale") or "kk"
    if locale not in LANGUAGES:
        errors.add("locale", _l("Only kk, ru and en are accepted."))
    errors.raise_if_any()
    existing = auth.find_user_by_email(email)
    if existing is not None:
        message = existing_account_message(actor, existing)
        raise Conflict(message, code="email_taken", fields={"email": [message]})
    if role not in ROLES:
        raise Forbidden(_l("You may not invite people with this role."), code="forbidden")
    user = auth.create_user(email=email, role=role, name=" ".join(name.split()), locale=locale,
                            school_id=school_id if access.bound_to(role) == "school_id" else None,
                            funder_id=funder_id if access.bound_to(role) == "funder_id" else None,
                            artist_id=artist_id if access.bound_to(role) == "artist_id" else None, actor=actor)
    return user, _send(user, actor=actor, link_for=link_for)


def get_invitation(actor: Any, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not access.can_manage_invitation(actor, invitation):
        raise NotFound(_l("This invitation does not exist."))
    return invitation


def resend(invitation: Invitation, *, actor: Any, link_for: Callable[[str], str] = invitation_link) -> str:
    """A new link (and e-mail) for a person who has not set a password yet; the earlier links stop working."""
    if not access.can_manage_invitation(actor, invitation):
        raise NotFound(_l("This invitation does not exist."))
    user = invitation.user
    if user.password_hash is not None:
        raise Conflict(_l("This person has already set a password; the invitation is no longer needed."),
                       code="already_active")
    if not user.active:
        raise Conflict(_l("This account is deactivated. Ask an administrator to reactivate it first."),
                       code="deactivated")
    return _send(user, actor=actor, link_for=link_for)


def revoke(invitation: Invitation, *, actor: Any) -> None:
    """The link stops working now (the account keeps no password and cannot sign in)."""
    if not access.can_manage_invitation(actor, invitation):
        raise NotFound(_l("This invitation does not exist."))
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.flush()
        record(actor, "invitation.revoked", object_type="invitation", object_id=invitation.id,
               user_id=invitation.user_id)


def state_of(invitation: Invitation) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    return "pending" if invitation.expires_at > utcnow() else "expired"


def open_invitations(actor: Any, *, state: str | None = None) -> Select:
    """The newest invitation of each account that has not set a password yet, for this viewer."""
    latest = (select(func.max(Invitation.id)).join(User, User.id == Invitation.user_id)
              .where(User.password_hash.is_(None), User.active.is_(True)).group_by(Invitation.user_id))
    query = access.visible_invitations(actor).where(Invitation.id.in_(latest), Invitation.used_at.is_(None))
    now = utcnow()
    if state == "pending":
        query = query.where(Invitation.revoked_at.is_(None), Invitation.expires_at > now)
    elif state == "expired":
        query = query.where(Invitation.revoked_at.is_(None), Invitation.expires_at <= now)
    elif state == "revoked":
        query = query.where(Invitation.revoked_at.is_not(None))
    return query.order_by(Invitation.created_at.desc(), Invitation.id.desc())
