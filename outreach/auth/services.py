"""Accounts: signing in, passwords, sessions and API tokens, deactivation, roles."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import Select, func, or_, select, update

from outreach import access, locks, params
from outreach.audit.services import record
from outreach.auth import emails
from outreach.artists.models import Artist
from outreach.auth.models import ROLES, ApiToken, Invitation, User, new_token
from outreach.auth.passwords import hash_password, needs_rehash, verify_password
from outreach.dbtypes import utcnow
from outreach.errors import Conflict, Forbidden, NotFound, OutreachError
from outreach.extensions import db
from outreach.i18n import _l, ngettext
from outreach.funders.models import Funder
from outreach.schools.models import School

MIN_PASSWORD_LENGTH = 10
EMAIL_MAX = 254
#: a token's last use is written at most this often (not on every API call)
LAST_USED_RESOLUTION = timedelta(minutes=1)


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    """The account of this address; none for an address no account can have (control characters: PostgreSQL
    could not even compare one holding a NUL)."""
    if params.has_control_characters(email):
        return None
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


def revoke_tokens(user: User) -> int:
    """Revoke every live API token of the user (a reactivation never brings them back)."""
    now = utcnow()
    result = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
        .values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount or 0


def end_everything(user: User) -> None:
    """Every web session and every API token of the user dies now."""
    end_sessions(user)
    revoke_tokens(user)


def sign_out_everywhere(user: User) -> None:
    """"Sign out on all devices": every session and API token dies, so the key of the attendance lists kept on
    any phone changes too; each phone deletes its lists at the first answer that says its session is gone."""
    end_everything(user)
    record(user, "user.signed_out_everywhere", user)


def offline_list_key(user: User) -> tuple[bytes, str]:
    """The AES-256 key that phones seal this user's kept attendance lists with, and a public id of it.

    Derived from the secret key and the user's session token, so it lives exactly as long as the sessions do:
    ending them (sign-out, password change, deactivation, "sign out on all devices") makes a new one, and a
    phone that is handed the new key drops the lists sealed under the old one. Handed only to a live session."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, f"offline-lists:{user.id}:{user.session_token}".encode(), hashlib.sha256).digest()
    return key, hashlib.sha256(b"offline-list-key-id:" + key).hexdigest()[:16]


def valid_email(raw: Any, *, field: str = "email") -> str:
    """The address as it will be kept (NFKC, domain lower-cased), or a field error:
    empty, too long, malformed, or mixing Latin and Cyrillic letters (a look-alike of another address)."""
    def refuse(message: Any) -> OutreachError:
        return OutreachError(message, code="invalid", fields={field: [message]})

    if not isinstance(raw, str) or not raw.strip():
        raise refuse(_l("This field is required."))
    try:
        email = emails.checked(raw)
    except emails.AddressRefused:
        raise refuse(_l("This address mixes Latin and Cyrillic letters. Type it again in one alphabet."))
    if len(email) > EMAIL_MAX or any(ord(c) < 32 or ord(c) == 127 for c in email):
        raise refuse(_l("Enter a valid email address."))
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise refuse(_l("Enter a valid email address."))
    return email


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        message = ngettext("The password must be at least %(num)s character long.",
                           "The password must be at least %(num)s characters long.", MIN_PASSWORD_LENGTH)
        raise OutreachError(message, fields={"password": [message]})


