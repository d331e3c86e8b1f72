"""Who may do what: roles on views, object checks and scoped queries. The one place for access rules.

Nothing outside this module compares role strings: views declare their roles with `role_required(...)`
(the route × role table tests them) and ask the questions below; services and queries start from the
scoped SELECTs (`visible_workshops(user)`, `visible_signups(user)`, `visible_students(user)`, ...).
An object of another school or funder is always "not found", never "forbidden".
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import contains_eager

from outreach.auth.models import Invitation, User
from outreach.extensions import db, login_manager
from outreach.initiatives.models import Initiative, initiative_funder
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop

ADMIN, COORDINATOR, SCHOOL, FUNDER = "admin", "coordinator", "school", "funder"
#: a teaching artist bound to one artist record: its own workshops, their attendance and its own hours only.
#: Not in ALL_ROLES: a page open to "every signed-in role" stays closed to artists unless it names them.
ARTIST = "artist"
STAFF = (ADMIN, COORDINATOR)
ALL_ROLES = (ADMIN, COORDINATOR, SCHOOL, FUNDER)
#: who takes attendance (artists: of their own workshops only, see can_take_attendance)
TAKES_ATTENDANCE = (ADMIN, COORDINATOR, ARTIST)


class _System:
    """The programme itself acting from a command (retention, a restore re-applying erasures): no account, staff's
    reach. Only commands use it; no request can be it."""

    id = None
    role = ADMIN
    school_id = funder_id = artist_id = None
    is_authenticated = True
    locale = "en"

    def __repr__(self) -> str:
        return "<the system>"


SYSTEM = _System()


def role_required(*roles: str) -> Callable:
    """Only signed-in users with one of these roles; others get 403 (anonymous: the sign-in page)."""
    allowed = set(roles or ALL_ROLES)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role(current_user, allowed):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


def has_role(user: Any, roles: Any) -> bool:
    """Whether the user's role is one of `roles` (what `role_required` and the API's `require_role` check)."""
    return getattr(user, "role", None) in roles


def is_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.role in STAFF)


def can_see_school(user: Any, school_id: int | None) -> bool:
    if is_staff(user):
        return True
    return user.role == SCHOOL and school_id is not None and user.school_id == school_id


def can_see_student(user: Any, student: Any) -> bool:
    """Names of children: staff, and the student's own school. Never funders; never erased students."""
    if student is None or student.erased_at is not None:
        return False
    return can_see_school(user, student.school_id)


def can_see_initiative(user: Any, initiative: Any) -> bool:
    if initiative is None:
        return False
    if user.role in STAFF or user.role == SCHOOL:
        return True
    if user.role == FUNDER:
        return any(f.id == user.funder_id for f in initiative.funders)
    return False


def visible_initiatives(user: Any) -> Select:
    """A SELECT of the initiatives this user may see."""
    query = select(Initiative)
    if user.role == FUNDER:
        query = query.where(Initiative.id.in_(
            select(initiative_funder.c.initiative_id).where(initiative_funder.c.funder_id == user.funder_id)))
    return query


def scoped_students(user: Any) -> Select:
    """A SELECT of the (not erased) students whose names this user may see."""
    query = select(Student).where(Student.erased_at.is_(None))
    if user.role == SCHOOL:
        return query.where(Student.school_id == user.school_id)
    if user.role in STAFF:
        return query
    return query.where(False)


visible_students = scoped_students


# --- who is who -------------------------------------------------------------------------------------------

def is_school_rep(user: Any) -> bool:
    return getattr(user, "role", None) == SCHOOL


def is_funder(user: Any) -> bool:
    return getattr(user, "role", None) == FUNDER


def is_artist(user: Any) -> bool:
    return getattr(user, "role", None) == ARTIST


def own_artist_id(user: Any) -> int | None:
    """The artist record a teaching artist's account is bound to; None for everyone else."""
    return user.artist_id if is_artist(user) else None


