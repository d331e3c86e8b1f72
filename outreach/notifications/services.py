"""Telling school representatives what changed, in their own language. Every message goes to the outbox first."""
from __future__ import annotations

from typing import Any, Iterable

from flask import current_app
from sqlalchemy import select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.i18n import _, force_locale, localize
from outreach.notifications.models import OutboxMessage
from outreach.dbtypes import utcnow


def queue(user: User, kind: str, subject: str, body: str) -> OutboxMessage:
    """Keep a message for a user; it is sent (and retried) from the outbox."""
    message = OutboxMessage(recipient_id=user.id, to_email=user.email, locale=user.locale, kind=kind,
                            subject=subject, body=body, next_attempt_at=utcnow())
    db.session.add(message)
    return message


def _representatives(school_ids: Iterable[int]) -> list[User]:
    ids = set(school_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.school_id.in_(ids), User.role == "school",
                                                       User.active.is_(True))))


def signups_promoted(signups: list[Any]) -> None:
    """A student moved from the waitlist to a confirmed place."""
    by_school: dict[int, list[Any]] = {}
    for signup in signups:
        by_school.setdefault(signup.student.school_id, []).append(signup)
    for user in _representatives(by_school):
        for signup in by_school[user.school_id]:
            with force_locale(user.locale):
                workshop = signup.workshop
                title = localize(workshop.title, user.locale).text
                subject = _("A place was confirmed: %(title)s", title=title)
                body = _("A student of your school has moved from the waitlist to a confirmed place in the "
                         "workshop “%(title)s” on %(when)s.", title=title, when=_when(workshop))
            queue(user, "signup_promoted", subject, body)
    db.session.flush()


def workshop_changed(workshop: Any, kind: str) -> None:
    """The workshop was cancelled or moved: tell every school with a live sign-up."""
    from outreach.signups.models import Signup
    from outreach.students.models import Student

    school_ids = db.session.scalars(select(Student.school_id).join(Signup, Signup.student_id == Student.id).where(
        Signup.workshop_id == workshop.id, Signup.status != "cancelled").distinct()).all()
    for user in _representatives(school_ids):
        with force_locale(user.locale):
            title = localize(workshop.title, user.locale).text
            if kind == "cancelled":
                subject = _("Workshop cancelled: %(title)s", title=title)
                body = _("The workshop “%(title)s” on %(when)s has been cancelled. The sign-ups of your "
                         "students are kept in the history.", title=title, when=_when(workshop))
            else:
                subject = _("Workshop moved: %(title)s", title=title)
                body = _("The workshop “%(title)s” now takes place on %(when)s at %(venue)s.",
                         title=title, when=_when(workshop), venue=workshop.venue)
        queue(user, f"workshop_{kind}", subject, body)
    db.session.flush()


def _when(workshop: Any) -> str:
    from flask_babel import format_datetime

    if current_app:
        return format_datetime(workshop.starts_at, "medium")
    return workshop.starts_at.isoformat()
