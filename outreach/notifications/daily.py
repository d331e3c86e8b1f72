"""The daily notices (`flask notices run`): the follow-up of students who miss workshops, and the reminders the day
before a workshop. Both go through the outbox, in the recipient's language, to active accounts whose reminders are
on (the account page turns them off).

Follow-up: a student whose last two recorded workshops of one initiative (in date order, among the workshops whose
attendance was taken) are both marked absent. An excused mark is neither a miss nor an attendance: it is skipped,
so absent, excused, absent is two misses in a row; present or late ends the run. Each school's representatives get
one message a day naming the students, the initiative and the two dates; a run is told once (however long it goes
on), and only when its latest absence is at most FOLLOWUP_DAYS old, so an old term is never told all at once.

Reminders: for tomorrow's workshops (the programme's time zone), each representative of a school whose students
hold confirmed places gets one message with the workshops and their own students' names (never a waitlisted
student, never another school's); each teaching artist's account gets one with the workshops they give (time,
venue, schools and how many students, no names).

What was told is kept in `notice_sent` under a key ("absence:<student>:<first workshop of the run>",
"followup:<school>:<day>", "reminder:<user>:<day>"), claimed with one INSERT … ON CONFLICT DO NOTHING in the
transaction that queues the message: a second run the same day, or two at once, queues nothing twice.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from outreach.access import artist_accounts, representatives_of
from outreach.attendance.models import ABSENT, EXCUSED, Attendance
from outreach.auth.models import User
from outreach.collation import stored_order
from outreach.dates import fmt_date, fmt_time, quoted_inside
from outreach.dbtypes import local_tz, utcnow
from outreach.extensions import db
from outreach.i18n import _, force_locale, localize, ngettext
from outreach.links import external_url
from outreach.notifications.models import NoticeSent
from outreach.notifications.services import queue
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.students.rules import today
from outreach.workshops.models import Workshop

#: a run of absences is told only while its latest absence is at most this many days old
FOLLOWUP_DAYS = 14
#: the kinds of the messages (the outbox's KINDS; erasure takes a student's name out of both)
FOLLOWUP, REMINDER = "absence_followup", "reminder"
#: claims of a day's messages are kept this long (a run's claim is kept: a run is told once, however long)
KEEP_CLAIMS = timedelta(days=60)


def _day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the programme's time zone."""
    return datetime.combine(day, time(0), tzinfo=local_tz())


def claim(key: str) -> bool:
    """Take `key` for this transaction: True if nobody had (a concurrent claim of it waits for this one to end)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING says whether the row went in (a row count is not reliable for ON CONFLICT across drivers)
    return db.session.execute(insert(NoticeSent).values(key=key, sent_at=utcnow())
                              .on_conflict_do_nothing(index_elements=["key"])
                              .returning(NoticeSent.key)).scalar() is not None


def _wanting(users: Any) -> list[User]:
    """The accounts that take these messages: active, reminders on."""
    return [user for user in users if user.active and user.reminders]


def _sign_off() -> str:
    return "\n\n" + _("You can turn these messages off on your account page: %(url)s",
                      url=external_url("auth.account")) + "\n" + _(
        "This message was sent by Outreach; please do not reply to it.")


# -- follow-up of absences -----------------------------------------------------------------------------------

@dataclass
class Run:
    """Two or more absences in a row of one student in one initiative's workshops."""

    student: Student
    initiative: Any
    first_workshop_id: int  # the run's first absence: the key of the run
    dates: tuple[datetime, datetime]  # the starts of its last two absences

    @property
    def key(self) -> str:
        return f"absence:{self.student.id}:{self.first_workshop_id}"


def _marked(student_initiative: set[tuple[int, int]], before: datetime) -> dict[tuple[int, int], list]:
    """The marks of these students in the recorded workshops of these initiatives, in date order."""
    student_ids = {student_id for student_id, _i in student_initiative}
    rows = db.session.execute(
        select(Signup.student_id, Workshop.initiative_id, Workshop.id, Workshop.starts_at, Attendance.status)
        .join(Workshop, Workshop.id == Signup.workshop_id)
        .join(Attendance, Attendance.signup_id == Signup.id)
        .where(Signup.student_id.in_(student_ids), Signup.status == "confirmed",
               Workshop.attendance_recorded_at.is_not(None), Workshop.status != "cancelled",
               Workshop.starts_at < before)
        .order_by(Workshop.starts_at, Workshop.id)).all()
    marks: dict[tuple[int, int], list] = defaultdict(list)
    for student_id, initiative_id, workshop_id, starts_at, status in rows:
        if (student_id, initiative_id) in student_initiative:
            marks[(student_id, initiative_id)].append((workshop_id, starts_at, status))
    return marks


