"""Venues: creating and changing the records, merging duplicates, the list with its filters.

Functions take the acting user as `actor=`, raise `OutreachError` (422) or `Conflict` (409) with translated
messages, and only flush: the request commits."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import Select, select, update

from outreach import naming
from outreach.artists import records
from outreach.artists.services import region_error
from outreach.audit.services import record
from outreach.collation import by_name
from outreach.errors import Conflict, FieldErrors
from outreach.extensions import db
from outreach.i18n import _l
from outreach.schools.models import School
from outreach.venues.models import Venue
from outreach.workshops.models import Workshop

LOCALITY_MAX = 120
ADDRESS_MAX = 300
MAX_CAPACITY = 100_000


def validated(data: Mapping[str, Any], current: Venue | None) -> dict[str, Any]:
    """Check the given fields (all of them for a new venue) and return their clean values."""
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    creating = current is None
    data = dict(data)
    if creating or "name" in data:
        name = records.clean_text(data, "name", errors, limit=records.NAME_MAX, required=True)
        if name:
            clean["name"] = name
    if creating or "region" in data:
        code = data.get("region")
        if code in (None, ""):
            errors.add("region", _l("This field is required."))
        elif (problem := region_error(code)) is not None:
            errors.add("region", problem)
        else:
            clean["region"] = code
    if creating or "locality" in data:
        locality = records.clean_text(data, "locality", errors, limit=LOCALITY_MAX, required=True)
        if locality:
            clean["locality"] = locality
    if "address" in data:
        address = records.clean_text(data, "address", errors, limit=ADDRESS_MAX)
        if "address" not in errors.fields:
            clean["address"] = address
    if "school_id" in data:
        ident = data.get("school_id")
        if ident is None:
            clean["school_id"] = None
        elif not isinstance(ident, int) or isinstance(ident, bool) or db.session.get(School, ident) is None:
            errors.add("school_id", _l("The school was not found."))
        else:
            clean["school_id"] = ident
    if "capacity" in data:
        capacity = data.get("capacity")
        if capacity is None:
            clean["capacity"] = None
        elif not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
            errors.add("capacity", _l("Enter a number from %(low)s to %(high)s.", low=1, high=MAX_CAPACITY))
        else:
            clean["capacity"] = capacity
    errors.raise_if_any()
    return clean


def create_venue(data: Mapping[str, Any], *, actor: Any, confirm_distinct: bool = False) -> Venue:
    """A new venue; a name that folds to an existing venue's is 409 similar_name unless confirmed."""
    clean = validated(data, None)
    records.refuse_similar(Venue, clean["name"], exclude_id=None, confirm_distinct=confirm_distinct, kind="venue")
    venue = Venue(name_folded=naming.fold(clean["name"]), locality_folded=naming.fold(clean["locality"]), **clean)
    db.session.add(venue)
    db.session.flush()
    record(actor, "venue.created", venue)
    return venue


def update_venue(venue: Venue, data: Mapping[str, Any], *, actor: Any, confirm_distinct: bool = False) -> Venue:
    """Change a venue; a new name is checked like a new venue's and written on every workshop. A new locality
    changes the travel times of workshops to come: it is taken under the venue's lock."""
    clean = validated(data, venue)
    records.lock_record("venue", venue.id)
    if "name" in clean and clean["name"] != venue.name:
        if naming.fold(clean["name"]) != venue.name_folded:
            records.refuse_similar(Venue, clean["name"], exclude_id=venue.id, confirm_distinct=confirm_distinct,
                                   kind="venue")
        venue.name_folded = naming.fold(clean["name"])
        db.session.execute(update(Workshop).where(Workshop.venue_id == venue.id)
                           .values(venue=clean["name"]).execution_options(synchronize_session=False))
    if "locality" in clean:
        venue.locality_folded = naming.fold(clean["locality"])
    changed = sorted(k for k, v in clean.items() if getattr(venue, k) != v)
    for key, value in clean.items():
        setattr(venue, key, value)
    db.session.flush()
    if changed:
        record(actor, "venue.updated", venue, fields=changed)
    return venue


def merge_venues(keep: Venue, drop: Venue, *, actor: Any) -> tuple[int, list[tuple[Workshop, Workshop]]]:
    """Merge `drop` into `keep`: every workshop moves over, `drop` is deleted. Returns the number of workshops
    moved and the pairs of workshops that now overlap at `keep`."""
    if keep.id == drop.id:
        message = _l("Choose two different records.")
        raise Conflict(message, code="same_record", fields={"other_id": [message]})
    for ident in sorted((keep.id, drop.id)):
        records.lock_record("venue", ident)
    moved = records.merge_workshops(Workshop.venue_id, Workshop.venue, keep, drop)
    for name in ("region", "locality", "locality_folded", "address", "school_id", "capacity"):
        if getattr(keep, name) is None:
            setattr(keep, name, getattr(drop, name))
    db.session.delete(drop)
    db.session.flush()
    db.session.expire_all()
    record(actor, "venue.merged", keep, merged_id=drop.id, count=moved)
    return moved, records.overlapping_pairs(Workshop.venue_id, keep.id)


def venues_query(*, q: str | None = None, region: str | None = None) -> Select:
    """Venues by name or locality (any spelling), optionally of one region."""
    query = select(Venue)
    if q:
        key = naming.fold(q)
        query = query.where(Venue.name_folded.contains(key, autoescape=True)
                            | Venue.locality_folded.contains(key, autoescape=True))
    if region:
        query = query.where(Venue.region == region)
    return query.order_by(*by_name(Venue.name), Venue.id)


def all_venues() -> list[Venue]:
    return db.session.scalars(select(Venue).order_by(*by_name(Venue.name), Venue.id)).all()
