"""The roster's rules: students with guardian consent, erasure, and who sees whom.

The HTML pages and the JSON API call these same functions. Data dicts use the API's field names
and typed values; every rule broken raises an OutreachError with a translated message.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from outreach import storage
from outreach.access import check_roster_actor, check_student, is_school_rep, is_staff, load_student, scoped_students
from outreach.collation import stored_order
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError
from outreach.events import announce, student_changed
from outreach.extensions import db
from outreach.i18n import _l
from outreach.notifications import services as notifications
from outreach.schools.models import School
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.students import searches
from outreach.students.import_pending import purge_school_previews
from outreach.students.importing import ImportPreview, apply_import, parse_roster_file
from outreach.students.models import GuardianConsent, Student, fold
from outreach.students.rules import (INVALID, MAX_GUARDIAN_NAME, MAX_RELATIONSHIP, clean_text,
                                     consent_date_error, consent_method_error, gender_error, grade_error, name_error)
from outreach.workshops.models import Workshop

__all__ = ["create_student", "update_student", "erase_student", "students_query", "get_student",
           "parse_roster_file", "apply_import", "ImportPreview"]

# --- validation of the API-shaped data ----------------------------------------------------------

_STUDENT_FIELDS = ("first_name", "last_name", "grade", "gender")
_CONSENT_FIELDS = ("guardian_name", "relationship", "given_on", "method")


def _student_values(data: Mapping[str, Any], errors: dict[str, list[Any]], *, partial: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in _STUDENT_FIELDS:
        if partial and field not in data:
            continue
        raw = data.get(field)
        if field in ("first_name", "last_name"):
            value = clean_text(raw)
            missing = _l("Enter the first name.") if field == "first_name" else _l("Enter the last name.")
            problem = name_error(value, missing=missing)
        elif field == "grade":
            value = raw
            problem = grade_error(raw)
        else:
            value = raw
            problem = gender_error(raw)
        if problem is not None:
            errors.setdefault(field, []).append(problem)
        else:
            values[field] = value
    if "media_consent" in data or not partial:
        raw = data.get("media_consent", False)
        if isinstance(raw, bool):
            values["media_consent"] = raw
        else:
            errors.setdefault("media_consent", []).append(_l("Say whether the guardian agreed to photos and video."))
    return values


def _consent_values(raw: Any, errors: dict[str, list[Any]], *, partial: bool) -> dict[str, Any]:
    """The guardian consent, checked; field errors are named guardian_consent.<field>."""
    if not isinstance(raw, Mapping) or (not partial and not any(raw.get(f) for f in _CONSENT_FIELDS[:3])):
        errors.setdefault("guardian_consent", []).append(
            _l("Guardian consent is required: the guardian's name, their relationship to the student, "
               "the date consent was given and how."))
        return {}
    values: dict[str, Any] = {}
    checks = {
        "guardian_name": lambda v: name_error(clean_text(v), missing=_l("Enter the guardian's name."),
                                              limit=MAX_GUARDIAN_NAME),
        "relationship": lambda v: name_error(clean_text(v), missing=_l("Enter the guardian's relationship to the student."),
                                             limit=MAX_RELATIONSHIP),
        "given_on": consent_date_error,
        "method": consent_method_error,
    }
    for field, check in checks.items():
        if field not in raw:
            if partial:
                continue
            if field == "method":
                values["method"] = "paper"
                continue
        value = raw.get(field)
        if field == "method" and value in (None, "") and not partial:
            values["method"] = "paper"
            continue
        if field in ("guardian_name", "relationship"):
            value = clean_text(value)
        if field == "given_on" and isinstance(value, datetime):
            value = value.date()
        problem = check(value)
        if problem is not None:
            errors.setdefault(f"guardian_consent.{field}", []).append(problem)
        else:
            values[field] = value
    return values


def _school_for(data: Mapping[str, Any], actor: Any, errors: dict[str, list[Any]], *,
                required: bool = True) -> int | None:
    """A school user's students always belong to its own school; staff choose one."""
    if is_school_rep(actor):
        return actor.school_id
    if "school_id" not in data or data.get("school_id") in (None, ""):
        if required:
            errors.setdefault("school_id", []).append(_l("Choose a school."))
        return None
    try:
        school_id = int(data["school_id"])
    except (TypeError, ValueError):
        school_id = None
    if school_id is None or db.session.get(School, school_id) is None:
        errors.setdefault("school_id", []).append(_l("The school was not found."))
        return None
    return school_id


# --- the service functions ----------------------------------------------------------------------

def get_student(student_id: Any, *, actor: Any) -> Student:
    """The student, if the actor may see it; erased students and other schools' students are 404."""
    try:
        ident = int(student_id)
    except (TypeError, ValueError):
        ident = None
    return load_student(actor, ident)


