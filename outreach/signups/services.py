"""Signing students up to workshops: seats first come, first served; the rest wait in order.

Every change to a workshop's seats or waitlist first locks the workshop row (a no-op UPDATE:
a row lock on PostgreSQL, the write lock on SQLite), so concurrent requests for one workshop are
serialised; the seat itself is then claimed with one conditional UPDATE (STYLE.md, rule 4).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from sqlalchemy import select, update

from outreach.dbtypes import utcnow
from outreach.errors import Conflict, NotFound, OutreachError
from outreach.extensions import db
from outreach.i18n import _l
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop


@dataclass
class SignupResult:
    signup: Signup
    created: bool


def lock_workshop(workshop_id: int) -> Workshop:
    """Take the workshop's row lock for the rest of the transaction and return it fresh."""
    result = db.session.execute(
        update(Workshop).where(Workshop.id == workshop_id).values(seats_taken=Workshop.seats_taken)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise NotFound(_l("The workshop was not found."))
    workshop = db.session.get(Workshop, workshop_id, populate_existing=True)
    assert workshop is not None
    return workshop


def _claim_seat(workshop_id: int) -> bool:
    """One conditional UPDATE: True when a seat was free and is now ours."""
    result = db.session.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id, Workshop.seats_taken + 1 <= Workshop.capacity,
               Workshop.waitlist_length == 0)
        .values(seats_taken=Workshop.seats_taken + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _join_waitlist(workshop_id: int) -> int:
    """Append to the waitlist and return the new position."""
    return db.session.execute(
        update(Workshop).where(Workshop.id == workshop_id)
        .values(waitlist_length=Workshop.waitlist_length + 1)
        .returning(Workshop.waitlist_length)
        .execution_options(synchronize_session=False)).scalar_one()


def check_signup_rules(workshop: Workshop, students: Sequence[Student], *, actor: Any) -> None:
    """The rules of the contract, in its order: cancelled/started (409), then grades (422)."""
    if workshop.status == "cancelled":
        raise Conflict(_l("This workshop was cancelled; no one can sign up to it."), code="workshop_cancelled")
    if actor.role == "school" and workshop.has_started():
        raise Conflict(_l("This workshop has already started; sign-ups are closed."), code="workshop_started")
    outside = [s for s in students if not workshop.min_grade <= s.grade <= workshop.max_grade]
    if outside:
        raise OutreachError(
            _l("This workshop is for grades %(low)s to %(high)s; %(n)s of the chosen students are in other grades.",
               low=workshop.min_grade, high=workshop.max_grade, n=len(outside)),
            code="grade_out_of_range")


def load_students(student_ids: Iterable[int], *, actor: Any) -> list[Student]:
    """The students, in the order given; any unknown, erased or other school's student is 404."""
    ids = list(dict.fromkeys(int(i) for i in student_ids))
    found = {s.id: s for s in db.session.scalars(select(Student).where(Student.id.in_(ids)))}
    students = []
    for ident in ids:
        student = found.get(ident)
        if student is None or student.erased_at is not None or (
                actor.role == "school" and student.school_id != actor.school_id):
            raise NotFound(_l("One of the students was not found."), code="student_not_found")
        students.append(student)
    return students


def register(workshop_id: int, student_ids: Iterable[int], *, actor: Any) -> list[SignupResult]:
    """Sign students up, all or nothing; returns one result per student, in the order given."""
    if db.session.get(Workshop, workshop_id) is None:
        raise NotFound(_l("The workshop was not found."))
    students = load_students(student_ids, actor=actor)
    workshop = lock_workshop(workshop_id)
    check_signup_rules(workshop, students, actor=actor)
    existing = {s.student_id: s for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.student_id.in_([s.id for s in students]),
        Signup.status != "cancelled"))}
    results: list[SignupResult] = []
    now = utcnow()
    for student in students:
        if student.id in existing:
            results.append(SignupResult(existing[student.id], False))
            continue
        signup = Signup(workshop_id=workshop_id, student_id=student.id, created_by_id=getattr(actor, "id", None),
                        created_at=now)
        if _claim_seat(workshop_id):
            signup.status, signup.confirmed_at = "confirmed", now
        else:
            signup.status, signup.waitlist_position = "waitlisted", _join_waitlist(workshop_id)
        db.session.add(signup)
        results.append(SignupResult(signup, True))
    db.session.flush()
    db.session.refresh(workshop)
    return results


