"""Who may do what: roles on views, and object checks. The one place for access rules."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from outreach.extensions import db, login_manager

ADMIN, COORDINATOR, SCHOOL, FUNDER = "admin", "coordinator", "school", "funder"
STAFF = (ADMIN, COORDINATOR)
ALL_ROLES = (ADMIN, COORDINATOR, SCHOOL, FUNDER)


def role_required(*roles: str) -> Callable:
    """Only signed-in users with one of these roles; others get 403 (anonymous: the sign-in page)."""
    allowed = set(roles or ALL_ROLES)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


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
    from outreach.initiatives.models import Initiative, initiative_funder

    query = select(Initiative)
    if user.role == FUNDER:
        query = query.where(Initiative.id.in_(
            select(initiative_funder.c.initiative_id).where(initiative_funder.c.funder_id == user.funder_id)))
    return query


def scoped_students(user: Any) -> Select:
    """A SELECT of the (not erased) students whose names this user may see."""
    from outreach.students.models import Student

    query = select(Student).where(Student.erased_at.is_(None))
    if user.role == SCHOOL:
        return query.where(Student.school_id == user.school_id)
    if user.role in STAFF:
        return query
    return query.where(False)


# -- accounts, invitations, funders, the audit log ------------------------------------------------------------

def invitable_roles(user: Any) -> tuple[str, ...]:
    """Roles this user may invite: coordinators invite school and funder representatives, admins anyone."""
    if not (user and getattr(user, "is_authenticated", False)):
        return ()
    if user.role == ADMIN:
        return (ADMIN, COORDINATOR, SCHOOL, FUNDER)
    if user.role == COORDINATOR:
        return (SCHOOL, FUNDER)
    return ()


def can_invite(user: Any, role: str) -> bool:
    return role in invitable_roles(user)


def can_manage_invitation(user: Any, invitation: Any) -> bool:
    """Resend or revoke: whoever may invite the invited account's role."""
    return invitation is not None and can_invite(user, invitation.user.role)


def visible_invitations(user: Any) -> Select:
    """A SELECT of the invitations this user may see, resend and revoke."""
    from outreach.auth.models import Invitation, User

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
