"""What each role sees first."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from outreach.access import visible_initiatives
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.initiatives.models import Initiative
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop


def dashboard(user: Any) -> dict[str, Any]:
    """Headline counts and the next workshops, scoped to what the user may see."""
    now = utcnow()
    upcoming = select(Workshop).where(Workshop.starts_at >= now, Workshop.status == "scheduled")
    context: dict[str, Any] = {}
    if user.role in ("admin", "coordinator"):
        context["counts"] = {
            "initiatives": db.session.scalar(select(func.count()).select_from(Initiative).where(
                Initiative.status == "active")),
            "schools": db.session.scalar(select(func.count()).select_from(School)),
            "students": db.session.scalar(select(func.count()).select_from(Student).where(
                Student.erased_at.is_(None))),
            "upcoming": db.session.scalar(select(func.count()).select_from(upcoming.subquery())),
        }
    elif user.role == "school":
        mine = select(Signup.workshop_id).join(Student).where(
            Student.school_id == user.school_id, Signup.status != "cancelled")
        upcoming = upcoming.where(Workshop.id.in_(mine))
        context["counts"] = {
            "students": db.session.scalar(select(func.count()).select_from(Student).where(
                Student.school_id == user.school_id, Student.erased_at.is_(None))),
            "confirmed": db.session.scalar(select(func.count()).select_from(Signup).join(Student).join(Workshop).where(
                Student.school_id == user.school_id, Signup.status == "confirmed", Workshop.starts_at >= now)),
            "waitlisted": db.session.scalar(select(func.count()).select_from(Signup).join(Student).join(Workshop).where(
                Student.school_id == user.school_id, Signup.status == "waitlisted", Workshop.starts_at >= now)),
        }
    elif user.role == "funder":
        funded = visible_initiatives(user).with_only_columns(Initiative.id)
        upcoming = upcoming.where(Workshop.initiative_id.in_(funded))
        context["initiatives"] = db.session.scalars(
            visible_initiatives(user).order_by(Initiative.starts_on.desc())).all()
    context["upcoming"] = db.session.scalars(upcoming.order_by(Workshop.starts_at).limit(5)).all()
    return context