def _close_gap(workshop_id: int, position: int) -> None:
    """Everyone behind `position` moves up one place."""
    db.session.execute(
        update(Signup).where(Signup.workshop_id == workshop_id, Signup.status == "waitlisted",
                             Signup.waitlist_position > position)
        .values(waitlist_position=Signup.waitlist_position - 1).execution_options(synchronize_session=False))
    db.session.execute(
        update(Workshop).where(Workshop.id == workshop_id)
        .values(waitlist_length=Workshop.waitlist_length - 1).execution_options(synchronize_session=False))


def promote_waitlist(workshop_id: int) -> list[Signup]:
    """Give free seats to the head of the waitlist, in order. Call with the workshop locked."""
    workshop = db.session.get(Workshop, workshop_id, populate_existing=True)
    free = workshop.capacity - workshop.seats_taken
    count = min(free, workshop.waitlist_length)
    if count <= 0:
        return []
    promoted = list(db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.status == "waitlisted",
        Signup.waitlist_position <= count).order_by(Signup.waitlist_position)))
    now = utcnow()
    for signup in promoted:
        signup.status, signup.waitlist_position, signup.confirmed_at = "confirmed", None, now
    db.session.flush()
    db.session.execute(
        update(Signup).where(Signup.workshop_id == workshop_id, Signup.status == "waitlisted")
        .values(waitlist_position=Signup.waitlist_position - count).execution_options(synchronize_session=False))
    db.session.execute(
        update(Workshop).where(Workshop.id == workshop_id)
        .values(seats_taken=Workshop.seats_taken + count, waitlist_length=Workshop.waitlist_length - count)
        .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(workshop)
    for signup in promoted:
        db.session.refresh(signup)
    _notify_promoted(promoted)
    return promoted


def _notify_promoted(promoted: list[Signup]) -> None:
    if not promoted:
        return
    from outreach.notifications import services as notifications

    notifications.signups_promoted(promoted)


def cancel(signup_id: int, *, actor: Any) -> tuple[Signup, Signup | None]:
    """Cancel a sign-up; a freed seat goes to the head of the waitlist in the same transaction."""
    signup = db.session.get(Signup, signup_id)
    if signup is None or (actor.role == "school" and signup.student.school_id != actor.school_id):
        raise NotFound(_l("The sign-up was not found."))
    workshop = lock_workshop(signup.workshop_id)
    db.session.refresh(signup)
    if signup.status == "cancelled":
        raise Conflict(_l("This sign-up is already cancelled."), code="already_cancelled")
    if actor.role == "school" and workshop.has_started():
        raise Conflict(_l("This workshop has already started; sign-ups can no longer be cancelled."),
                       code="workshop_started")
    was_confirmed, position = signup.status == "confirmed", signup.waitlist_position
    signup.status, signup.waitlist_position = "cancelled", None
    signup.cancelled_at, signup.cancelled_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    promoted: Signup | None = None
    if was_confirmed:
        db.session.execute(update(Workshop).where(Workshop.id == workshop.id)
                           .values(seats_taken=Workshop.seats_taken - 1).execution_options(synchronize_session=False))
        db.session.flush()
        if workshop.status != "cancelled":
            promoted_list = promote_waitlist(workshop.id)
            promoted = promoted_list[0] if promoted_list else None
    elif position is not None:
        _close_gap(workshop.id, position)
    db.session.flush()
    db.session.refresh(workshop)
    return signup, promoted
