"""Funder organisations: listing, adding, renaming, what they fund, who represents them.

A funder's name is one plain string (the JSON contract keeps names of things plain), so it has no kk/ru/en
variants; the model has none to edit."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import Select, func, select

from outreach import access
from outreach.audit.services import record
from outreach.auth.models import User
from outreach.collation import by_name
from outreach.errors import Conflict, FieldErrors, NotFound
from outreach.extensions import db
from outreach.i18n import _l
from outreach.funders.models import Funder
from outreach.initiatives.models import Initiative, initiative_funder

NAME_MAX = 200


def _name(data: Mapping[str, Any]) -> str:
    errors = FieldErrors()
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.add("name", _l("This field is required."))
    elif len(name.strip()) > NAME_MAX:
        errors.add("name", _l("At most %(n)s characters.", n=NAME_MAX))
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        errors.add("name", _l("Use a single line of text."))
    errors.raise_if_any()
    return " ".join(name.split())


def _unique(name: str, funder_id: int | None = None) -> None:
    # compared in Python: SQLite's lower() leaves Cyrillic letters as they are (and funders are few)
    taken = {n.casefold() for n in db.session.scalars(select(Funder.name).where(Funder.id != (funder_id or 0)))}
    if name.casefold() in taken:
        message = _l("A funder organisation with this name already exists.")
        raise Conflict(message, code="name_taken", fields={"name": [message]})


def create_funder(data: Mapping[str, Any], *, actor: Any) -> Funder:
    name = _name(data)
    _unique(name)
    funder = Funder(name=name)
    db.session.add(funder)
    db.session.flush()
    record(actor, "funder.created", funder)
    return funder


def update_funder(funder: Funder, data: Mapping[str, Any], *, actor: Any) -> Funder:
    name = _name(data)
    _unique(name, funder.id)
    if name != funder.name:
        funder.name = name
        db.session.flush()
        record(actor, "funder.updated", funder, fields=["name"])
    return funder


def get_funder(user: Any, funder_id: int) -> Funder:
    funder = db.session.get(Funder, funder_id)
    if funder is None or not access.can_manage_funders(user):
        raise NotFound(_l("This funder organisation does not exist."))
    return funder


def funders_query(*, q: str | None = None) -> Select:
    """Funders with how many initiatives each funds and how many representatives it has, by name."""
    initiatives = (select(func.count()).select_from(initiative_funder)
                   .where(initiative_funder.c.funder_id == Funder.id).scalar_subquery())
    people = (select(func.count()).select_from(User).where(User.funder_id == Funder.id, access.represents_funder())
              .scalar_subquery())
    query = select(Funder, initiatives.label("initiatives"), people.label("representatives"))
    if q:
        query = query.where(func.lower(Funder.name).like(f"%{q.strip().lower()}%"))
    return query.order_by(*by_name(Funder.name), Funder.id)


def initiatives_of(funder: Funder) -> list[Initiative]:
    return list(db.session.scalars(
        select(Initiative).join(initiative_funder, initiative_funder.c.initiative_id == Initiative.id)
        .where(initiative_funder.c.funder_id == funder.id).order_by(Initiative.starts_on.desc(), Initiative.id)))


def representatives(funder: Funder) -> list[User]:
    return list(db.session.scalars(select(User).where(User.funder_id == funder.id, access.represents_funder())
                                   .order_by(*by_name(User.name), User.id)))
