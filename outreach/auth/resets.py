"""Password reset by e-mail: a one-time link that works for an hour.

Asking gives the same answer, and takes the same time, whether the address has an account or not: the
e-mail is queued in the outbox and sent only after the response has gone out. At most
RESETS_PER_ADDRESS_PER_HOUR e-mails go to one address in an hour, whoever asks (the client address is limited
by the view's rate limit).

Without e-mail, an administrator makes the link from the account's page (`issue_reset_link`) and passes it on.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Callable

from flask import current_app
from sqlalchemy import func, select, update

from outreach import access
from outreach.audit.services import record
from outreach.auth import emails
from outreach.auth import services as auth
from outreach.auth.models import PasswordReset, User
from outreach.dates import fmt_datetime
from outreach.dbtypes import utcnow
from outreach.errors import Conflict, Forbidden, OutreachError
from outreach.extensions import db
from outreach.i18n import _, _l, force_locale
from outreach.links import external_url
from outreach.notifications import services as notifications

RESETS_PER_ADDRESS_PER_HOUR = 3


def reset_link(token: str) -> str:
    return external_url("auth.reset_password", token=token)


def _ttl() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("PASSWORD_RESET_TTL_MINUTES", 60)))


def _expire_open_links(user: User, now) -> None:
    """Only the newest link works."""
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None),
                                                   PasswordReset.expires_at > now)
                       .values(expires_at=now).execution_options(synchronize_session=False))


def issue_reset_link(user: User, *, actor: User) -> tuple[str, datetime]:
    """A one-time reset link an administrator makes for someone who cannot get e-mail, to pass on in person.
    Returns (link, expires_at): shown once to the administrator; only its hash is kept, like every reset link, and
    it lasts as long as an e-mailed one. Earlier links of the account, and a reset e-mail still waiting in the
    outbox, stop working."""
    if not access.can_change_account(actor, user):
        raise Forbidden(_l("You cannot make a reset link for your own account: change your password on your "
                           "account page."), code="forbidden")
    if not user.active:
        raise Conflict(_l("This account is deactivated. Reactivate it first."), code="deactivated")
    if user.password_hash is None:
        raise Conflict(_l("This person has not chosen a password yet: send the invitation again from the list of "
                          "invitations."), code="not_accepted")
    now = utcnow()
    _expire_open_links(user, now)
    notifications.withdraw_unsent(user, "password_reset")
    raw = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_hash=auth.sha256(raw), created_at=now, expires_at=now + _ttl())
    db.session.add(reset)
    db.session.flush()
    record(actor, "user.password_reset_link_created", user)
    return reset_link(raw), reset.expires_at


def request_reset(email: str, *, link_for: Callable[[str], str] = reset_link) -> None:
    """Queue a reset e-mail if the address belongs to an active account with a password; otherwise nothing.
    The caller answers the same either way."""
    if not isinstance(email, str) or emails.mixes_scripts(emails.clean(email)):
        return
    user = auth.find_user_by_email(email)
    if user is None or not user.active or user.password_hash is None:
        return
    now = utcnow()
    recent = db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1))) or 0
    if recent >= RESETS_PER_ADDRESS_PER_HOUR:
        return
    _expire_open_links(user, now)
    raw = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_hash=auth.sha256(raw), created_at=now, expires_at=now + _ttl())
    db.session.add(reset)
    db.session.flush()
    record(None, "user.password_reset_requested", user)
    link = link_for(raw)
    with force_locale(user.locale):
        subject = _("Reset your Outreach password")
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.name) if user.name else _("Hello,"),
            _("Someone asked to reset the password of your Outreach account. Open this link to choose a new "
              "password:"),
            link,
            _("The link works once, until %(when)s.", when=fmt_datetime(reset.expires_at, zone=True)),
            _("If you did not ask for this, ignore this message: your password stays as it is."),
        ])
    notifications.queue(user, "password_reset", subject, body)


def find_reset(raw: str) -> PasswordReset | None:
    """A usable reset for this token: unused, not expired, its account active."""
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == auth.sha256(raw or "")))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow() or not reset.user.active:
        return None
    return reset


def reset_password(raw: str, password: str) -> User:
    """Set the new password once; every session and API token of the account dies."""
    reset = find_reset(raw)
    if reset is None:
        raise OutreachError(_l("This link is no longer valid. Ask for a new one."), status=404, code="reset_invalid")
    auth.set_password(reset.user, password, actor=reset.user, action="user.password_reset")
    reset.used_at = utcnow()
    db.session.flush()
    return reset.user
