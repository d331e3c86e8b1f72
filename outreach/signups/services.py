"""Signing students up to workshops: seats first come, first served; the rest wait in order.

Every change to a workshop's seats or waitlist first locks the workshop row (a no-op UPDATE:
a row lock on PostgreSQL, the write lock on SQLite), so concurrent requests for one workshop are
serialised; the seat itself is then claimed with one conditional UPDATE (STYLE.md, rule 4), backed by
the CHECK on seats_taken and the partial UNIQUE index on live sign-ups.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Sequence

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import contains_eager

from outreach.access import keeps_rosters, load_signup, may_change_after_start, may_sign_up, visible_signups
from outreach.collation import by_name, sort_key
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import Conflict, NotFound, OutreachError
from outreach.events import announce, signup_changed
from outreach.extensions import db
from outreach.i18n import _, _l, ngettext
from outreach.signups.models import Signup
from outreach.students.models import Student, fold
from outreach.venues.models import Venue
from outreach.workshops.models import Workshop, WorkshopSeries

@dataclass
class SignupResult:
    signup: Signup
    created: bool


# -- the seat claim ------------------------------------------------------------------------------------------

def _seat_update(workshop_id: int, **values: Any):
    """UPDATE workshop ... that leaves updated_at alone: seats are not an edit of the workshop."""
    return (update(Workshop).where(Workshop.id == workshop_id)
            .values(updated_at=Workshop.updated_at, **values)
            .execution_options(synchronize_session=False))


def lock_workshop(workshop_id: int) -> Workshop:
    """Take the workshop's row lock for the rest of the transaction and return it fresh."""
    db.session.flush()  # pending changes first: the fresh load below must not overwrite them
    result = db.session.execute(_seat_update(workshop_id, seats_taken=Workshop.seats_taken))
    if result.rowcount != 1:
        raise NotFound(_l("The workshop was not found."), code="workshop_not_found")
    workshop = db.session.get(Workshop, workshop_id, populate_existing=True)
    assert workshop is not None
    return workshop


def _claim_seat(workshop_id: int) -> bool:
    """One conditional UPDATE: True when a seat was free (and nobody waiting) and is now ours."""
    result = db.session.execute(
        _seat_update(workshop_id, seats_taken=Workshop.seats_taken + 1)
        .where(Workshop.seats_taken + 1 <= Workshop.capacity, Workshop.waitlist_length == 0))
    return result.rowcount == 1


def _join_waitlist(workshop_id: int) -> int:
    """Append to the waitlist and return the new position."""
    return db.session.execute(
        _seat_update(workshop_id, waitlist_length=Workshop.waitlist_length + 1)
        .returning(Workshop.waitlist_length)).scalar_one()


# -- rules ---------------------------------------------------------------------------------------------------

def can_sign_up(workshop: Workshop, actor: Any, now: datetime | None = None) -> bool:
    """Whether the actor may add sign-ups to this workshop at all (grades aside)."""
    if workshop.status == "cancelled":
        return False
    return may_change_after_start(actor) or not workshop.has_started(now)


def can_cancel(signup: Signup, actor: Any, now: datetime | None = None) -> bool:
    """Whether the actor may cancel this (visible) sign-up now."""
    if signup.status == "cancelled":
        return False
    return may_change_after_start(actor) or not signup.workshop.has_started(now)


def check_signup_rules(workshop: Workshop, students: Sequence[Student], *, actor: Any) -> None:
    """The rules of the contract, in its order: cancelled/started (409), then grades (422)."""
    if workshop.status == "cancelled":
        raise Conflict(_l("This workshop was cancelled; no one can sign up to it."), code="workshop_cancelled")
    if not may_change_after_start(actor) and workshop.has_started():
        raise Conflict(_l("This workshop has already started; sign-ups are closed."), code="workshop_started")
    outside = [s for s in students if not workshop.min_grade <= s.grade <= workshop.max_grade]
    if outside:
        message = ngettext(
            "This workshop is for grades %(low)s to %(high)s; %(num)s of the chosen students is in another grade.",
            "This workshop is for grades %(low)s to %(high)s; %(num)s of the chosen students are in other grades.",
            len(outside), low=workshop.min_grade, high=workshop.max_grade)
        raise OutreachError(message, code="grade_out_of_range", fields={"student_ids": [message]})


