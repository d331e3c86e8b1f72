"""Telling school representatives what changed, in their own language.

Every message goes to the outbox table inside the transaction that caused it; it is sent only after that
transaction commits (see outreach/notifications/sending.py), and retried from the outbox until it goes.
Messages name the workshop and a number of students, never a child.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import Select, delete, func, inspect, select
from sqlalchemy.orm import Session

from outreach import params, unitofwork
from outreach.access import representatives_of
from outreach.auth.models import User
from outreach.dates import fmt_datetime, quoted_inside
from outreach.dbtypes import utcnow
from outreach.errors import Conflict, NotFound
from outreach.extensions import db
from outreach.i18n import _, _l, force_locale, localize, ngettext
from outreach.links import external_url
from outreach.notifications.models import OutboxMessage
from outreach.signups.models import Signup
from outreach.students.models import Student

KINDS = {
    "invitation": _l("Invitation"),
    "password_reset": _l("Password reset"),
    "signup_promoted": _l("Place confirmed from the waitlist"),
    "workshop_cancelled": _l("Workshop cancelled"),
    "workshop_moved": _l("Workshop moved"),
    "teacher_feedback": _l("Teachers' questionnaire"),
    "retention_notice": _l("Retention period notice"),
    "absence_followup": _l("Follow-up of absences"),
    "reminder": _l("Reminder the day before"),
}
#: the messages that name students: an erased student's name is taken out of them (forget_name)
NAMING_KINDS = ("retention_notice", "absence_followup", "reminder")
STATUSES = {"pending": _l("Pending"), "sent": _l("Sent"), "failed": _l("Failed")}
#: after this many failed attempts a message is given up: shown as failed, not retried until an admin asks
FAILED_AFTER = 5
#: retry delays double from BACKOFF_BASE up to BACKOFF_MAX
BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_MAX = timedelta(hours=12)

_QUEUED = "outreach.outbox.queued"
_COMMITTED = "outreach.outbox.committed"


# -- queueing ------------------------------------------------------------------------------------------------

def queue(user: User, kind: str, subject: str, body: str) -> OutboxMessage:
    """Keep a message for a user; it is sent after the current transaction commits (and retried)."""
    # a subject is one header line: a line break from a title typed long ago must not make it unsendable
    message = OutboxMessage(recipient_id=user.id, to_email=user.email, locale=user.locale, kind=kind,
                            subject=params.one_line(subject)[:300], body=body, attempts=0, created_at=utcnow(),
                            next_attempt_at=utcnow())
    db.session.add(message)
    db.session.info.setdefault(_QUEUED, []).append(message)
    return message


def withdraw_unsent(user: User, kind: str) -> int:
    """Drop the messages of this kind still waiting for this user (an invitation sent again makes the
    earlier link dead: its e-mail must not go out after the new one). Returns how many were dropped."""
    waiting = [m for m in db.session.info.get(_QUEUED, []) if m.recipient_id == user.id and m.kind == kind]
    for message in waiting:
        db.session.info[_QUEUED].remove(message)
    db.session.flush()
    result = db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.recipient_id == user.id, OutboxMessage.kind == kind, OutboxMessage.sent_at.is_(None))
        .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def forget_name(school_id: int, name: str, kinds: tuple[str, ...] = NAMING_KINDS) -> int:
    """An erased student's name out of the messages that named it (the retention notices, the follow-up of
    absences and the reminders to its school's representatives, sent or not): the outbox keeps no name of an
    erased child. Returns how many changed."""
    if not name:
        return 0
    changed = 0
    recipients = select(User.id).where(User.school_id == school_id)
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind.in_(kinds), OutboxMessage.recipient_id.in_(recipients))):
        if name in message.body:
            message.body = message.body.replace(name, "…")
            changed += 1
    return changed


def _remember_committed(session: Session, _changes: Any) -> None:
    """Messages of a committed transaction (the outbox worker sends them: outreach.notifications.sending)."""
    queued = session.info.pop(_QUEUED, None)
    if queued:
        ids = [identity[0] for identity in (inspect(m).identity for m in queued) if identity]
        session.info.setdefault(_COMMITTED, []).extend(ids)


def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_QUEUED, None)


unitofwork.register(unitofwork.Step("notifications", after_commit=_remember_committed,
                                    after_rollback=_forget_rolled_back))


def take_committed(info: dict) -> list[int]:
    """Ids of messages whose transaction committed and that nobody has picked up yet."""
    return info.pop(_COMMITTED, [])


# -- what the messages say -----------------------------------------------------------------------------------

def _representatives(school_ids: Iterable[int]) -> list[User]:
    ids = set(school_ids)
    if not ids:
        return []
    return list(db.session.scalars(representatives_of(ids).where(User.active.is_(True)).order_by(User.id)))


def _when(workshop: Any) -> str:
    """The start, in the recipient's language (call inside force_locale), the programme's time zone named."""
    return fmt_datetime(workshop.starts_at, zone=True)


def _footer() -> str:
    lines = []
    lines.append(_("Your sign-ups: %(url)s", url=external_url("signups.mine")))
    lines.append(_("This message was sent by Outreach; please do not reply to it."))
    return "\n\n" + "\n".join(lines)


def signups_promoted(signups: list[Any]) -> list[OutboxMessage]:
    """Students moved from the waitlist to confirmed places: one message per school and workshop."""
    counts = Counter((signup.student.school_id, signup.workshop_id) for signup in signups)
    workshops = {signup.workshop_id: signup.workshop for signup in signups}
    messages = []
    for user in _representatives(school_id for school_id, _w in counts):
        for (school_id, workshop_id), n in counts.items():
            if school_id != user.school_id:
                continue
            workshop = workshops[workshop_id]
            with force_locale(user.locale):
                title = localize(workshop.title, user.locale).text
                subject = _("A place was confirmed: %(title)s", title=title)
                body = ngettext(
                    "%(num)s student of your school has moved from the waitlist to a confirmed place in the "
                    "workshop “%(title)s” on %(when)s at %(venue)s.",
                    "%(num)s students of your school have moved from the waitlist to confirmed places in the "
                    "workshop “%(title)s” on %(when)s at %(venue)s.",
                    n, title=quoted_inside(title), when=_when(workshop), venue=workshop.venue) + _footer()
            messages.append(queue(user, "signup_promoted", subject, body))
    db.session.flush()
    return messages


def workshop_changed(workshop: Any, kind: str) -> list[OutboxMessage]:
    """The workshop was cancelled or moved: tell every school with a live sign-up to it."""
    if kind not in ("cancelled", "moved"):
        raise ValueError(kind)
    counts = dict(db.session.execute(
        select(Student.school_id, func.count(Signup.id)).join(Signup, Signup.student_id == Student.id)
        .where(Signup.workshop_id == workshop.id, Signup.status != "cancelled")
        .group_by(Student.school_id)).all())
    messages = []
    for user in _representatives(counts):
        n = counts[user.school_id]
        with force_locale(user.locale):
            title = localize(workshop.title, user.locale).text
            if kind == "cancelled":
                subject = _("Workshop cancelled: %(title)s", title=title)
                body = _("The workshop “%(title)s” on %(when)s has been cancelled.", title=quoted_inside(title),
                         when=_when(workshop)) + " " + ngettext(
                    "%(num)s student of your school was signed up to it; the sign-up is kept in the history.",
                    "%(num)s students of your school were signed up to it; the sign-ups are kept in the history.", n)
            else:
                subject = _("Workshop moved: %(title)s", title=title)
                body = _("The workshop “%(title)s” now takes place on %(when)s at %(venue)s.",
                         title=quoted_inside(title), when=_when(workshop), venue=workshop.venue) + " " + ngettext(
                    "%(num)s student of your school is signed up to it and keeps the place.",
                    "%(num)s students of your school are signed up to it and keep their places.", n)
            body += _footer()
        messages.append(queue(user, f"workshop_{kind}", subject, body))
    db.session.flush()
    return messages


def teacher_feedback_link(workshop: Any, school: Any, token: str, language: str, expires_at: datetime) -> list[OutboxMessage]:
    """After a workshop: the one-time link of the teachers' questionnaire to the school's representatives, in the
    school's language (one answer per link: whichever teacher answers first)."""
    messages = []
    for user in _representatives([school.id]):
        with force_locale(language):
            title = localize(workshop.title, language).text
            url = external_url("outcomes.teacher_answer", token=token)
            subject = _("How was the workshop? %(title)s", title=title)
            body = _("Your pupils took part in the workshop “%(title)s” on %(when)s. Please ask the teacher who "
                     "was with the class to answer a few questions about it (two minutes, no account needed):",
                     title=quoted_inside(title), when=_when(workshop)) + "\n\n" + url + "\n\n" + _(
                "The link can be used once and is valid until %(until)s.", until=fmt_datetime(expires_at, zone=True)
            ) + _footer()
        message = queue(user, "teacher_feedback", subject, body)
        message.locale = language
        messages.append(message)
    db.session.flush()
    return messages


