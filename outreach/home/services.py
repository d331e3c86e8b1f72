"""What each role sees first."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select

from outreach.access import is_artist, is_funder, is_school_rep, is_staff, visible_initiatives
from outreach.artists import services as artist_services
from outreach.attendance.models import EXCUSED, Attendance
from outreach.attendance.services import lists_to_keep
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.initiatives.models import Initiative
from outreach.initiatives.services import progress_toward
from outreach.reports.services import students_reached_as_seen_by
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.signups.services import school_summary
from outreach.students.models import Student
from outreach.workshops.models import Workshop
from outreach.workshops.rules import day_bounds, local


def dashboard(user: Any) -> dict[str, Any]:
    """Headline counts and the next workshops, scoped to what the user may see."""
    now = utcnow()
    upcoming = select(Workshop).where(Workshop.starts_at >= now, Workshop.status == "scheduled")
    context: dict[str, Any] = {}
    if is_staff(user):
        context["counts"] = {
            "initiatives": db.session.scalar(select(func.count()).select_from(Initiative).where(
                Initiative.status == "active")),
            "schools": db.session.scalar(select(func.count()).select_from(School)),
            "students": db.session.scalar(select(func.count()).select_from(Student).where(
                Student.erased_at.is_(None))),
            "upcoming": db.session.scalar(select(func.count()).select_from(upcoming.subquery())),
        }
        context["attendance_due"], context["attendance_due_count"] = attendance_due(now)
        context["keep_lists"] = lists_to_keep(now)
    elif is_school_rep(user):
        context.update(school_dashboard(user, now))
        return context
    elif is_artist(user):
        context.update(artist_dashboard(user, now))
        return context
    elif is_funder(user):
        funded = visible_initiatives(user).with_only_columns(Initiative.id)
        upcoming = upcoming.where(Workshop.initiative_id.in_(funded))
        context["initiatives"] = initiatives = db.session.scalars(
            visible_initiatives(user).order_by(Initiative.starts_on.desc())).all()
        # students reached toward each target, protected as in the impact report (reports/privacy.py)
        reached = students_reached_as_seen_by(user, [i.id for i in initiatives])
        context["progress"] = {i.id: progress_toward(i.target_students, reached[i.id]) for i in initiatives}
    context["upcoming"] = db.session.scalars(upcoming.order_by(Workshop.starts_at).limit(5)).all()
    return context


ATTENDANCE_DUE_SHOWN = 8


def artist_dashboard(user: Any, now: Any) -> dict[str, Any]:
    """A teaching artist's own day and week: today's workshops (attendance to take), the next seven days, and
    the hours it delivered per month (the last six months)."""
    today = local(now).date()
    start, end = day_bounds(today, today + timedelta(days=7))
    mine = db.session.scalars(select(Workshop).where(
        Workshop.artist_id == user.artist_id, Workshop.status != "cancelled", Workshop.starts_at >= start,
        Workshop.starts_at < end).order_by(Workshop.starts_at, Workshop.id)).all()
    first_month = (today.replace(day=1) - timedelta(days=155)).replace(day=1)
    return {"today": [w for w in mine if local(w.starts_at).date() == today],
            "week": [w for w in mine if local(w.starts_at).date() != today],
            "months": artist_services.monthly_hours([user.artist_id], first_month, today),
            "artist": user.artist, "now": now}


def attendance_due(now: Any, limit: int = ATTENDANCE_DUE_SHOWN) -> tuple[list[Workshop], int]:
    """Workshops that have started, were not cancelled and have no attendance yet: the newest first, and how many."""
    due = select(Workshop).where(Workshop.starts_at <= now, Workshop.status != "cancelled",
                                 Workshop.attendance_recorded_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(due.subquery())) or 0
    shown = db.session.scalars(due.order_by(Workshop.starts_at.desc(), Workshop.id.desc()).limit(limit)).all() \
        if total else []
    return list(shown), total


def school_dashboard(user: Any, now: Any = None) -> dict[str, Any]:
    """A school's home: its roster, its students' upcoming workshops and places, past attendance in summary."""
    now = now or utcnow()
    mine_live = (select(Signup.workshop_id).join(Student)
                 .where(Student.school_id == user.school_id, Signup.status != "cancelled"))
    upcoming = (select(Workshop).where(Workshop.starts_at >= now, Workshop.status == "scheduled",
                                       Workshop.id.in_(mine_live)).order_by(Workshop.starts_at, Workshop.id))
    workshops = db.session.scalars(upcoming.limit(8)).all()
    live_upcoming = (select(Signup.status, func.count()).join(Student).join(Workshop)
                     .where(Student.school_id == user.school_id, Workshop.starts_at >= now,
                            Workshop.status == "scheduled", Signup.status != "cancelled")
                     .group_by(Signup.status))
    by_status = dict(db.session.execute(live_upcoming).all())
    # attendance of the school's confirmed places at workshops that took place and whose attendance was taken
    attended, recorded, sessions = db.session.execute(
        select(func.count(Attendance.signup_id).filter(Attendance.present),
               # excused sign-ups are left out of the rate, as in the impact report
               func.count(Signup.id).filter(or_(Attendance.status.is_(None), Attendance.status != EXCUSED)),
               func.count(func.distinct(Workshop.id)))
        .select_from(Signup).join(Student).join(Workshop).outerjoin(Attendance, Attendance.signup_id == Signup.id)
        .where(Student.school_id == user.school_id, Signup.status == "confirmed", Workshop.status != "cancelled",
               Workshop.starts_at <= now, Workshop.attendance_recorded_at.is_not(None))).one()
    return {
        "counts": {
            "students": db.session.scalar(select(func.count()).select_from(Student).where(
                Student.school_id == user.school_id, Student.erased_at.is_(None))),
            "confirmed": by_status.get("confirmed", 0),
            "waitlisted": by_status.get("waitlisted", 0),
            "upcoming": db.session.scalar(select(func.count()).select_from(upcoming.order_by(None).subquery())),
        },
        "upcoming": workshops,
        "mine": school_summary(user.school_id, [w.id for w in workshops]),
        "attendance": {"attended": attended, "confirmed": recorded, "workshops": sessions,
                       "rate": (attended / recorded) if recorded else None},
    }