def can_take_attendance(user: Any, workshop: Any) -> bool:
    """Staff for every workshop; a teaching artist for its own workshops only."""
    if workshop is None:
        return False
    if is_staff(user):
        return True
    return is_artist(user) and user.artist_id is not None and workshop.artist_id == user.artist_id


def sees_artist_hours(user: Any, artist_id: int) -> bool:
    """An artist's delivered hours: staff, and the artist itself."""
    return is_staff(user) or (is_artist(user) and user.artist_id == artist_id)


def own_school_id(user: Any) -> int | None:
    """The school a school representative acts for; None for everyone else."""
    return user.school_id if is_school_rep(user) else None


def keeps_rosters(user: Any) -> bool:
    """Staff and school representatives see students by name and sign them up; funders never do."""
    return getattr(user, "role", None) in (*STAFF, SCHOOL)


def may_change_after_start(user: Any) -> bool:
    """Staff may still add and cancel sign-ups once a workshop has started; schools may not."""
    return getattr(user, "role", None) in STAFF


def sees_reports(user: Any) -> bool:
    """Impact reports: coordinators and administrators (exact figures) and funders (suppressed)."""
    return getattr(user, "role", None) in (*STAFF, FUNDER)


def sees_exact_figures(user: Any) -> bool:
    """Exact figures, the per-school table and the sign-up export are for staff; funders see protected figures
    (outreach/reports/privacy.py)."""
    return getattr(user, "role", None) in STAFF


def sees_seat_counts(user: Any) -> bool:
    """A workshop's confirmed and waitlisted counts (seats taken, seats left, waitlist) are a small group of
    children: not for funders, who get children's counts only through the impact report's protections."""
    return not is_funder(user)


def sees_schools_directory(user: Any) -> bool:
    return not is_funder(user)


def home_page(user: Any) -> str:
    """Which dashboard a user gets: "staff", "school", "funder" or "artist"."""
    return "staff" if is_staff(user) else user.role


# --- workshops and sign-ups -------------------------------------------------------------------------------

def visible_workshops(user: Any) -> Select:
    """A SELECT of the workshops this user may see: staff all; a funder those of the initiatives it funds;
    a school every workshop that is not cancelled, and the cancelled ones its students were signed up to."""
    query = select(Workshop)
    if user.role == FUNDER:
        return query.where(Workshop.initiative_id.in_(
            select(initiative_funder.c.initiative_id).where(initiative_funder.c.funder_id == user.funder_id)))
    if user.role == SCHOOL:
        mine = select(Signup.workshop_id).join(Student, Student.id == Signup.student_id).where(
            Student.school_id == user.school_id)
        return query.where(or_(Workshop.status != "cancelled", Workshop.id.in_(mine)))
    if user.role in STAFF:
        return query
    if user.role == ARTIST:
        return query.where(Workshop.artist_id == user.artist_id)
    return query.where(false())


def can_see_workshop(user: Any, workshop: Any) -> bool:
    if workshop is not None and is_artist(user):
        return can_take_attendance(user, workshop)
    if workshop is None or not can_see_initiative(user, workshop.initiative):
        return False
    if user.role == SCHOOL and workshop.status == "cancelled":
        return db.session.scalar(visible_workshops(user).where(Workshop.id == workshop.id)
                                 .with_only_columns(Workshop.id)) is not None
    return True


def feed_workshops_scope(user: Any) -> Select | None:
    """The workshops of a user's calendar feed before the time window: staff all, a school those its students
    are confirmed for; None for anyone without a feed (funders)."""
    query = select(Workshop)
    if user.role == SCHOOL:
        return query.where(Workshop.id.in_(
            select(Signup.workshop_id).join(Student, Student.id == Signup.student_id)
            .where(Student.school_id == user.school_id, Signup.status == "confirmed")))
    if user.role in STAFF:
        return query
    if user.role == ARTIST:
        return query.where(Workshop.artist_id == user.artist_id)
    return None


