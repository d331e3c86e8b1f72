"""Who may do what: capabilities, object loaders and scoped queries. The one place for access rules.

`CAPABILITIES` names what a role may do at all (keeps a school's roster, schedules workshops, takes attendance,
sees the impact report ...) and which roles hold it. HTML views and API resources declare one with
`@requires(KEEP_ROSTER)`; code asks `can(user, SEE_EXACT_FIGURES)` or the questions below; the route × role table
(tests/test_routes_table.py) derives its expectations from the table. Nothing outside this module (and the
account models, the demo data and the commands) compares role strings, so a new role is a change here.
Objects are loaded through the `load_*` functions, which scope them: an object of another school or funder is
always "not found", never "forbidden". Services and queries start from the scoped SELECTs
(`visible_workshops(user)`, `visible_signups(user)`, `visible_students(user)`, ...).
"""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import contains_eager

from outreach.access.capabilities import (  # noqa: F401 (the access rules are offered from one place)
    ADMIN, COORDINATOR, SCHOOL, FUNDER, ARTIST, STAFF, SYSTEM, ROLES, Capability, SIGNED_IN,
    SEE_WORKSHOPS, FOLLOW_CALENDAR, SCHEDULE_WORKSHOPS, CHANGE_AFTER_START, TAKE_ATTENDANCE, KEEP_ROSTER,
    ACT_FOR_SCHOOL, SEE_SCHOOLS, SEE_SCHOOLS_DIRECTORY, MANAGE_SCHOOLS, SEE_INITIATIVES, MANAGE_INITIATIVES,
    MANAGE_FUNDERS, MANAGE_ARTISTS, SEE_ARTIST_HOURS, MANAGE_OUTCOMES, SEE_REPORTS, SEE_EXACT_FIGURES, INVITE,
    MANAGE_ACCOUNTS, READ_AUDIT, READ_OUTBOX, MAKE_CERTIFICATES, RECEIVE_REMINDERS, CAPABILITIES, PUBLIC, can, requires,
    capability_of, may_open, template_helpers,
)
from outreach.artists.models import Artist
from outreach.auth.models import Invitation, User
from outreach.errors import Forbidden, NotFound
from outreach.extensions import db
from outreach.i18n import _l
from outreach.initiatives.models import Initiative, initiative_funder
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop

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


def receives_reminders(user: Any) -> bool:
    """The day-before reminders and the follow-up of absences go to school representatives and teaching artists
    (outreach/notifications/daily.py); their account page turns them off."""
    return can(user, RECEIVE_REMINDERS)


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
    return can(user, KEEP_ROSTER)


def check_roster_actor(actor: Any) -> None:
    """Only those who keep rosters (staff and school representatives) change one; services call this."""
    if not keeps_rosters(actor):
        raise Forbidden(_l("You do not have access to the roster."))


def may_change_after_start(user: Any) -> bool:
    """Staff may still add and cancel sign-ups once a workshop has started; schools may not."""
    return can(user, CHANGE_AFTER_START)


def sees_reports(user: Any) -> bool:
    """Impact reports: coordinators and administrators (exact figures) and funders (suppressed)."""
    return can(user, SEE_REPORTS)


def sees_exact_figures(user: Any) -> bool:
    """Exact figures, the per-school table and the sign-up export are for staff; funders see protected figures
    (outreach/reports/privacy.py)."""
    return can(user, SEE_EXACT_FIGURES)


def sees_seat_counts(user: Any) -> bool:
    """A workshop's confirmed and waitlisted counts (seats taken, seats left, waitlist) are a small group of
    children: not for funders, who get children's counts only through the impact report's protections."""
    return can(user, FOLLOW_CALENDAR)


def sees_schools_directory(user: Any) -> bool:
    return can(user, SEE_SCHOOLS_DIRECTORY)


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


def artist_accounts(artist_ids: Any) -> Select:
    """A SELECT of the teaching artists' accounts bound to these artist records, active or not."""
    return select(User).where(User.artist_id.in_(list(artist_ids)), User.role == ARTIST)


def represents_funder() -> Any:
    """The SQL condition: the account is a funder organisation's representative (with User.funder_id)."""
    return User.role == FUNDER