def absence_runs(day: date) -> list[Run]:
    """Runs of two or more absences (excused skipped) at the end of a student's marks in an initiative, whose
    latest absence is in the FOLLOWUP_DAYS before `day` ends; students not erased."""
    until = _day_start(day + timedelta(days=1))
    since = _day_start(day - timedelta(days=FOLLOWUP_DAYS))
    recent = set(db.session.execute(
        select(Signup.student_id, Workshop.initiative_id)
        .join(Workshop, Workshop.id == Signup.workshop_id)
        .join(Attendance, Attendance.signup_id == Signup.id)
        .join(Student, Student.id == Signup.student_id)
        .where(Attendance.status == ABSENT, Signup.status == "confirmed", Student.erased_at.is_(None),
               Workshop.attendance_recorded_at.is_not(None), Workshop.status != "cancelled",
               Workshop.starts_at >= since, Workshop.starts_at < until).distinct()).all())
    if not recent:
        return []
    found = []
    for (student_id, initiative_id), marks in _marked(recent, until).items():
        counted = [(workshop_id, starts_at, status) for workshop_id, starts_at, status in marks if status != EXCUSED]
        run = []
        for mark in reversed(counted):
            if mark[2] != ABSENT:
                break
            run.append(mark)
        if len(run) < 2 or run[0][1] < since:
            continue
        found.append((student_id, initiative_id, run[-1][0], (run[1][1], run[0][1])))
    students = {s.id: s for s in db.session.scalars(
        select(Student).where(Student.id.in_({f[0] for f in found})).order_by(stored_order(Student), Student.id))}
    workshops = {w.initiative_id: w.initiative for w in db.session.scalars(
        select(Workshop).where(Workshop.id.in_({f[2] for f in found})))}
    runs = [Run(students[s], workshops[i], first, dates) for s, i, first, dates in found]
    position = {student_id: n for n, student_id in enumerate(students)}
    return sorted(runs, key=lambda run: (position[run.student.id], run.dates))


def _followup(user: User, runs: list[Run]) -> None:
    with force_locale(user.locale):
        lines = [_("%(name)s — “%(initiative)s”: %(first)s and %(second)s",
                   name=run.student.full_name, initiative=quoted_inside(localize(run.initiative.title, user.locale).text),
                   first=fmt_date(run.dates[0]), second=fmt_date(run.dates[1])) for run in runs]
        subject = ngettext("A student of your school missed two workshops in a row",
                           "%(num)s students of your school missed two workshops in a row", len(runs))
        body = (ngettext(
            "%(num)s student of your school was absent, without an excuse, from the last two workshops of an "
            "initiative:",
            "%(num)s students of your school were absent, without an excuse, from the last two workshops of an "
            "initiative:", len(runs))
            + "\n\n" + "\n".join(f"- {line}" for line in lines) + "\n\n"
            + _("Please ask whether they will go on taking part; if not, cancel their sign-ups so that the places "
                "go to other students: %(url)s", url=external_url("signups.mine"))
            + _sign_off())
    queue(user, FOLLOWUP, subject, body)


def followups(day: date) -> int:
    """Queue the day's follow-up: one message per school representative, for the runs not told before. A school
    told today already waits until tomorrow with runs found since. Returns how many messages were queued."""
    by_school: dict[int, list[Run]] = defaultdict(list)
    for run in absence_runs(day):
        by_school[run.student.school_id].append(run)
    queued = 0
    for school_id in sorted(by_school):
        runs = [run for run in by_school[school_id]
                if not db.session.get(NoticeSent, run.key)]
        if not runs or not claim(f"followup:{school_id}:{day.isoformat()}"):
            continue
        runs = [run for run in runs if claim(run.key)]
        if not runs:
            continue
        for user in _wanting(db.session.scalars(representatives_of([school_id]).order_by(User.id))):
            _followup(user, runs)
            queued += 1
    db.session.flush()
    return queued


# -- reminders the day before --------------------------------------------------------------------------------

def _tomorrows_workshops(day: date) -> list[Workshop]:
    start = _day_start(day + timedelta(days=1))
    return list(db.session.scalars(
        select(Workshop).where(Workshop.status == "scheduled", Workshop.starts_at >= start,
                               Workshop.starts_at < _day_start(day + timedelta(days=2)))
        .order_by(Workshop.starts_at, Workshop.id)))


def _confirmed(workshop_ids: list[int]) -> list[tuple[int, Student]]:
    """(workshop id, student) of the confirmed sign-ups, students not erased, in name order."""
    return list(db.session.execute(
        select(Signup.workshop_id, Student).join(Student, Student.id == Signup.student_id)
        .where(Signup.workshop_id.in_(workshop_ids), Signup.status == "confirmed", Student.erased_at.is_(None))
        .order_by(stored_order(Student), Student.id)).tuples())


def _title(workshop: Workshop, locale: str) -> str:
    return quoted_inside(localize(workshop.title, locale).text)


