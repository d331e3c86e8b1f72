"""Initiatives: creating, editing and archiving them, who may see which, and how far each has got."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Mapping

from sqlalchemy import Select, distinct, func, or_, select

from outreach.access import is_funder, load_initiative, visible_initiatives
from outreach.attendance.models import Attendance
from outreach.collation import by_name, stored_order
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import FieldErrors, OutreachError
from outreach.events import announce, initiative_changed
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _l, ngettext
from outreach.funders.models import Funder
from outreach.initiatives.models import Initiative, initiative_funder
from outreach.initiatives.rules import ART_FORM_INVALID, ART_FORMS, art_form_error, status_error
from outreach.reports.services import students_reached_by_initiative
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop

TITLE_MAX = 300
DESCRIPTION_MAX = 5000
TARGET_MAX = 1_000_000
FIELDS = ("title", "description", "art_form", "starts_on", "ends_on", "target_students", "funder_ids")


def _clean_text(value: Any, field: str, max_length: int, errors: FieldErrors) -> dict[str, str] | None:
    """A {kk, ru, en} value with blank languages dropped."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.add(field, _l("Enter the text as an object with kk, ru and en."))
        return None
    cleaned: dict[str, str] = {}
    for code, text in value.items():
        if code not in LANGUAGES:
            errors.add(f"{field}.{code}", _l("Only kk, ru and en are accepted."))
            continue
        if text is None:
            continue
        if not isinstance(text, str):
            errors.add(f"{field}.{code}", _l("Enter text."))
            continue
        text = text.strip()
        if len(text) > max_length:
            errors.add(f"{field}.{code}", _l("At most %(n)s characters.", n=max_length))
        elif text:
            cleaned[code] = text
    return cleaned


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validated(data: Mapping[str, Any], current: Initiative | None) -> dict[str, Any]:
    """Check the given fields (all of them for a new initiative) and return their clean values."""
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    creating = current is None

    if creating or "title" in data:
        title = _clean_text(data.get("title"), "title", TITLE_MAX, errors)
        if title is not None:
            if not title and not any(k.startswith("title.") for k in errors.fields):
                errors.add("title", _l("Enter a title in at least one language."))
            clean["title"] = title
    if creating or "description" in data:
        description = _clean_text(data.get("description"), "description", DESCRIPTION_MAX, errors)
        if description is not None:
            clean["description"] = description
    if creating or "art_form" in data:
        art_form = data.get("art_form")
        problem = art_form_error(art_form)
        if problem is not None:
            errors.add("art_form", problem)
        else:
            clean["art_form"] = art_form
    for field in ("starts_on", "ends_on"):
        if creating or field in data:
            value = data.get(field)
            if value is None:
                errors.add(field, _l("This field is required."))
            elif not isinstance(value, date) or isinstance(value, datetime):
                errors.add(field, _l("Enter a date."))
            else:
                clean[field] = value
    if creating or "target_students" in data:
        target = data.get("target_students")
        if target is not None and (not _is_int(target) or not 0 <= target <= TARGET_MAX):
            errors.add("target_students", _l("Enter a number from %(low)s to %(high)s.", low=0, high=TARGET_MAX))
        else:
            clean["target_students"] = target
    if creating or "funder_ids" in data:
        ids = data.get("funder_ids") or []
        if not isinstance(ids, (list, tuple)) or not all(_is_int(i) for i in ids):
            errors.add("funder_ids", _l("Choose funders from the list."))
        else:
            wanted = list(dict.fromkeys(ids))
            funders = db.session.scalars(select(Funder).where(Funder.id.in_(wanted))).all() if wanted else []
            if len(funders) != len(wanted):
                errors.add("funder_ids", _l("One of the chosen funders does not exist."))
            else:
                clean["funders"] = list(funders)

    starts_on = clean.get("starts_on", current.starts_on if current else None)
    ends_on = clean.get("ends_on", current.ends_on if current else None)
    if starts_on and ends_on and ends_on < starts_on:
        errors.add("ends_on", _l("The end date must not be before the start date."))
    errors.raise_if_any()

    if current is not None and ("starts_on" in clean or "ends_on" in clean):
        outside = _workshops_outside(current.id, starts_on, ends_on)
        if outside:
            message = ngettext("%(num)s workshop of this initiative takes place outside these dates; move or "
                               "cancel it first.",
                               "%(num)s workshops of this initiative take place outside these dates; move or "
                               "cancel them first.", outside)
            raise OutreachError(message, fields={"starts_on": [message], "ends_on": [message]})
    return clean


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), local_tz())