def set_password(user: User, password: str, *, actor: User | None = None, action: str = "user.password_changed") -> None:
    """Set a new password; every session and API token of this user dies (the caller may sign this device in)."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    end_everything(user)
    record(actor or user, action, user)


def create_user(*, email: str, role: str, password: str | None = None, name: str = "", locale: str = "kk",
                school_id: int | None = None, funder_id: int | None = None, artist_id: int | None = None,
                actor: User | None = None) -> User:
    """Create an account; email is unique whatever its case and Unicode form. A teaching artist's account is
    bound to its artist record (`artist_id`)."""
    email = valid_email(email)
    if find_user_by_email(email):
        raise OutreachError(_l("An account with this email already exists."), code="email_taken", status=409)
    if access.bound_to(role) == "artist_id" and (artist_id is None or db.session.get(Artist, artist_id) is None):
        message = _l("The teaching artist was not found.")
        raise OutreachError(message, fields={"artist_id": [message]})
    user = User(role=role, name=name, locale=locale, school_id=school_id, funder_id=funder_id,
                artist_id=artist_id if access.bound_to(role) == "artist_id" else None)
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


def live_api_token(raw: str) -> ApiToken | None:
    """The live token (not revoked, not expired, its user active) for this raw value, or None.
    Notes when it was used (at most once a minute, so reading the API stays nearly write-free)."""
    if not raw:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.flush()
    return token


def user_for_api_token(raw: str) -> User | None:
    """The active user behind a live token, or None."""
    token = live_api_token(raw)
    return token.user if token is not None else None


def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    """This token answers 401 from now on."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record(actor, "api_token.revoked", object_type="api_token", object_id=token.id, user_id=token.user_id)


def live_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at > utcnow())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(200)))


def revoke_own_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens (someone else's is not found)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_l("This token does not exist."))
    revoke_api_token(token, actor=user)


def create_invitation(user: User, *, actor: User | None) -> str:
    """A one-time, expiring link token for the user to set a first password. Returns the raw token.
    Only for an active account that has never had a password: a link never sets an existing password."""
    if user.password_hash is not None or not user.active:
        raise Conflict(_l("This account already has a password; it needs no invitation."), code="already_active")
    raw = secrets.token_urlsafe(32)
    db.session.add(Invitation(user_id=user.id, token_hash=sha256(raw), created_by_id=getattr(actor, "id", None),
                              expires_at=utcnow() + timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])))
    db.session.flush()
    record(actor, "user.invited", user)
    return raw


def find_invitation(raw: str) -> Invitation | None:
    """A usable invitation for this token, or None when unknown, used, revoked or expired, or when its account
    has a password already or is deactivated (an invitation never sets an existing password)."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == sha256(raw or "")))
    if invitation is None or invitation.used_at is not None or invitation.revoked_at is not None \
            or invitation.expires_at <= utcnow():
        return None
    if invitation.user.password_hash is not None or not invitation.user.active:
        return None
    return invitation


def accept_invitation(raw: str, password: str) -> User:
    invitation = find_invitation(raw)
    if invitation is None:
        raise OutreachError(_l("This invitation link is no longer valid. Please ask your coordinator for a new one."),
                            status=404, code="invitation_invalid")
    set_password(invitation.user, password, actor=invitation.user, action="user.invitation_accepted")
    invitation.used_at = utcnow()
    db.session.flush()
    return invitation.user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()


def set_reminders(user: User, on: bool) -> None:
    """The day-before reminders and the follow-up of absences by e-mail, on or off (audited: "why did no reminder
    come?" has its answer)."""
    if user.reminders == on:
        return
    user.reminders = on
    db.session.flush()
    record(user, "user.reminders_on" if on else "user.reminders_off", user)


def regenerate_feed_token(user: User) -> str:
    user.feed_token = new_token()
    db.session.flush()
    record(user, "user.feed_token_regenerated", user)
    return user.feed_token


# -- accounts, for administrators ------------------------------------------------------------------------------

def _require_manager(actor: Any, user: User) -> None:
    if not access.can_change_account(actor, user):
        raise Forbidden(_l("You cannot change your own account here."), code="forbidden")


#: the lock every change that could take away an administrator holds (outreach/locks.py)
ADMINISTRATORS_LOCK = locks.lock_key("accounts", "administrators")


def _keep_an_administrator(user: User, *, role: str | None = None, active: bool | None = None) -> None:
    """Refuse a change that would leave no active administrator (one who can sign in: active, with a password).

    Decided while holding the administrators' lock, on the rows as committed now (not as loaded at the start of
    the request): two administrators demoting or deactivating each other at the same moment are decided one
    after the other, and the second finds it would remove the last one."""
    locks.hold([ADMINISTRATORS_LOCK])
    db.session.refresh(user)
    managers = access.account_managers()
    stays_admin = (role or user.role) in managers and (user.active if active is None else active)
    if user.role not in managers or not user.active or stays_admin:
        return
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.role.in_(managers), User.active.is_(True), User.password_hash.is_not(None), User.id != user.id))
    if not others:
        message = _l("This is the last active administrator: without one nobody could manage accounts. Make "
                     "another account an administrator first.")
        raise Conflict(message, code="last_administrator")