def load_students(student_ids: Iterable[Any], *, actor: Any) -> list[Student]:
    """The students, in the order given; any unknown, erased or other school's student is 404."""
    try:
        ids = list(dict.fromkeys(int(i) for i in student_ids))
    except (TypeError, ValueError):
        raise OutreachError(_l("Choose students from the list."), code="invalid",
                            fields={"student_ids": [_l("Choose students from the list.")]}) from None
    if not ids:
        raise OutreachError(_l("Choose at least one student."), code="no_students",
                            fields={"student_ids": [_l("Choose at least one student.")]})
    found = {s.id: s for s in db.session.scalars(select(Student).where(Student.id.in_(ids)))}
    students = []
    for ident in ids:
        student = found.get(ident)
        if student is None or not may_sign_up(actor, student):
            raise NotFound(_l("One of the students was not found."), code="student_not_found")
        students.append(student)
    return students


# -- changes -------------------------------------------------------------------------------------------------

def register(workshop_id: int, student_ids: Iterable[Any], *, actor: Any) -> list[SignupResult]:
    """Sign students up, all or nothing; returns one result per student, in the order given.

    A student who already has a live sign-up gets it back (created=False) instead of a second one.
    """
    if not keeps_rosters(actor):
        raise NotFound(_l("The workshop was not found."), code="workshop_not_found")
    if db.session.get(Workshop, workshop_id) is None:
        raise NotFound(_l("The workshop was not found."), code="workshop_not_found")
    students = load_students(student_ids, actor=actor)
    workshop = lock_workshop(workshop_id)
    check_signup_rules(workshop, students, actor=actor)
    if workshop.seats_left and workshop.waitlist_length:
        promote_waitlist(workshop_id)  # seats freed without promotion (should not happen): waiting students first
    existing = {s.student_id: s for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.student_id.in_([s.id for s in students]),
        Signup.status != "cancelled").execution_options(populate_existing=True))}
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
    created = [r.signup for r in results if r.created]
    announce(signup_changed, workshop_id, actor=actor, action="signup.created" if created else None,
             subject=workshop, details={"confirmed": sum(1 for s in created if s.status == "confirmed"),
                                        "waitlisted": sum(1 for s in created if s.status == "waitlisted"),
                                        "signup_ids": [s.id for s in created]})
    return results


def _close_gap(workshop_id: int, position: int) -> None:
    """Everyone behind `position` moves up one place."""
    db.session.execute(
        update(Signup).where(Signup.workshop_id == workshop_id, Signup.status == "waitlisted",
                             Signup.waitlist_position > position)
        .values(waitlist_position=Signup.waitlist_position - 1).execution_options(synchronize_session="fetch"))
    db.session.execute(_seat_update(workshop_id, waitlist_length=Workshop.waitlist_length - 1))


def promote_waitlist(workshop_id: int) -> list[Signup]:
    """Give free seats to the head of the waitlist, in order; the same sign-ups become confirmed.

    Takes the workshop's lock itself (again, if the caller already holds it: that is harmless).
    """
    workshop = lock_workshop(workshop_id)
    if workshop.status == "cancelled":
        return []
    count = min(workshop.capacity - workshop.seats_taken, workshop.waitlist_length)
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
        .values(waitlist_position=Signup.waitlist_position - len(promoted))
        .execution_options(synchronize_session="fetch"))
    # claimed with the same guard as a single seat: the CHECK constraint backs it
    result = db.session.execute(
        _seat_update(workshop_id, seats_taken=Workshop.seats_taken + len(promoted),
                     waitlist_length=Workshop.waitlist_length - len(promoted))
        .where(Workshop.seats_taken + len(promoted) <= Workshop.capacity))
    if result.rowcount != 1:  # cannot happen while we hold the lock
        raise Conflict(_l("The workshop is full."), code="workshop_full")
    db.session.flush()
    db.session.refresh(workshop)
    for signup in promoted:
        db.session.refresh(signup)
    announce(signup_changed, workshop_id, actor=None, promoted=promoted)  # the cancellation itself is audited
    return promoted


def get_signup(signup_id: int, *, actor: Any) -> Signup:
    """A sign-up the actor may see (staff: any; a school: its own students'); otherwise 404."""
    return load_signup(actor, signup_id)