def _workshops_outside(initiative_id: int, starts_on: date, ends_on: date) -> int:
    """Scheduled or completed workshops whose local start date falls outside [starts_on, ends_on]."""
    return db.session.scalar(select(func.count()).select_from(Workshop).where(
        Workshop.initiative_id == initiative_id, Workshop.status != "cancelled",
        or_(Workshop.starts_at < _local_midnight(starts_on),
            Workshop.starts_at >= _local_midnight(ends_on + timedelta(days=1))))) or 0


def create_initiative(data: Mapping[str, Any], *, actor: Any) -> Initiative:
    """A new, active initiative; at least one title language is required."""
    clean = _validated(data, None)
    initiative = Initiative(title=clean["title"], description=clean["description"], art_form=clean["art_form"],
                            starts_on=clean["starts_on"], ends_on=clean["ends_on"],
                            target_students=clean["target_students"], status="active")
    initiative.funders = clean["funders"]
    db.session.add(initiative)
    db.session.flush()
    announce(initiative_changed, initiative.id, actor=actor, action="initiative.created", subject=initiative,
             details={"funder_ids": [f.id for f in initiative.funders]}, change="created")
    return initiative


def update_initiative(initiative: Initiative, data: Mapping[str, Any], *, actor: Any) -> Initiative:
    """Change any of the initiative's fields; only the fields given are touched."""
    clean = _validated(data, initiative)
    changed = []
    for key, value in clean.items():
        if key == "funders":
            if {f.id for f in initiative.funders} != {f.id for f in value}:
                initiative.funders = value
                changed.append("funder_ids")
        elif getattr(initiative, key) != value:
            setattr(initiative, key, value)
            changed.append(key)
    db.session.flush()
    if changed:
        announce(initiative_changed, initiative.id, actor=actor, action="initiative.updated", subject=initiative,
                 details={"fields": sorted(changed)}, change="updated")
    return initiative


def _set_status(initiative: Initiative, status: str, *, actor: Any) -> Initiative:
    if initiative.status != status:
        initiative.status = status
        db.session.flush()
        action = "initiative.archived" if status == "archived" else "initiative.restored"
        announce(initiative_changed, initiative.id, actor=actor, action=action, subject=initiative, change=status)
    return initiative


def archive_initiative(initiative: Initiative, *, actor: Any) -> Initiative:
    """Move an initiative to the archive (its workshops and figures are kept). Archiving twice changes nothing."""
    return _set_status(initiative, "archived", actor=actor)


def unarchive_initiative(initiative: Initiative, *, actor: Any) -> Initiative:
    """Bring an archived initiative back to the active list."""
    return _set_status(initiative, "active", actor=actor)


def initiatives_query(user: Any, *, art_form: str | None = None, funder_id: int | None = None,
                      status: str | None = None) -> Select:
    """The initiatives this user may see (a funder: only those it funds), filtered, newest first."""
    errors = FieldErrors()
    if art_form is not None and art_form not in ART_FORMS:
        errors.add("art_form", ART_FORM_INVALID)
    if status_error(status) is not None:
        errors.add("status", status_error(status))
    errors.raise_if_any()
    query = visible_initiatives(user)
    if art_form:
        query = query.where(Initiative.art_form == art_form)
    if status:
        query = query.where(Initiative.status == status)
    if funder_id is not None:
        query = query.where(Initiative.id.in_(
            select(initiative_funder.c.initiative_id).where(initiative_funder.c.funder_id == funder_id)))
    return query.order_by(Initiative.starts_on.desc(), Initiative.id.desc())