#: the User column binding an account of a role to what it acts for; staff are bound to nothing
BINDINGS = {SCHOOL: "school_id", FUNDER: "funder_id", ARTIST: "artist_id"}


def bound_to(role: str) -> str | None:
    """"school_id", "funder_id" or "artist_id": what an account of this role must be bound to; None for staff."""
    return BINDINGS.get(role)


def account_managers() -> frozenset[str]:
    """The roles that manage accounts: the last active account of one of them keeps its role."""
    return MANAGE_ACCOUNTS.roles


def is_coordinator(user: Any) -> bool:
    return getattr(user, "role", None) == COORDINATOR


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


def invitable_staff_roles(user: Any) -> tuple[str, ...]:
    """The invitable roles without an organisation (school and funder representatives and teaching artists are
    invited from their school's, funder's or artist's page)."""
    return tuple(role for role in invitable_roles(user) if role in STAFF)


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
    return can(user, MANAGE_ACCOUNTS)


def can_change_account(user: Any, account: Any) -> bool:
    """Admins change other accounts; nobody demotes or deactivates themself (there must stay an admin)."""
    return can_manage_accounts(user) and account is not None and account.id != user.id


def can_manage_funders(user: Any) -> bool:
    return can(user, MANAGE_FUNDERS)


def can_read_audit_log(user: Any) -> bool:
    return can(user, READ_AUDIT)


# -- loaders: one per object type; out of scope is "not found" (the same answer as a missing row) ----------------

def load_workshop(user: Any, workshop_id: Any) -> Workshop:
    """The workshop if this user may see it (funders: of initiatives they fund; artists: their own)."""
    workshop = db.session.get(Workshop, workshop_id) if workshop_id is not None else None
    if not can_see_workshop(user, workshop):
        raise NotFound(_l("The workshop was not found."))
    return workshop


def load_workshop_to_take_attendance(user: Any, workshop_id: Any) -> Workshop:
    """A workshop whose attendance (and pupils' answers) this user takes: staff any, an artist its own."""
    workshop = load_workshop(user, workshop_id)
    if not can_take_attendance(user, workshop):
        raise NotFound(_l("The workshop was not found."))
    return workshop


def check_student(user: Any, student: Any) -> Student:
    """The (not erased) student if the user may see its name: staff, and its own school."""
    if not can_see_student(user, student):
        raise NotFound(_l("The student was not found."))
    return student


def load_student(user: Any, student_id: Any) -> Student:
    return check_student(user, db.session.get(Student, student_id) if student_id is not None else None)


def load_signup(user: Any, signup_id: Any) -> Signup:
    """A sign-up the user may see (staff: any; a school: its own students')."""
    signup = db.session.get(Signup, signup_id) if signup_id is not None else None
    if not can_see_signup(user, signup):
        raise NotFound(_l("The sign-up was not found."), code="signup_not_found")
    return signup


def load_school(user: Any, school_id: Any) -> School:
    """The school if the user may see it: staff any, a school representative its own."""
    school = db.session.get(School, school_id) if school_id is not None else None
    if school is None or not can_see_school(user, school_id):
        raise NotFound(_l("The school was not found."))
    return school


def load_initiative(user: Any, initiative_id: Any) -> Initiative:
    """The initiative if the user may see it (funders: those they fund)."""
    initiative = db.session.scalar(visible_initiatives(user).where(Initiative.id == initiative_id))
    if initiative is None:
        raise NotFound(_l("The initiative was not found."))
    return initiative


def load_artist_hours(user: Any, artist_id: Any) -> Artist:
    """The artist whose delivered hours this user may see: staff any, a teaching artist itself."""
    artist = db.session.get(Artist, artist_id) if artist_id is not None else None
    if artist is None or not sees_artist_hours(user, artist.id):
        raise NotFound(_l("The teaching artist was not found."))
    return artist


def load_account(user: Any, account_id: Any) -> User:
    """An account on the accounts pages (those who manage accounts)."""
    account = db.session.get(User, account_id) if account_id is not None else None
    if account is None or not can_manage_accounts(user):
        abort(404)
    return account
