"""Accounts: signing in, passwords, API tokens, invitations."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from outreach.audit.services import record
from outreach.auth.models import ApiToken, Invitation, User, new_token
from outreach.auth.passwords import hash_password, needs_rehash, verify_password
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _l, ngettext

MIN_PASSWORD_LENGTH = 10


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_normalized == User.normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for unknown emails)."""
    user = find_user_by_email(email or "")
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Rotate the session token: every cookie issued before now stops working."""
    user.session_token = new_token()
    db.session.flush()


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise OutreachError(ngettext("The password must be at least %(num)s character long.",
                                    "The password must be at least %(num)s characters long.", MIN_PASSWORD_LENGTH))


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """Set a new password and end every other session of this user."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    end_sessions(user)
    record(actor or user, "user.password_changed", user)


def create_user(*, email: str, role: str, password: str | None = None, name: str = "", locale: str = "kk",
                school_id: int | None = None, funder_id: int | None = None, actor: User | None = None) -> User:
    """Create an account; email is unique whatever its case."""
    if find_user_by_email(email):
        raise OutreachError(_l("An account with this email already exists."), code="email_taken", status=409)
    user = User(role=role, name=name, locale=locale, school_id=school_id, funder_id=funder_id)
    user.set_email(email)
    if password:
        check_password_rules(password)
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, role=role)
    return user


def issue_api_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token; only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=sha256(raw),
                     expires_at=utcnow() + timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"]))
    db.session.add(token)
    db.session.flush()
    return raw, token


def user_for_api_token(raw: str) -> User | None:
    """The active user behind a live token, or None."""
    if not raw:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    if not token.user.active:
        return None
    return token.user


def create_invitation(user: User, *, actor: User | None) -> str:
    """A one-time, expiring link token for the user to set a password. Returns the raw token."""
    raw = secrets.token_urlsafe(32)
    db.session.add(Invitation(user_id=user.id, token_hash=sha256(raw), created_by_id=getattr(actor, "id", None),
                              expires_at=utcnow() + timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])))
    db.session.flush()
    record(actor, "user.invited", user)
    return raw


def find_invitation(raw: str) -> Invitation | None:
    """A usable invitation for this token, or None when unknown, used or expired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == sha256(raw or "")))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        return None
    return invitation


def accept_invitation(raw: str, password: str) -> User:
    invitation = find_invitation(raw)
    if invitation is None:
        raise OutreachError(_l("This invitation link is no longer valid. Please ask your coordinator for a new one."),
                            status=404, code="invitation_invalid")
    set_password(invitation.user, password, actor=invitation.user)
    invitation.used_at = utcnow()
    db.session.flush()
    return invitation.user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()


def regenerate_feed_token(user: User) -> str:
    user.feed_token = new_token()
    db.session.flush()
    record(user, "user.feed_token_regenerated", user)
    return user.feed_token
