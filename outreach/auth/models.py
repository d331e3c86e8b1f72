"""People who sign in, their API tokens and invitations."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, inspect, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach import unitofwork
from outreach.auth import emails
from outreach.dbtypes import UTCDateTime, one_of, utcnow
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _l, _lp

ROLES = {
    "admin": _l("Administrator"),
    "coordinator": _l("Coordinator"),
    "school": _l("School representative"),
    # a person, not the organisation: «Қаржыландырушы ұйым өкілі», «Представитель финансирующей организации»
    "funder": _lp("role", "Funder"),
    "artist": _l("Teaching artist"),
}


def new_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        one_of("role", tuple(ROLES)),
        one_of("locale", tuple(LANGUAGES)),
        CheckConstraint("role != 'school' OR school_id IS NOT NULL", name="school_bound"),
        CheckConstraint("role != 'funder' OR funder_id IS NOT NULL", name="funder_bound"),
        CheckConstraint("role != 'artist' OR artist_id IS NOT NULL", name="artist_bound"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # lower-cased email: unique whatever the case typed
    email_normalized: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    funder_id: Mapped[int | None] = mapped_column(ForeignKey("funder.id"), index=True)
    artist_id: Mapped[int | None] = mapped_column(ForeignKey("artist.id"), index=True)
    locale: Mapped[str] = mapped_column(String(2), default="kk")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the day-before reminders and the follow-up of students who miss workshops (the account page turns them off)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # rotated on sign-out and password change, so old session cookies stop working
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    # secret part of the personal calendar feed URL; regenerated on request
    feed_token: Mapped[str] = mapped_column(String(64), default=new_token, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped["School | None"] = relationship()  # noqa: F821
    funder: Mapped["Funder | None"] = relationship()  # noqa: F821
    artist: Mapped["Artist | None"] = relationship()  # noqa: F821

    @staticmethod
    def normalize_email(email: str) -> str:
        return emails.key(email)

    def set_email(self, email: str) -> None:
        self.email = emails.clean(email)
        self.email_normalized = emails.key(email)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    @property
    def role_title(self) -> str:
        return str(ROLES.get(self.role, self.role))

    @property
    def display_name(self) -> str:
        return self.name or self.email


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # updated at most once a minute (see auth.services.user_for_api_token)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """A one-time, expiring link by which an invited person sets a password."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class PasswordReset(db.Model):
    """A one-time link, sent by e-mail, that sets a new password within the hour."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


#: what a sign-in writes: shown on no page that is cached (the users' list reads it afresh)
_SIGN_IN = {"last_login_at", "password_hash"}


def _user_changes(user: User, kind: str) -> set[str]:
    if kind == "dirty" and not any(attr.history.has_changes() for attr in inspect(user).attrs
                                   if attr.key not in _SIGN_IN):
        return set()
    return {"users"}


unitofwork.describe(User, _user_changes)