def cancel(signup_id: int, *, actor: Any) -> tuple[Signup, Signup | None]:
    """Cancel a sign-up; a freed seat goes to the head of the waitlist in the same transaction."""
    signup = get_signup(signup_id, actor=actor)
    workshop = lock_workshop(signup.workshop_id)
    db.session.refresh(signup)  # its state as of the lock, not as of the first read
    if signup.status == "cancelled":
        raise Conflict(_l("This sign-up is already cancelled."), code="already_cancelled")
    if not may_change_after_start(actor) and workshop.has_started():
        raise Conflict(_l("This workshop has already started; sign-ups can no longer be cancelled."),
                       code="workshop_started")
    was_confirmed, position = signup.status == "confirmed", signup.waitlist_position
    signup.status, signup.waitlist_position = "cancelled", None
    signup.cancelled_at, signup.cancelled_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    promoted: Signup | None = None
    if was_confirmed:
        db.session.execute(_seat_update(workshop.id, seats_taken=Workshop.seats_taken - 1))
        promoted_list = promote_waitlist(workshop.id)
        promoted = promoted_list[0] if promoted_list else None
    elif position is not None:
        _close_gap(workshop.id, position)
    db.session.flush()
    db.session.refresh(workshop)
    announce(signup_changed, workshop.id, actor=actor, action="signup.cancelled", subject=signup,
             details={"workshop_id": workshop.id, "promoted_id": promoted.id if promoted else None})
    return signup, promoted


def release_erased_students(workshop_id: int, *, actor: Any) -> int:
    """Cancel the live sign-ups of erased students to a workshop that has not started.

    Erasure cancels only upcoming sign-ups; a workshop that had started and is then moved into the
    future would otherwise hold a seat for a child whose consent was withdrawn.
    """
    ids = list(db.session.scalars(
        select(Signup.id).join(Student, Student.id == Signup.student_id)
        .join(Workshop, Workshop.id == Signup.workshop_id)
        .where(Signup.workshop_id == workshop_id, Signup.status.in_(("confirmed", "waitlisted")),
               Student.erased_at.is_not(None), Workshop.status != "cancelled", Workshop.starts_at > utcnow())
        .order_by(Signup.id)))
    for signup_id in ids:
        cancel(signup_id, actor=actor)
    return len(ids)


# -- queries for the pages -----------------------------------------------------------------------------------

def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, local_tz())


def open_workshops_query(*, initiative_id: int | None = None, date_from: date | None = None,
                         date_to: date | None = None, grade: int | None = None,
                         language: str | None = None, now: datetime | None = None,
                         for_school: int | None = None, region: str | None = None,
                         locality: str | None = None) -> Select:
    """Scheduled workshops that have not started, soonest first, with the given filters (`region` and `locality`
    are the venue's; a locality as folded). `for_school`: the sessions of series made for that school come first
    (its students are offered them first)."""
    query = select(Workshop).where(Workshop.status == "scheduled", Workshop.starts_at > (now or utcnow()))
    if region or locality:
        place = select(Venue.id)
        if region:
            place = place.where(Venue.region == region)
        if locality:
            place = place.where(Venue.locality_folded == locality)
        query = query.where(Workshop.venue_id.in_(place))
    if initiative_id:
        query = query.where(Workshop.initiative_id == initiative_id)
    if date_from:
        query = query.where(Workshop.starts_at >= _local_day_start(date_from))
    if date_to:
        query = query.where(Workshop.starts_at < _local_day_start(date_to + timedelta(days=1)))
    if grade is not None:
        query = query.where(Workshop.min_grade <= grade, Workshop.max_grade >= grade)
    if language:
        query = query.where(Workshop.language == language)
    if for_school is not None:
        ours = select(WorkshopSeries.id).where(WorkshopSeries.school_id == for_school)
        return query.order_by(case((Workshop.series_id.in_(ours), 0), else_=1), Workshop.starts_at, Workshop.id)
    return query.order_by(Workshop.starts_at, Workshop.id)


def series_sessions(workshops: Sequence[Workshop], *, now: datetime | None = None) -> dict[int, list[Workshop]]:
    """{series id: its open sessions, soonest first} for the series among `workshops` (one query)."""
    ids = {w.series_id for w in workshops if w.series_id is not None}
    if not ids:
        return {}
    grouped: dict[int, list[Workshop]] = {}
    for workshop in db.session.scalars(select(Workshop).where(
            Workshop.series_id.in_(ids), Workshop.status == "scheduled", Workshop.starts_at > (now or utcnow()))
            .order_by(Workshop.starts_at, Workshop.id)):
        grouped.setdefault(workshop.series_id, []).append(workshop)
    return grouped


