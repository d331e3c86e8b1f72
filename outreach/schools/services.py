"""The schools directory: creating and finding schools, their figures, and inviting their representatives."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from sqlalchemy import Select, case, distinct, func, select

from outreach.access import load_school, representatives_of, sees_schools_directory, visible_schools
from outreach.attendance.models import Attendance
from outreach.auth.models import Invitation, User
from outreach.collation import by_name, sort_key, stored_order
from outreach.dbtypes import utcnow
from outreach.errors import FieldErrors, Forbidden
from outreach.events import announce, school_changed
from outreach.extensions import db
from outreach.i18n import _l
from outreach.naming import casefold
from outreach.auth import invitations
from outreach.schools.models import INSTRUCTION_LANGUAGES, SETTLEMENT_TYPES, Region, School, SchoolLanguage
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop

NAME_MAX = 200
LOCALITY_MAX = 120
PERSON_NAME_MAX = 200
EMAIL_MAX = 254

def regions() -> list[Region]:
    """All regions, alphabetically by their name in the viewer's language."""
    return sorted(db.session.scalars(select(Region)), key=lambda r: sort_key(r.name))


def _text(data: Mapping[str, Any], field: str, max_length: int, errors: FieldErrors) -> str | None:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(field, _l("This field is required."))
        return None
    if not isinstance(value, str):
        errors.add(field, _l("Enter text."))
        return None
    value = " ".join(value.split())
    if len(value) > max_length:
        errors.add(field, _l("At most %(n)s characters.", n=max_length))
        return None
    return value


def _validated(data: Mapping[str, Any], creating: bool) -> dict[str, Any]:
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    if creating or "name" in data:
        clean["name"] = _text(data, "name", NAME_MAX, errors)
    if creating or "locality" in data:
        clean["locality"] = _text(data, "locality", LOCALITY_MAX, errors)
    if creating or "region" in data:
        code = data.get("region")
        if not code:
            errors.add("region", _l("This field is required."))
        elif not isinstance(code, str) or db.session.get(Region, code) is None:
            errors.add("region", _l("Choose a region from the list."))
        else:
            clean["region_code"] = code
    if creating or "settlement_type" in data:
        settlement = data.get("settlement_type")
        if not settlement:
            errors.add("settlement_type", _l("This field is required."))
        elif settlement not in SETTLEMENT_TYPES:
            errors.add("settlement_type", _l("Choose urban or rural."))
        else:
            clean["settlement_type"] = settlement
    if creating or "languages" in data:
        languages = data.get("languages")
        if not isinstance(languages, (list, tuple)) or not all(isinstance(c, str) for c in languages):
            errors.add("languages", _l("Choose the languages of instruction."))
        elif not languages:
            errors.add("languages", _l("Choose at least one language of instruction."))
        elif any(c not in INSTRUCTION_LANGUAGES for c in languages):
            errors.add("languages", _l("Only kk, ru and en are accepted."))
        else:
            clean["languages"] = list(dict.fromkeys(languages))
    errors.raise_if_any()
    return clean


def create_school(data: Mapping[str, Any], *, actor: Any) -> School:
    """A new school in the directory."""
    clean = _validated(data, creating=True)
    school = School(region_code=clean["region_code"], locality=clean["locality"],
                    settlement_type=clean["settlement_type"])
    school.set_name(clean["name"])
    school.languages = clean["languages"]
    db.session.add(school)
    db.session.flush()
    announce(school_changed, school.id, actor=actor, action="school.created", subject=school, change="created")
    return school


def update_school(school: School, data: Mapping[str, Any], *, actor: Any) -> School:
    """Change any of a school's fields; only the fields given are touched."""
    clean = _validated(data, creating=False)
    changed = []
    if "name" in clean and clean["name"] != school.name:
        school.set_name(clean["name"])
        changed.append("name")
    for key in ("region_code", "locality", "settlement_type"):
        if key in clean and getattr(school, key) != clean[key]:
            setattr(school, key, clean[key])
            changed.append("region" if key == "region_code" else key)
    if "languages" in clean and sorted(clean["languages"]) != sorted(school.languages):
        school.languages = clean["languages"]
        changed.append("languages")
    db.session.flush()
    if "region_code" in clean:
        db.session.refresh(school, ["region"])
    if changed:
        announce(school_changed, school.id, actor=actor, action="school.updated", subject=school,
                 details={"fields": changed}, change="updated", fields=changed)
    return school