def deactivate(user: User, *, actor: Any) -> None:
    """The account can no longer sign in; its sessions and API tokens die at once. Never the last active
    administrator."""
    _require_manager(actor, user)
    if user.role in access.account_managers():
        _keep_an_administrator(user, active=False)
    if not user.active:
        return
    user.active = False
    end_everything(user)
    record(actor, "user.deactivated", user)


def reactivate(user: User, *, actor: Any) -> None:
    """The account may sign in again with its password; old sessions and tokens stay dead."""
    _require_manager(actor, user)
    if user.active:
        return
    user.active = True
    end_sessions(user)  # nothing issued before the deactivation comes back
    db.session.flush()
    record(actor, "user.reactivated", user)


def change_role(user: User, *, role: str, school_id: int | None, funder_id: int | None, actor: Any) -> None:
    """A new role and organisation: school representatives need a school, funders a funder organisation. The last
    active administrator keeps the role."""
    _require_manager(actor, user)
    if role not in ROLES:
        raise OutreachError(_l("Choose a role."), fields={"role": [_l("Choose a role.")]})
    school_id = school_id if access.bound_to(role) == "school_id" else None
    funder_id = funder_id if access.bound_to(role) == "funder_id" else None
    if access.bound_to(role) == "school_id" and (school_id is None or db.session.get(School, school_id) is None):
        message = _l("Choose the school this person represents.")
        raise OutreachError(message, fields={"school_id": [message]})
    if access.bound_to(role) == "funder_id" and (funder_id is None or db.session.get(Funder, funder_id) is None):
        message = _l("Choose the funder organisation this person represents.")
        raise OutreachError(message, fields={"funder_id": [message]})
    if user.role in access.account_managers() and role not in access.account_managers():
        _keep_an_administrator(user, role=role)
    before = (user.role, user.school_id, user.funder_id)
    if before == (role, school_id, funder_id):
        return
    user.role, user.school_id, user.funder_id = role, school_id, funder_id
    db.session.flush()
    record(actor, "user.role_changed", user, role=role, previous_role=before[0], school_id=school_id,
           funder_id=funder_id)


ACTIVITY = {"active": _l("Active"), "deactivated": _l("Deactivated"), "invited": _l("Invitation sent")}
SIGNED_IN = {"never": _l("Never signed in"), "30d": _l("In the last 30 days"), "older": _l("More than 30 days ago")}


def accounts_query(*, q: str | None = None, role: str | None = None, school_id: int | None = None,
                   funder_id: int | None = None, status: str | None = None, signed_in: str | None = None) -> Select:
    """Accounts matching a search (name or e-mail) and filters, newest sign-in first."""
    query = select(User)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email_normalized.like(like)))
    if role in ROLES:
        query = query.where(User.role == role)
    if school_id:
        query = query.where(User.school_id == school_id)
    if funder_id:
        query = query.where(User.funder_id == funder_id)
    if status == "active":
        query = query.where(User.active.is_(True), User.password_hash.is_not(None))
    elif status == "deactivated":
        query = query.where(User.active.is_(False))
    elif status == "invited":
        query = query.where(User.active.is_(True), User.password_hash.is_(None))
    if signed_in == "never":
        query = query.where(User.last_login_at.is_(None))
    elif signed_in == "30d":
        query = query.where(User.last_login_at >= utcnow() - timedelta(days=30))
    elif signed_in == "older":
        query = query.where(User.last_login_at < utcnow() - timedelta(days=30))
    return query.order_by(User.last_login_at.desc().nulls_last(), User.id.desc())


def status_of(user: User) -> str:
    if not user.active:
        return "deactivated"
    return "active" if user.password_hash else "invited"