# -- the outbox for admins -----------------------------------------------------------------------------------

def status_of(message: OutboxMessage) -> str:
    if message.sent_at is not None:
        return "sent"
    return "failed" if message.failed_at is not None else "pending"


_SECRET_LINK = re.compile(r"(/invitation/|/password/reset/|/feedback/)[A-Za-z0-9_\-]{8,}")


def body_for_admins(message: OutboxMessage) -> str:
    """The body as the outbox page shows it: one-time sign-in links are hidden (only the recipient needs them)."""
    return _SECRET_LINK.sub(lambda m: m.group(1) + "…", message.body)


def outbox_query(*, status: str | None = None) -> Select:
    """Outbox messages, newest first; status pending (not sent yet), sent, or failed (given up)."""
    query = select(OutboxMessage)
    if status == "sent":
        query = query.where(OutboxMessage.sent_at.is_not(None))
    elif status == "pending":
        query = query.where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
    elif status == "failed":
        query = query.where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None))
    return query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


def outbox_counts() -> dict[str, int]:
    """How many messages are pending, sent and failed."""
    sent = func.count(OutboxMessage.sent_at)
    unsent = OutboxMessage.sent_at.is_(None)
    row = db.session.execute(select(
        sent,
        func.count(OutboxMessage.id).filter(unsent, OutboxMessage.failed_at.is_(None)),
        func.count(OutboxMessage.id).filter(unsent, OutboxMessage.failed_at.is_not(None)))).one()
    return {"sent": row[0], "pending": row[1], "failed": row[2]}


def get_message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(_l("The message was not found."))
    return message


def retry_now(message_id: int, *, actor: Any = None) -> OutboxMessage:
    """Make an unsent message due now; it is sent after this transaction commits (or by send-outbox)."""
    message = get_message(message_id)
    if message.sent_at is not None:
        raise Conflict(_l("This message has already been sent."), code="already_sent")
    message.next_attempt_at = utcnow()
    message.failed_at = None  # one more attempt; a failure gives it up again
    db.session.info.setdefault(_QUEUED, []).append(message)
    db.session.flush()
    return message


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after `attempts` failed ones: 2, 4, 8 ... minutes, at most 12 hours."""
    delay = BACKOFF_BASE * (2 ** max(attempts - 1, 0)) if attempts < 20 else BACKOFF_MAX
    return min(delay, BACKOFF_MAX)


def next_attempt_after(attempts: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) + backoff(attempts)
