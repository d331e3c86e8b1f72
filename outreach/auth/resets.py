"""Password reset by e-mail: a one-time link that works for an hour.

Asking gives the same answer, and takes the same time, whether the address has an account or not: the
e-mail is queued in the outbox and sent only after the response has gone out. At most
RESETS_PER_ADDRESS_PER_HOUR e-mails go to one address in an hour, whoever asks (the client address is limited
by the view's rate limit).
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Callable

from flask import current_app, url_for
from flask_babel import format_datetime
from sqlalchemy import func, select, update

from outreach.audit.services import record
from outreach.auth import emails
from outreach.auth import services as auth
from outreach.auth.models import PasswordReset, User
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _, _l, force_locale
from outreach.notifications import services as notifications

RESETS_PER_ADDRESS_PER_HOUR = 3


def reset_link(token: str) -> str:
    return url_for("auth.reset_password", token=token, _external=True)


def _ttl() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("PASSWORD_RESET_TTL_MINUTES", 60)))


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
    # only the newest link works
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None),
                                                   PasswordReset.expires_at > now)
                       .values(expires_at=now).execution_options(synchronize_session=False))
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
            _("The link works once, until %(when)s.", when=format_datetime(reset.expires_at, "medium")),
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
