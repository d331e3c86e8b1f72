"""Retention: a student is erased RETENTION_MONTHS after the last workshop (or after the guardian's consent, if
never signed up), the way a withdrawal erases (`services.erase_student`: names gone, figures unchanged).

The clock of a student is the latest of: the start of the last workshop it was signed up to (sign-ups and
workshops not cancelled), the day consent was given (the day the row was made, without a consent), and the
moment the school said the student is still in the programme (`kept_at`). RETENTION_NOTICE_DAYS before the
end, the school's representatives are told in their language which students will go (once per clock: the
notice time is kept in `retention_noticed_at`) and can keep one from /students/retention. A student is erased
only once the notice is RETENTION_NOTICE_DAYS old, so a school always has the full notice period, also for
students whose period ended before this feature ran. `run()` (flask retention run, daily) does both.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager

from outreach.access import SYSTEM, check_roster_actor, load_student, representatives_of, scoped_students
from outreach.auth.models import User
from outreach.collation import stored_order
from outreach.dates import fmt_date
from outreach.dbtypes import utcnow
from outreach.events import announce, student_changed
from outreach.extensions import db
from outreach.i18n import _, force_locale, ngettext
from outreach.links import external_url
from outreach.notifications.services import queue
from outreach.signups.models import Signup
from outreach.students import services
from outreach.students.models import GuardianConsent, Student
from outreach.workshops.models import Workshop


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (or earlier): 31 January + 1 month is 28/29 February."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def settings() -> tuple[int, int]:
    """(RETENTION_MONTHS, RETENTION_NOTICE_DAYS)."""
    return int(current_app.config["RETENTION_MONTHS"]), int(current_app.config["RETENTION_NOTICE_DAYS"])


def _as_moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


_last_workshop = (
    select(Signup.student_id, func.max(Workshop.starts_at).label("last_workshop"))
    .join(Workshop, Workshop.id == Signup.workshop_id)
    .where(Signup.status != "cancelled", Workshop.status != "cancelled")
    .group_by(Signup.student_id).subquery("last_workshop"))


def _clock_below(cutoff: datetime) -> Any:
    """SQL: every part of the student's clock is at or before `cutoff` (the clock is the latest of them)."""
    return and_(
        or_(_last_workshop.c.last_workshop.is_(None), _last_workshop.c.last_workshop <= cutoff),
        or_(GuardianConsent.given_on.is_(None), GuardianConsent.given_on <= cutoff.date()),
        or_(GuardianConsent.id.is_not(None), Student.created_at <= cutoff),
        or_(Student.kept_at.is_(None), Student.kept_at <= cutoff))


@dataclass
class Due:
    """A student whose retention period ends soon, and when."""

    student: Student
    clock: datetime
    erase_on: date
    noticed: bool


def _due(student: Student, last_workshop: datetime | None, now: datetime) -> Due:
    months, notice_days = settings()
    parts = [last_workshop, student.kept_at,
             _as_moment(student.consent.given_on) if student.consent is not None else student.created_at]
    clock = max(p if p.tzinfo else p.replace(tzinfo=timezone.utc) for p in parts if p is not None)
    noticed_at = student.retention_noticed_at
    noticed = noticed_at is not None and noticed_at.replace(tzinfo=noticed_at.tzinfo or timezone.utc) >= clock
    # never before the notice has run its full period (a notice not sent yet: it goes out today)
    notice_ends = (noticed_at if noticed else now) + timedelta(days=notice_days)
    return Due(student, clock, max(add_months(clock, months), notice_ends).date(), noticed)


def due_query(user: Any, now: datetime | None = None) -> Select:
    """The students this user may see whose retention period ends within the notice period (or has ended),
    with the start of their last workshop, in name order."""
    now = now or utcnow()
    months, notice_days = settings()
    cutoff = add_months(now, -months) + timedelta(days=notice_days)
    return (scoped_students(user)
            .outerjoin(GuardianConsent, GuardianConsent.student_id == Student.id)
            .outerjoin(_last_workshop, _last_workshop.c.student_id == Student.id)
            .options(contains_eager(Student.consent))
            .add_columns(_last_workshop.c.last_workshop)
            .where(_clock_below(cutoff))
            .order_by(stored_order(Student), Student.id))


def due(rows: list[Any], now: datetime | None = None) -> list[Due]:
    """Rows of `due_query` as Due (the erasure date of each)."""
    now = now or utcnow()
    return [_due(student, last_workshop, now) for student, last_workshop in rows]


def keep(student_id: int, *, actor: Any) -> Student:
    """The school says the student is still in the programme: the retention period starts again today."""
    check_roster_actor(actor)
    student = load_student(actor, student_id)
    student.kept_at = utcnow()
    student.retention_noticed_at = None
    db.session.flush()
    announce(student_changed, student.id, actor=actor, action="student.kept", subject=student,
             details={"school_id": student.school_id}, change="updated")
    return student


@dataclass
class Outcome:
    noticed: int = 0
    messages: int = 0
    erased: int = 0
    erased_ids: list[int] = field(default_factory=list)


def _notice(user: User, entries: list[Due]) -> None:
    with force_locale(user.locale):
        lines = [_("%(name)s — date of automatic erasure: %(date)s", name=entry.student.full_name,
                   date=fmt_date(entry.erase_on)) for entry in entries]
        subject = _("Retention period: students of your school will be erased")
        body = (ngettext(
            "The retention period of %(num)s student of your school is ending. The student's data will be erased "
            "automatically on the date shown, unless you confirm that the student is still in the programme:",
            "The retention period of %(num)s students of your school is ending. Their data will be erased "
            "automatically on the dates shown, unless you confirm that they are still in the programme:",
            len(entries))
            + "\n\n" + "\n".join(f"- {line}" for line in lines) + "\n\n"
            + _("To keep a student, open %(url)s and press “Still in the programme”.",
                url=external_url("students.retention_list"))
            + "\n\n" + _("This message was sent by Outreach; please do not reply to it."))
    queue(user, "retention_notice", subject, body)


def run(now: datetime | None = None) -> Outcome:
    """Tell the schools about students newly due, and erase those whose notice has run its period. Idempotent:
    each notice goes once per clock, an erased student is not seen again. Commits as it goes."""
    now = now or utcnow()
    months, notice_days = settings()
    erase_cutoff = add_months(now, -months)
    outcome = Outcome()
    entries = due(list(db.session.execute(due_query(SYSTEM, now)).unique().all()), now)
    to_notice = [entry for entry in entries if not entry.noticed]
    by_school: dict[int, list[Due]] = {}
    for entry in to_notice:
        by_school.setdefault(entry.student.school_id, []).append(entry)
        entry.student.retention_noticed_at = now
    if by_school:
        for user in db.session.scalars(representatives_of(by_school).where(User.active.is_(True)).order_by(User.id)):
            _notice(user, by_school[user.school_id])
            outcome.messages += 1
    outcome.noticed = len(to_notice)
    db.session.flush()
    db.session.commit()
    for entry in entries:
        noticed_at = entry.student.retention_noticed_at
        if not entry.noticed or entry.clock > erase_cutoff:
            continue
        if noticed_at.replace(tzinfo=noticed_at.tzinfo or timezone.utc) > now - timedelta(days=notice_days):
            continue
        services.erase_student(entry.student, actor=SYSTEM, reason="retention")
        db.session.commit()  # each erasure on its own: the erasure list is written after its commit
        outcome.erased += 1
        outcome.erased_ids.append(entry.student.id)
    return outcome
