"""Certificates of participation: which students qualify and what each certificate says.

A student qualifies for an initiative after attending at least `CERTIFICATE_MIN_SESSIONS` of its workshops.
Attended means what the impact report counts (README, "Attendance marks, hours and photo consent"): a confirmed
sign-up to a workshop that was not cancelled, whose attendance was recorded, marked present or late. Excused
and absent marks do not count. Hours are the minutes attended (present: the whole workshop, late: its minutes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Select, case, func, select

from outreach.access import may_make_certificates, visible_students
from outreach.artists.models import Artist
from outreach.attendance.models import ATTENDED, LATE, PRESENT, Attendance
from outreach.attendance.rules import minutes_attended
from outreach.collation import stored_order
from outreach.dbtypes import local_tz
from outreach.errors import Conflict, NotFound, OutreachError
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _, _l, ngettext
from outreach.initiatives.models import Initiative
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop


@dataclass
class Certificate:
    """What one student's certificate for one initiative says (names only for the student's own school)."""

    student: Student
    initiative: Initiative
    language: str
    sessions: int = 0
    minutes: int = 0
    first_day: date | None = None
    last_day: date | None = None
    #: the teaching artists of the workshops attended, the one of most sessions first
    artists: list[str] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return self.minutes / 60


def min_sessions() -> int:
    return max(int(current_app.config.get("CERTIFICATE_MIN_SESSIONS", 3)), 1)


def language_for(school: School, asked: str | None = None, preferred: str | None = None) -> str:
    """The certificate's language: `asked` when it is one of LANGUAGES, else the school's: kk or ru, whichever it
    teaches in; a school teaching in both gets `preferred` (the language of the person making it) if that is one
    of them, else kk."""
    if asked in LANGUAGES:
        return asked
    taught = [code for code in school.languages if code in ("kk", "ru")]
    if len(taught) > 1 and preferred in taught:
        return preferred
    return school.written_language


def _attended() -> Select:
    """The attended sign-ups of students not erased (the report's rule), joined to workshop and student."""
    return (select(Signup.id).join(Workshop, Workshop.id == Signup.workshop_id)
            .join(Attendance, Attendance.signup_id == Signup.id)
            .join(Student, Student.id == Signup.student_id)
            .where(Signup.status == "confirmed", Workshop.status != "cancelled",
                   Workshop.attendance_recorded_at.is_not(None), Attendance.status.in_(ATTENDED),
                   Student.erased_at.is_(None)))


#: minutes attended in SQL, as attendance.rules.minutes_attended: present the whole workshop, late its minutes
_MINUTES = case((Attendance.status == PRESENT, Workshop.duration_minutes),
                (Attendance.status == LATE, case((Attendance.minutes < Workshop.duration_minutes, Attendance.minutes),
                                                 else_=Workshop.duration_minutes)),
                else_=0)


def qualifiers_query(user: Any, school_id: int, *, initiative_id: int | None = None,
                     grade: int | None = None) -> Select:
    """Rows (Student, initiative_id, sessions, minutes) of the students of a school who qualify, per initiative,
    by initiative, grade and name (in the page's alphabet). Starts from the students this user may see."""
    sessions = func.count(func.distinct(Workshop.id))
    scope = visible_students(user).subquery()
    query = (_attended().with_only_columns(Student, Workshop.initiative_id, sessions.label("sessions"),
                                           func.sum(_MINUTES).label("minutes"))
             .where(Student.school_id == school_id, Student.id.in_(select(scope.c.id)))
             .group_by(Student.id, Workshop.initiative_id)
             .having(sessions >= min_sessions())
             .order_by(Workshop.initiative_id.desc(), Student.grade, stored_order(Student), Student.id))
    if initiative_id is not None:
        query = query.where(Workshop.initiative_id == initiative_id)
    if grade is not None:
        query = query.where(Student.grade == grade)
    return query


def qualifying_initiatives(user: Any, school_id: int) -> list[Initiative]:
    """The initiatives in which at least one student of the school qualifies (the page's filter)."""
    ids = select(qualifiers_query(user, school_id).subquery().c.initiative_id).distinct()
    return list(db.session.scalars(select(Initiative).where(Initiative.id.in_(ids)).order_by(Initiative.id.desc())))


def student_sessions(student: Student) -> dict[int, int]:
    """Workshops attended per initiative by one student (its page says where it qualifies)."""
    rows = db.session.execute(
        _attended().with_only_columns(Workshop.initiative_id, func.count(func.distinct(Workshop.id)))
        .where(Student.id == student.id).group_by(Workshop.initiative_id))
    return {initiative_id: count for initiative_id, count in rows}


def _initiative(initiative_id: Any) -> Initiative:
    initiative = db.session.get(Initiative, initiative_id) if initiative_id else None
    if initiative is None:
        message = _l("Choose an initiative that exists.")
        raise OutreachError(message, code="invalid", fields={"initiative_id": [message]})
    return initiative


def _certificates(students: list[Student], initiative: Initiative, language: str) -> dict[int, Certificate]:
    """Every attended workshop of these students in the initiative, summed up per student (one query)."""
    by_student = {s.id: Certificate(student=s, initiative=initiative, language=language) for s in students}
    if not by_student:
        return {}
    rows = db.session.execute(
        _attended().with_only_columns(Student.id, Workshop.id, Workshop.starts_at, Workshop.duration_minutes,
                                      Attendance.status, Attendance.minutes, Artist.name)
        .join(Artist, Artist.id == Workshop.artist_id)
        .where(Workshop.initiative_id == initiative.id, Student.id.in_(list(by_student)))
        .order_by(Workshop.starts_at))
    tz = local_tz()
    artist_sessions: dict[int, dict[str, int]] = {}
    seen: set[tuple[int, int]] = set()
    for student_id, workshop_id, starts_at, duration, status, minutes, artist in rows:
        if (student_id, workshop_id) in seen:
            continue
        seen.add((student_id, workshop_id))
        certificate = by_student[student_id]
        day = starts_at.astimezone(tz).date()
        certificate.sessions += 1
        certificate.minutes += minutes_attended(status, minutes, duration)
        certificate.first_day = certificate.first_day or day
        certificate.last_day = day
        counts = artist_sessions.setdefault(student_id, {})
        counts[artist] = counts.get(artist, 0) + 1
    for student_id, counts in artist_sessions.items():
        by_student[student_id].artists = sorted(counts, key=lambda name: (-counts[name], name))
    return by_student


def _needs_message(attended: int) -> str:
    needed = min_sessions()
    return ngettext("A certificate needs at least %(num)s workshop of the initiative attended (present or late). "
                    "Attended: %(attended)s.",
                    "A certificate needs at least %(num)s workshops of the initiative attended (present or late). "
                    "Attended: %(attended)s.", needed, attended=attended)


def student_certificate(user: Any, student_id: int, initiative_id: Any, lang: str | None = None,
                        preferred: str | None = None) -> Certificate:
    """One student's certificate. Another school's (or an erased) student is not found; an initiative that does
    not exist is invalid (422); too few workshops attended is a conflict (409)."""
    student = db.session.get(Student, student_id)
    if student is None or student.erased_at is not None or not may_make_certificates(user, student.school_id):
        raise NotFound(_l("The student was not found."))
    initiative = _initiative(initiative_id)
    certificate = _certificates([student], initiative, language_for(student.school, lang, preferred))[student.id]
    if certificate.sessions < min_sessions():
        raise Conflict(_needs_message(certificate.sessions), code="not_enough_attendance")
    return certificate


def class_certificates(user: Any, school_id: int, initiative_id: Any, *, grade: int | None = None,
                       lang: str | None = None, preferred: str | None = None) -> list[Certificate]:
    """The certificates of every qualifying student of a school (of one grade, when given) in an initiative,
    by grade and name: one page each. Another school is not found; nobody qualifying is a conflict (409)."""
    school = db.session.get(School, school_id)
    if school is None or not may_make_certificates(user, school_id):
        raise NotFound(_l("The school was not found."))
    initiative = _initiative(initiative_id)
    language = language_for(school, lang, preferred)
    rows = db.session.execute(qualifiers_query(user, school_id, initiative_id=initiative.id, grade=grade)).all()
    students = [row[0] for row in rows]
    if not students:
        raise Conflict(ngettext("No student of this school has attended at least %(num)s workshop of the "
                                "initiative yet.",
                                "No student of this school has attended at least %(num)s workshops of the "
                                "initiative yet.", min_sessions()), code="no_certificates")
    certificates = _certificates(students, initiative, language)
    return [certificates[s.id] for s in students]


def grade_label(grade: int) -> str:
    return _("Pre-school class") if grade == 0 else _("Grade %(grade)s", grade=grade)