def get_initiative(user: Any, initiative_id: int) -> Initiative:
    """The initiative, or NotFound when it does not exist or belongs to another funder."""
    return load_initiative(user, initiative_id)


def funder_choices(user: Any) -> list[Funder]:
    """Funders to filter by: all of them for staff, a funder's own organisation for a funder."""
    query = select(Funder).order_by(*by_name(Funder.name), Funder.id)
    if is_funder(user):
        query = query.where(Funder.id == user.funder_id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- progress and what an initiative reaches

def _delivered(now: datetime | None = None):
    """Workshops that took place: started and not cancelled."""
    return (Workshop.status != "cancelled", Workshop.starts_at <= (now or utcnow()))


def students_reached(initiative_ids: Iterable[int]) -> dict[int, int]:
    """Distinct students who attended at least one delivered workshop, per initiative (one query).

    The impact report owns this definition; progress toward a target uses the very same figure."""
    return students_reached_by_initiative(list(initiative_ids))


def progress(initiative: Initiative, reached: int | None = None) -> dict[str, Any]:
    """Students reached so far against the target: {"reached", "target", "ratio" (0..1 or None), "percent"}."""
    if reached is None:
        reached = students_reached([initiative.id])[initiative.id]
    return progress_toward(initiative.target_students, reached)


def progress_toward(target: int | None, reached: int | None) -> dict[str, Any]:
    """Progress from a figure already counted; reached None is a figure hidden to protect the children (a
    funder's, under the threshold: reports/privacy.py), and then there is no ratio either."""
    ratio = (reached / target) if target and reached is not None else None
    return {"reached": reached, "target": target, "ratio": ratio,
            "percent": min(round(ratio * 100), 100) if ratio is not None else None}


def workshops_query(initiative: Initiative) -> Select:
    """The initiative's workshops in date order."""
    return select(Workshop).where(Workshop.initiative_id == initiative.id).order_by(Workshop.starts_at, Workshop.id)


def involved_schools_query(initiative: Initiative) -> Select:
    """Schools whose students have confirmed places in the initiative's (not cancelled) workshops, with
    (School, students with a confirmed place, students reached) rows."""
    now = utcnow()
    per_school = (
        select(Student.school_id.label("school_id"),
               func.count(distinct(Signup.student_id)).label("confirmed"))
        .select_from(Signup)
        .join(Student, Student.id == Signup.student_id)
        .join(Workshop, Workshop.id == Signup.workshop_id)
        .where(Workshop.initiative_id == initiative.id, Workshop.status != "cancelled",
               Signup.status == "confirmed")
        .group_by(Student.school_id)
        .subquery())
    reached = (
        select(Student.school_id.label("school_id"), func.count(distinct(Signup.student_id)).label("reached"))
        .select_from(Signup)
        .join(Student, Student.id == Signup.student_id)
        .join(Workshop, Workshop.id == Signup.workshop_id)
        .join(Attendance, Attendance.signup_id == Signup.id)
        .where(Workshop.initiative_id == initiative.id, *_delivered(now), Signup.status == "confirmed",
               Attendance.present)
        .group_by(Student.school_id)
        .subquery())
    return (select(School, per_school.c.confirmed, func.coalesce(reached.c.reached, 0))
            .join(per_school, per_school.c.school_id == School.id)
            .outerjoin(reached, reached.c.school_id == School.id)
            .order_by(stored_order(School), School.id))


def involved_schools_count(initiative: Initiative) -> int:
    query = involved_schools_query(initiative)
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def translation_status(initiative: Initiative) -> list[dict[str, Any]]:
    """Per language: is the title filled, is the description filled (for the completeness indicator)."""
    title = initiative.title or {}
    description = initiative.description or {}
    return [{"code": code, "title": bool(title.get(code)), "description": bool(description.get(code))}
            for code in LANGUAGES]