def visible_signups(user: Any) -> Select:
    """A SELECT of the sign-ups this user may see, joined to (and loading) their students: staff all,
    a school its own students', funders none."""
    query = select(Signup).join(Signup.student).options(contains_eager(Signup.student))
    if user.role in STAFF:
        return query
    if user.role == SCHOOL:
        return query.where(Student.school_id == user.school_id)
    if user.role == ARTIST:  # the confirmed students of its own workshops, nobody else of any roster
        return query.where(Signup.status == "confirmed", Signup.workshop_id.in_(
            select(Workshop.id).where(Workshop.artist_id == user.artist_id)))
    return query.where(false())


def can_see_signup(user: Any, signup: Any) -> bool:
    if signup is None:
        return False
    if user.role in STAFF:
        return True
    return user.role == SCHOOL and signup.student.school_id == user.school_id


def may_sign_up(user: Any, student: Any) -> bool:
    """Whether the user may sign this (not erased) student up: staff any, a school its own."""
    if student is None or student.erased_at is not None:
        return False
    if user.role in STAFF:
        return True
    return user.role == SCHOOL and student.school_id == user.school_id


def may_make_certificates(user: Any, school_id: int | None) -> bool:
    """Certificates of participation name children: staff for any school, a school representative for its own;
    never funders or teaching artists."""
    return school_id is not None and (is_staff(user) or (is_school_rep(user) and user.school_id == school_id))


def representatives_of(school_ids: Any) -> Select:
    """A SELECT of the users who act for these schools (school representatives), active or not."""
    return select(User).where(User.school_id.in_(list(school_ids)), User.role == SCHOOL)


def visible_schools(user: Any) -> Select:
    """A SELECT of the schools this user may see: staff all, a school representative its own, others none."""
    query = select(School)
    if user.role in STAFF:
        return query
    if user.role == SCHOOL:
        return query.where(School.id == user.school_id)
    return query.where(false())


# -- accounts, invitations, funders, the audit log ------------------------------------------------------------

def invitable_roles(user: Any) -> tuple[str, ...]:
    """Roles this user may invite: coordinators invite school and funder representatives and teaching artists
    (from the artist's page), admins anyone."""
    if not (user and getattr(user, "is_authenticated", False)):
        return ()
    if user.role == ADMIN:
        return (ADMIN, COORDINATOR, SCHOOL, FUNDER, ARTIST)
    if user.role == COORDINATOR:
        return (SCHOOL, FUNDER, ARTIST)
    return ()


def can_invite(user: Any, role: str) -> bool:
    return role in invitable_roles(user)


def can_manage_invitation(user: Any, invitation: Any) -> bool:
    """Resend or revoke: whoever may invite the invited account's role."""
    return invitation is not None and can_invite(user, invitation.user.role)


def visible_invitations(user: Any) -> Select:
    """A SELECT of the invitations this user may see, resend and revoke."""
    return (select(Invitation).join(User, User.id == Invitation.user_id)
            .where(User.role.in_(invitable_roles(user) or ("-",))))


def can_manage_accounts(user: Any) -> bool:
    """The accounts pages: list, change role and organisation, deactivate and reactivate (admins only)."""
    return bool(user and getattr(user, "is_authenticated", False) and user.role == ADMIN)


def can_change_account(user: Any, account: Any) -> bool:
    """Admins change other accounts; nobody demotes or deactivates themself (there must stay an admin)."""
    return can_manage_accounts(user) and account is not None and account.id != user.id


def can_manage_funders(user: Any) -> bool:
    return is_staff(user)


def can_read_audit_log(user: Any) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.role == ADMIN)


def get_or_404(model: Any, ident: Any, check: Callable[[Any, Any], bool] | None = None, user: Any = None) -> Any:
    """Load an object, answering 404 when it is missing or the user may not see it."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    if check is not None and not check(user if user is not None else current_user, obj):
        abort(404)
    return obj