def _school_reminder(user: User, tomorrow: date, workshops: list[Workshop], students: dict[int, list[Student]]) -> None:
    with force_locale(user.locale):
        parts = []
        for workshop in workshops:
            names = students[workshop.id]
            parts.append(_("%(time)s — “%(title)s”, %(venue)s", time=fmt_time(workshop.starts_at),
                           title=_title(workshop, user.locale), venue=workshop.venue) + "\n" + ngettext(
                "%(num)s student of your school:", "%(num)s students of your school:", len(names)) + "\n"
                + "\n".join(f"- {student.full_name}" for student in names))
        subject = _("Reminder: tomorrow, %(date)s, workshops of your students", date=fmt_date(tomorrow))
        body = (ngettext("Tomorrow, %(date)s, students of your school take part in %(num)s workshop:",
                         "Tomorrow, %(date)s, students of your school take part in %(num)s workshops:",
                         len(workshops), date=fmt_date(tomorrow, "full"))
                + "\n\n" + "\n\n".join(parts) + "\n\n"
                + _("Times are in Astana time. Your sign-ups: %(url)s", url=external_url("signups.mine"))
                + _sign_off())
    queue(user, REMINDER, subject, body)


def _artist_reminder(user: User, tomorrow: date, workshops: list[Workshop],
                     schools: dict[int, dict[str, int]]) -> None:
    with force_locale(user.locale):
        parts = []
        for workshop in workshops:
            line = _("%(time)s — “%(title)s”, %(venue)s", time=fmt_time(workshop.starts_at),
                     title=_title(workshop, user.locale), venue=workshop.venue)
            signed_up = schools.get(workshop.id) or {}
            if signed_up:
                line += "\n" + "\n".join("- " + ngettext("%(school)s: %(num)s student", "%(school)s: %(num)s students",
                                                         n, school=name) for name, n in signed_up.items())
            else:
                line += "\n- " + _("No students are signed up yet.")
            parts.append(line)
        subject = _("Reminder: tomorrow, %(date)s, your workshops", date=fmt_date(tomorrow))
        body = (ngettext("Tomorrow, %(date)s, you give %(num)s workshop:",
                         "Tomorrow, %(date)s, you give %(num)s workshops:", len(workshops),
                         date=fmt_date(tomorrow, "full"))
                + "\n\n" + "\n\n".join(parts) + "\n\n"
                + _("Times are in Astana time. The attendance list of each workshop opens from its page: %(url)s",
                    url=external_url("workshops.index"))
                + _sign_off())
    queue(user, REMINDER, subject, body)


def reminders(day: date) -> int:
    """Queue the reminders of tomorrow's workshops (the day after `day`): one message per school representative
    whose students hold confirmed places, one per teaching artist giving a workshop. Returns how many."""
    tomorrow = day + timedelta(days=1)
    workshops = _tomorrows_workshops(day)
    if not workshops:
        return 0
    by_id = {workshop.id: workshop for workshop in workshops}
    per_school: dict[int, dict[int, list[Student]]] = defaultdict(lambda: defaultdict(list))
    for workshop_id, student in _confirmed(list(by_id)):
        per_school[student.school_id][workshop_id].append(student)
    names = dict(db.session.execute(select(School.id, School.name).where(School.id.in_(list(per_school)))).tuples().all())
    queued = 0
    recipients = _wanting(db.session.scalars(representatives_of(list(per_school)).order_by(User.id))) \
        if per_school else []
    for user in recipients:
        own = per_school[user.school_id]
        if claim(f"reminder:{user.id}:{tomorrow.isoformat()}"):
            _school_reminder(user, tomorrow, [by_id[i] for i in by_id if i in own], own)
            queued += 1
    artists = {workshop.artist_id for workshop in workshops}
    for user in _wanting(db.session.scalars(artist_accounts(artists).order_by(User.id))):
        given = [workshop for workshop in workshops if workshop.artist_id == user.artist_id]
        schools = {workshop.id: {names[school_id]: len(per_school[school_id][workshop.id])
                                 for school_id in sorted(per_school, key=lambda s: names[s])
                                 if per_school[school_id].get(workshop.id)} for workshop in given}
        if claim(f"reminder:{user.id}:{tomorrow.isoformat()}"):
            _artist_reminder(user, tomorrow, given, schools)
            queued += 1
    db.session.flush()
    return queued


# -- the daily run -------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    followups: int = 0
    reminders: int = 0
    forgotten: int = 0


def run(day: date | None = None) -> Outcome:
    """The day's follow-up and reminders (`day`: the programme's today). Idempotent; commits each part."""
    day = day or today()
    outcome = Outcome()
    outcome.followups = followups(day)
    db.session.commit()
    outcome.reminders = reminders(day)
    db.session.commit()
    # the day's claims of days long gone; a run's claim stays (the run may go on, and it was told once)
    result = db.session.execute(delete(NoticeSent).where(
        NoticeSent.sent_at < utcnow() - KEEP_CLAIMS,
        NoticeSent.key.startswith("followup:") | NoticeSent.key.startswith("reminder:")))
    outcome.forgotten = result.rowcount or 0
    db.session.commit()
    return outcome