def create_student(data: Mapping[str, Any], *, actor: Any) -> Student:
    """Add a student to a roster; refused without complete guardian consent."""
    check_roster_actor(actor)
    errors: dict[str, list[Any]] = {}
    values = _student_values(data, errors, partial=False)
    consent = _consent_values(data.get("guardian_consent"), errors, partial=False)
    school_id = _school_for(data, actor, errors)
    if errors:
        raise OutreachError(INVALID, fields=errors)
    student = Student(school_id=school_id, **values)
    student.consent = GuardianConsent(guardian_name=consent["guardian_name"],
                                      relationship_to_student=consent["relationship"],
                                      given_on=consent["given_on"], method=consent.get("method", "paper"),
                                      recorded_by_id=getattr(actor, "id", None))
    db.session.add(student)
    db.session.flush()
    announce(student_changed, student.id, actor=actor, action="student.created", subject=student,
             details={"school_id": school_id}, change="created")
    return student


def update_student(student: Student, data: Mapping[str, Any], *, actor: Any) -> Student:
    """Change a student's fields or consent details; only the keys given are changed."""
    check_roster_actor(actor)
    check_student(actor, student)
    errors: dict[str, list[Any]] = {}
    values = _student_values(data, errors, partial=True)
    consent: dict[str, Any] = {}
    if "guardian_consent" in data:
        consent = _consent_values(data.get("guardian_consent"), errors,
                                  partial=student.consent is not None)
    school_id = student.school_id
    if is_staff(actor) and data.get("school_id") not in (None, ""):
        school_id = _school_for(data, actor, errors)
    if errors:
        raise OutreachError(INVALID, fields=errors)
    for field, value in values.items():
        setattr(student, field, value)
    if school_id is not None:
        student.school_id = school_id
    if consent:
        if student.consent is None:
            student.consent = GuardianConsent(given_on=consent["given_on"], recorded_by_id=getattr(actor, "id", None))
        row = student.consent
        if "guardian_name" in consent:
            row.guardian_name = consent["guardian_name"]
        if "relationship" in consent:
            row.relationship_to_student = consent["relationship"]
        if "given_on" in consent:
            row.given_on = consent["given_on"]
        if "method" in consent:
            row.method = consent["method"]
    db.session.flush()
    announce(student_changed, student.id, actor=actor, action="student.updated", subject=student,
             details={"school_id": student.school_id,
                      "fields": sorted([*values, *(f"guardian_consent.{k}" for k in consent)])}, change="updated")
    return student


def upcoming_signups(student: Student) -> list[Any]:
    """Live sign-ups to workshops that have not started: cancelled when the student is erased."""
    return list(db.session.scalars(
        select(Signup).join(Workshop, Workshop.id == Signup.workshop_id)
        .where(Signup.student_id == student.id, Signup.status.in_(("confirmed", "waitlisted")),
               Workshop.status != "cancelled", Workshop.starts_at > utcnow())
        .order_by(Workshop.starts_at, Signup.id)))


def erase_student(student: Student, *, actor: Any, reason: str = "withdrawn") -> Student:
    """Consent withdrawn: the names and the guardian's details are removed for good.

    The row stays, with school, grade and gender, so that past sign-ups and attendance remain as
    anonymous records and the programme's figures do not change. Sign-ups to workshops that have
    not started are cancelled, so the seats go to the waitlist. The guardian consent row keeps
    only when and how consent was given and when it was withdrawn. `reason`: withdrawn (someone asked),
    retention (the retention period ended: outreach/students/retention.py) or restore (erased again after a
    backup from before the erasure was restored). The student is added to the erasure list (outreach/storage.py).
    """
    check_roster_actor(actor)
    check_student(actor, student)
    cancelled = 0
    for signup in upcoming_signups(student):
        signups.cancel(signup.id, actor=actor)
        cancelled += 1
    now = utcnow()
    notifications.forget_name(student.school_id, student.full_name)  # a notice or a reminder named the child
    student.first_name = None
    student.last_name = None
    student.name_folded = None
    student.erased_at = now
    if student.consent is not None:
        student.consent.guardian_name = None
        student.consent.relationship_to_student = None
        student.consent.withdrawn_at = now
    # an import preview of the school waiting for confirmation may hold the child's name
    purge_school_previews(student.school_id)
    searches.forget_all()  # a held search may be the child's name
    db.session.flush()
    storage.erased(db.session, erasure_record(student))  # on SQLite: the WAL is checkpointed once this commits
    details = {"school_id": student.school_id, "upcoming_signups_cancelled": cancelled}
    if reason != "withdrawn":
        details["reason"] = reason
    announce(student_changed, student.id, actor=actor, action="student.erased", subject=student,
             details=details, change="erased")
    return student


def erasure_record(student: Student) -> dict:
    """What the erasure list keeps of an erased student: its id and when its row was made (an id alone could
    name another child in a database restored from before that id was given out), never a name."""
    return {"student_id": student.id, "created_at": student.created_at.isoformat(),
            "erased_at": (student.erased_at or utcnow()).isoformat()}


def students_query(user: Any, *, school_id: int | None = None, q: str | None = None,
                   grade: int | None = None) -> Select:
    """The students this user may see (never erased ones), filtered, in name order."""
    query = scoped_students(user).options(joinedload(Student.consent))
    if school_id is not None:
        query = query.where(Student.school_id == school_id)
    if grade is not None:
        query = query.where(Student.grade == grade)
    for word in fold(q).split() if q else ():
        query = query.where(Student.name_folded.contains(word, autoescape=True))
    return query.order_by(stored_order(Student), Student.id)