def schools_query(user: Any, *, region: str | None = None, q: str | None = None,
                  settlement_type: str | None = None, language: str | None = None) -> Select:
    """Schools this user may see (a school representative: only its own), filtered, in name order.

    `q` matches any part of the name whatever its case, for Cyrillic too: it is compared casefolded
    with the stored casefolded name, because SQLite's LIKE folds only ASCII letters.
    """
    if not sees_schools_directory(user):
        raise Forbidden(_l("Funders do not see the schools directory."))
    errors = FieldErrors()
    if settlement_type is not None and settlement_type not in SETTLEMENT_TYPES:
        errors.add("settlement_type", _l("Choose urban or rural."))
    if language is not None and language not in INSTRUCTION_LANGUAGES:
        errors.add("language", _l("Only kk, ru and en are accepted."))
    errors.raise_if_any()
    query = visible_schools(user)
    if region:
        query = query.where(School.region_code == region)
    if settlement_type:
        query = query.where(School.settlement_type == settlement_type)
    if language:
        query = query.where(School.id.in_(select(SchoolLanguage.school_id).where(SchoolLanguage.language == language)))
    folded = " ".join(casefold(q).split())
    if folded:
        query = query.where(School.name_folded.contains(folded, autoescape=True))
    return query.order_by(stored_order(School), School.id)


def get_school(user: Any, school_id: int) -> School:
    """The school, or NotFound when it does not exist or is another school's."""
    return load_school(user, school_id)


def summary(school: School) -> dict[str, int]:
    """Counts only (no names): students on the roster, confirmed sign-ups (and how many are still to come),
    sign-ups waiting on upcoming workshops, sessions attended and distinct students reached."""
    roster = db.session.scalar(select(func.count()).select_from(Student).where(
        Student.school_id == school.id, Student.erased_at.is_(None))) or 0
    present = Attendance.present
    upcoming = Workshop.starts_at > utcnow()

    def count_where(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # a waitlist only matters before the workshop: past waitlisted sign-ups are left out
    row = db.session.execute(
        select(count_where(Signup.status == "confirmed"),
               count_where((Signup.status == "waitlisted") & upcoming),
               count_where((Signup.status == "confirmed") & upcoming),
               func.count(Attendance.signup_id),
               func.count(distinct(case((Attendance.signup_id.is_not(None), Signup.student_id)))))
        .select_from(Signup)
        .join(Student, Student.id == Signup.student_id)
        .join(Workshop, Workshop.id == Signup.workshop_id)
        .outerjoin(Attendance, (Attendance.signup_id == Signup.id) & present & (Signup.status == "confirmed"))
        .where(Student.school_id == school.id, Workshop.status != "cancelled")).one()
    confirmed, waitlisted, upcoming, attended, reached = (int(v or 0) for v in row)
    return {"students": roster, "confirmed": confirmed, "waitlisted": waitlisted, "upcoming_confirmed": upcoming,
            "attended": attended, "students_reached": reached}


def representatives(school: School) -> list[dict[str, Any]]:
    """The school's representatives, each with whether they have set a password and their latest invitation."""
    users = list(db.session.scalars(representatives_of([school.id]).order_by(*by_name(User.name), User.id)))
    latest: dict[int, Invitation] = {}
    if users:
        for invitation in db.session.scalars(select(Invitation).where(Invitation.user_id.in_([u.id for u in users]))
                                             .order_by(Invitation.created_at, Invitation.id)):
            latest[invitation.user_id] = invitation
    now = utcnow()
    result = []
    for user in users:
        invitation = latest.get(user.id)
        pending = invitation is not None and invitation.used_at is None and invitation.expires_at > now
        result.append({"user": user, "has_password": bool(user.password_hash), "invitation": invitation,
                       "invitation_pending": pending,
                       "invitation_expired": invitation is not None and invitation.used_at is None and not pending})
    return result


def invite_representative(school: School, data: Mapping[str, Any], *, actor: Any,
                          link_for: Callable[[str], str] | None = None) -> tuple[User, str]:
    """Invite a new person to represent the school: an account without a password, a one-time expiring link,
    and an e-mail in the invitee's language in the outbox. An address that already has an account is refused.
    Returns (user, link)."""
    return invitations.invite(dict(data), role="school", school_id=school.id, actor=actor,
                              link_for=link_for or invitations.invitation_link)
