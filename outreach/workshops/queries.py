"""Reading workshops: the lists a user may see, one workshop, its roster, the calendar feeds."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from outreach.access import (
    can_take_attendance, feed_workshops_scope, is_artist, keeps_rosters, load_workshop, visible_workshops,
)
from outreach.attendance.services import recorded
from outreach.auth.models import User
from outreach.collation import sort_key
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.signups.services import workshop_signups_query
from outreach.students.models import Student
from outreach.artists.models import Artist
from outreach.naming import fold
from outreach.venues.models import Venue
from outreach.workshops.models import Workshop
from outreach.workshops.rules import day_bounds


def workshops_query(user: Any, *, initiative_id: int | None = None, date_from: date | None = None,
                    date_to: date | None = None, status: str | None = None, region: str | None = None,
                    instructor: str | None = None, venue: str | None = None, artist_id: int | None = None,
                    venue_id: int | None = None) -> Select:
    """A SELECT of the workshops this user may see, filtered, in time order.

    Dates are local calendar days, both included. `region`: workshops with live sign-ups from schools of that
    region. `instructor`/`venue`: the records of that name, in any spelling (outreach.naming.fold); `artist_id`/
    `venue_id`: one record's workshops. Funders see only the initiatives they fund;
    a school user sees every workshop that is not cancelled, and the cancelled ones its students were signed up to.
    """
    query = visible_workshops(user)
    if initiative_id is not None:
        query = query.where(Workshop.initiative_id == initiative_id)
    start, end = day_bounds(date_from, date_to)
    if start is not None:
        query = query.where(Workshop.starts_at >= start)
    if end is not None:
        query = query.where(Workshop.starts_at < end)
    if status:
        query = query.where(Workshop.status == status)
    if region:
        query = query.where(Workshop.id.in_(
            select(Signup.workshop_id).join(Student, Student.id == Signup.student_id)
            .join(School, School.id == Student.school_id)
            .where(School.region_code == region, Signup.status != "cancelled")))
    if artist_id is not None:
        query = query.where(Workshop.artist_id == artist_id)
    if venue_id is not None:
        query = query.where(Workshop.venue_id == venue_id)
    if instructor:
        query = query.where(Workshop.artist_id.in_(select(Artist.id).where(Artist.name_folded == fold(instructor))))
    if venue:
        query = query.where(Workshop.venue_id.in_(select(Venue.id).where(Venue.name_folded == fold(venue))))
    return query.order_by(Workshop.starts_at, Workshop.id)


def next_start_or_end(now: datetime) -> datetime | None:
    """The next instant at which a workshop starts or ends (what the clock changes on the pages), or None."""
    starts = select(func.min(Workshop.starts_at)).where(Workshop.starts_at > now).scalar_subquery()
    ends = select(func.min(Workshop.ends_at)).where(Workshop.ends_at > now).scalar_subquery()
    values = [value for value in db.session.execute(select(starts, ends)).one() if value is not None]
    return min(values) if values else None


def record_choices(model: Any, *, with_place: bool = False) -> list[tuple[int, str]]:
    """(id, name) of every artist or venue, in the page's alphabet; venues with their locality when asked."""
    if with_place:
        rows = [(i, f"{n} ({place})" if place else n)
                for i, n, place in db.session.execute(select(model.id, model.name, model.locality))]
    else:
        rows = db.session.execute(select(model.id, model.name)).all()
    return sorted(((i, n) for i, n in rows), key=lambda c: (sort_key(c[1]), c[0]))


def get_workshop(user: Any, workshop_id: int) -> Workshop:
    """The workshop if this user may see it (funders: only those of initiatives they fund), else NotFound."""
    return load_workshop(user, workshop_id)


@dataclass
class Roster:
    confirmed: list[Any]
    waitlisted: list[Any]
    cancelled_count: int
    attendance: dict[int, bool]  # student id → present, once recorded


def roster(workshop: Workshop, user: Any) -> Roster | None:
    """The sign-ups this user may see by name: staff all, a school its own students only, a teaching artist the
    confirmed students of its own workshops, funders none."""
    if not (keeps_rosters(user) or can_take_attendance(user, workshop)):
        return None
    signups = db.session.scalars(workshop_signups_query(workshop.id, actor=user)).unique().all()
    confirmed = sorted((s for s in signups if s.status == "confirmed"),
                       key=lambda s: (s.student.is_erased, sort_key(s.student.last_name), sort_key(s.student.first_name),
                                      s.id))
    waitlisted = sorted((s for s in signups if s.status == "waitlisted"), key=lambda s: s.waitlist_position)
    attendance = recorded(workshop.id) if workshop.attendance_recorded_at else {}
    return Roster(confirmed, waitlisted, sum(1 for s in signups if s.status == "cancelled"), attendance)


def feed_workshops(user: Any, *, initiative_id: int | None = None) -> list[Workshop]:
    """The workshops of a user's calendar feed: staff all (from a year ago on), a school those its students are
    confirmed for. Cancelled ones stay in, marked cancelled, so calendars drop them visibly."""
    query = feed_workshops_scope(user)
    if query is None:
        return []
    query = query.where(Workshop.starts_at >= utcnow() - timedelta(days=365))
    if initiative_id is not None:
        query = query.where(Workshop.initiative_id == initiative_id)
    return list(db.session.scalars(query.order_by(Workshop.starts_at, Workshop.id)))


def feed_user(token: str) -> Any:
    """The active user whose calendar feed this is, or None (funders have no feed)."""
    if not token:
        return None
    user = db.session.scalar(select(User).where(User.feed_token == token))
    if user is None or not user.active or not (keeps_rosters(user) or is_artist(user)):
        return None
    return user