def open_places(*, region: str | None = None, now: datetime | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    """Where open workshops take place: the regions' codes, and the localities (folded, as written) — of `region`
    when one is chosen — for the browse filters."""
    rows = db.session.execute(
        select(Venue.region, Venue.locality_folded, func.min(Venue.locality)).join(Workshop, Workshop.venue_id == Venue.id)
        .where(Workshop.status == "scheduled", Workshop.starts_at > (now or utcnow()), Venue.region.is_not(None))
        .group_by(Venue.region, Venue.locality_folded)).all()
    regions = sorted({code for code, _folded, _name in rows})
    localities = {folded: name for code, folded, name in rows if folded and (region is None or code == region)}
    return regions, sorted(localities.items(), key=lambda item: sort_key(item[1]))


def school_summary(school_id: int | None, workshop_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Per workshop where the school has live sign-ups: how many of its students are confirmed and waitlisted,
    and their waitlist positions. Workshops without any are left out; no school (None) gives {}."""
    ids = list(workshop_ids)
    summary: dict[int, dict[str, Any]] = {}
    if school_id is None or not ids:
        return summary
    rows = db.session.execute(
        select(Signup.workshop_id, Signup.status, Signup.waitlist_position).join(Student)
        .where(Student.school_id == school_id, Signup.workshop_id.in_(ids), Signup.status != "cancelled")
        .order_by(Signup.workshop_id, Signup.waitlist_position))
    for workshop_id, status, position in rows:
        mark = summary.setdefault(workshop_id, {"confirmed": 0, "waitlisted": 0, "positions": []})
        if status == "confirmed":
            mark["confirmed"] += 1
        else:
            mark["waitlisted"] += 1
            mark["positions"].append(position)
    return summary


def roster_query(workshop: Workshop, school_id: int, *, grade: int | None = None, q: str | None = None) -> Select:
    """The school's students whose grade fits the workshop (whose name has every word of `q`), by grade and name."""
    query = select(Student).where(Student.school_id == school_id, Student.erased_at.is_(None),
                                  Student.grade.between(workshop.min_grade, workshop.max_grade))
    if grade is not None:
        query = query.where(Student.grade == grade)
    for word in fold(q).split() if q else ():
        query = query.where(Student.name_folded.contains(word, autoescape=True))
    return query.order_by(Student.grade, *by_name(Student.last_name, Student.first_name), Student.id)


def live_signups_of(workshop_id: int, student_ids: Sequence[int]) -> dict[int, Signup]:
    """The live sign-ups (confirmed or waitlisted) of these students to the workshop, by student id."""
    if not student_ids:
        return {}
    return {s.student_id: s for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.student_id.in_(list(student_ids)), Signup.status != "cancelled"))}


def signups_by_ids(ids: Sequence[int], *, actor: Any) -> list[Signup]:
    """Sign-ups the actor may see, in the order of `ids` (others are left out)."""
    if not ids:
        return []
    query = visible_signups(actor).where(Signup.id.in_(list(ids)))
    found = {s.id: s for s in db.session.scalars(query)}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


SIGNUP_WHEN = ("upcoming", "past", "all")


def school_signups_query(school_id: int, *, when: str = "upcoming", status: str | None = None,
                         now: datetime | None = None) -> Select:
    """The school's sign-ups with workshop and student loaded: upcoming soonest first, past latest first."""
    now = now or utcnow()
    query = (select(Signup).join(Signup.student).join(Signup.workshop)
             .options(contains_eager(Signup.student), contains_eager(Signup.workshop))
             .where(Student.school_id == school_id))
    if when == "upcoming":
        query = query.where(Workshop.starts_at > now).order_by(Workshop.starts_at, Workshop.id)
    elif when == "past":
        query = query.where(Workshop.starts_at <= now).order_by(Workshop.starts_at.desc(), Workshop.id)
    else:
        query = query.order_by(Workshop.starts_at.desc(), Workshop.id)
    if status:
        query = query.where(Signup.status == status)
    return query.order_by(Signup.status, Signup.waitlist_position, *by_name(Student.last_name, Student.first_name),
                          Signup.id)


def workshop_signups_query(workshop_id: int, *, actor: Any, status: str | None = None) -> Select:
    """Sign-ups of one workshop: staff see all, a school only its own students'."""
    query = (visible_signups(actor).options(contains_eager(Signup.student).joinedload(Student.school))
             .where(Signup.workshop_id == workshop_id))
    if status:
        query = query.where(Signup.status == status)
    status_order = func.coalesce(Signup.waitlist_position, 0)
    return query.order_by(Signup.status, status_order, *by_name(Student.last_name, Student.first_name), Signup.id)


def result_summary(results: Sequence[Signup]) -> str:
    """'3 confirmed, 2 on the waitlist' for the flash after a sign-up."""
    confirmed = sum(1 for s in results if s.status == "confirmed")
    waitlisted = sum(1 for s in results if s.status == "waitlisted")
    parts = []
    if confirmed:
        parts.append(ngettext("%(num)s student has a confirmed place.",
                              "%(num)s students have a confirmed place.", confirmed))
    if waitlisted:
        parts.append(ngettext("%(num)s student is on the waitlist.",
                              "%(num)s students are on the waitlist.", waitlisted))
    return " ".join(parts) or _("Nothing changed.")

