"""Teaching artists: creating and changing the records, merging duplicates, unavailable periods, delivered hours.

Functions take the acting user as `actor=`, raise `OutreachError` (422) or `Conflict` (409) with translated
messages, and only flush: the request commits."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import Select, func, select, update

from outreach import naming
from outreach.artists import records
from outreach.artists.models import Artist, Unavailability
from outreach.audit.services import record
from outreach.auth.emails import clean as clean_email, mixes_scripts
from outreach.auth.models import User
from outreach.collation import by_name, sort_key
from outreach.dates import fmt_datetime
from outreach.dbtypes import utcnow
from outreach.errors import Conflict, FieldErrors
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _, _l
from outreach.initiatives.models import ART_FORMS
from outreach.reports.exports import Table
from outreach.schools.models import Region
from outreach.workshops.models import Workshop
from outreach.workshops.rules import day_bounds, describe, local

PHONE = re.compile(r"^\+?[0-9 ()\-]{5,40}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _codes(data: Mapping[str, Any], name: str, allowed: Any, errors: FieldErrors) -> list[str] | None:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        errors.add(name, _l("Enter a list of codes."))
        return None
    wrong = [v for v in value if v not in allowed]
    if wrong:
        errors.add(name, _l("Not one of the allowed values: %(values)s.", values=", ".join(wrong)))
        return None
    return sorted(set(value), key=list(allowed).index)


def region_error(code: Any) -> Any | None:
    if not isinstance(code, str) or db.session.get(Region, code) is None:
        return _l("Choose a region.")
    return None


def validated(data: Mapping[str, Any], current: Artist | None) -> dict[str, Any]:
    """Check the given fields (all of them for a new artist) and return their clean values."""
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    creating = current is None
    if creating or "name" in data:
        name = records.clean_text(dict(data), "name", errors, limit=records.NAME_MAX, required=True)
        if name:
            clean["name"] = name
    if creating or "art_forms" in data:
        forms = _codes(data, "art_forms", ART_FORMS, errors)
        if forms is not None:
            clean["art_forms"] = forms
    if creating or "languages" in data:
        languages = _codes(data, "languages", LANGUAGES, errors)
        if languages is not None:
            clean["languages"] = languages
    if "home_region" in data:
        code = data.get("home_region")
        if code in (None, ""):
            clean["home_region"] = None
        elif (problem := region_error(code)) is not None:
            errors.add("home_region", problem)
        else:
            clean["home_region"] = code
    if "email" in data:
        value = records.clean_text(dict(data), "email", errors, limit=254)
        if value and (not EMAIL.match(value) or mixes_scripts(value)):
            errors.add("email", _l("Enter a valid e-mail address."))
        elif "email" not in errors.fields:
            clean["email"] = clean_email(value) if value else None
    if "phone" in data:
        value = records.clean_text(dict(data), "phone", errors, limit=40)
        if value and not PHONE.match(value):
            errors.add("phone", _l("Enter a phone number: digits, spaces, brackets, a plus sign."))
        elif "phone" not in errors.fields:
            clean["phone"] = value
    errors.raise_if_any()
    return clean


def create_artist(data: Mapping[str, Any], *, actor: Any, confirm_distinct: bool = False) -> Artist:
    """A new teaching artist; a name that folds to an existing one's is 409 similar_name unless confirmed."""
    clean = validated(data, None)
    records.refuse_similar(Artist, clean["name"], exclude_id=None, confirm_distinct=confirm_distinct, kind="artist")
    artist = Artist(name=clean["name"], name_folded=naming.fold(clean["name"]), art_forms=clean["art_forms"],
                    languages=clean["languages"], home_region=clean.get("home_region"), email=clean.get("email"),
                    phone=clean.get("phone"))
    db.session.add(artist)
    db.session.flush()
    record(actor, "artist.created", artist)
    return artist


def update_artist(artist: Artist, data: Mapping[str, Any], *, actor: Any, confirm_distinct: bool = False) -> Artist:
    """Change an artist; a new name is checked like a new artist's and written on every workshop."""
    clean = validated(data, artist)
    if "name" in clean and clean["name"] != artist.name:
        if naming.fold(clean["name"]) != artist.name_folded:
            records.refuse_similar(Artist, clean["name"], exclude_id=artist.id, confirm_distinct=confirm_distinct,
                                   kind="artist")
        artist.name_folded = naming.fold(clean["name"])
        db.session.execute(update(Workshop).where(Workshop.artist_id == artist.id)
                           .values(instructor=clean["name"]).execution_options(synchronize_session=False))
    changed = sorted(k for k, v in clean.items() if getattr(artist, k) != v)
    for key, value in clean.items():
        setattr(artist, key, value)
    db.session.flush()
    if changed:
        record(actor, "artist.updated", artist, fields=changed)
    return artist


def merge_artists(keep: Artist, drop: Artist, *, actor: Any) -> tuple[int, list[tuple[Workshop, Workshop]]]:
    """Merge `drop` into `keep`: every workshop, unavailable period and account moves over; `drop` is deleted.

    Returns the number of workshops moved and the pairs of `keep`'s workshops that now overlap (they were booked
    under two spellings: the coordinator has to move one of each pair)."""
    if keep.id == drop.id:
        message = _l("Choose two different records.")
        raise Conflict(message, code="same_record", fields={"other_id": [message]})
    for ident in sorted((keep.id, drop.id)):
        records.lock_record("artist", ident)
    moved = records.merge_workshops(Workshop.artist_id, Workshop.instructor, keep, drop)
    db.session.execute(update(Unavailability).where(Unavailability.artist_id == drop.id)
                       .values(artist_id=keep.id).execution_options(synchronize_session=False))
    db.session.execute(update(User).where(User.artist_id == drop.id).values(artist_id=keep.id)
                       .execution_options(synchronize_session=False))
    keep.art_forms = sorted(set(keep.art_forms or []) | set(drop.art_forms or []), key=list(ART_FORMS).index)
    keep.languages = sorted(set(keep.languages or []) | set(drop.languages or []), key=list(LANGUAGES).index)
    for name in ("home_region", "email", "phone"):
        if getattr(keep, name) is None:
            setattr(keep, name, getattr(drop, name))
    db.session.delete(drop)
    db.session.flush()
    db.session.expire_all()
    record(actor, "artist.merged", keep, merged_id=drop.id, count=moved)
    return moved, records.overlapping_pairs(Workshop.artist_id, keep.id)


def artists_query(*, q: str | None = None, region: str | None = None) -> Select:
    """Artists by name (any spelling), optionally of one home region."""
    query = select(Artist)
    if q:
        query = query.where(Artist.name_folded.contains(naming.fold(q), autoescape=True))
    if region:
        query = query.where(Artist.home_region == region)
    return query.order_by(*by_name(Artist.name), Artist.id)


def all_artists() -> list[Artist]:
    return db.session.scalars(select(Artist).order_by(*by_name(Artist.name), Artist.id)).all()


# -- unavailable periods --------------------------------------------------------------------------------------

def add_unavailable(artist: Artist, starts_at: Any, ends_at: Any, reason: Any, *, actor: Any
                    ) -> tuple[Unavailability, list[Workshop]]:
    """A period in which the artist takes no workshops. Returns it and the artist's live workshops already in it
    (kept: the coordinator moves them or gives them to another artist)."""
    errors = FieldErrors()
    for name, value in (("from", starts_at), ("to", ends_at)):
        if value is None:
            errors.add(name, _l("This field is required."))
        elif not isinstance(value, datetime) or value.tzinfo is None:
            errors.add(name, _l("Enter a date and time with its time zone."))
        elif not 2000 <= value.year <= 2100:
            errors.add(name, _l("Enter a date from %(low)s to %(high)s.", low=2000, high=2100))
    if not errors.fields and ends_at <= starts_at:
        errors.add("to", _l("The end must be after the start."))
    text = records.clean_text({"reason": reason}, "reason", errors, limit=200)
    errors.raise_if_any()
    records.lock_record("artist", artist.id)
    period = Unavailability(artist_id=artist.id, starts_at=starts_at, ends_at=ends_at, reason=text)
    db.session.add(period)
    db.session.flush()
    record(actor, "artist.unavailable_added", artist)
    inside = db.session.scalars(select(Workshop).where(
        Workshop.artist_id == artist.id, Workshop.status != "cancelled", Workshop.starts_at < ends_at,
        Workshop.ends_at > starts_at).order_by(Workshop.starts_at)).all()
    return period, inside


def delete_unavailable(period: Unavailability, *, actor: Any) -> None:
    record(actor, "artist.unavailable_removed", object_type="artist", object_id=period.artist_id)
    db.session.delete(period)
    db.session.flush()


def unavailable_periods(artist_id: int, *, upcoming: bool = True) -> list[Unavailability]:
    query = select(Unavailability).where(Unavailability.artist_id == artist_id)
    if upcoming:
        query = query.where(Unavailability.ends_at > utcnow())
    return db.session.scalars(query.order_by(Unavailability.starts_at)).all()


def period_text(period: Unavailability) -> str:
    start, end = local(period.starts_at), local(period.ends_at)
    text = _("%(start)s – %(end)s", start=fmt_datetime(start, "short"), end=fmt_datetime(end, "short"))
    return f"{text} ({period.reason})" if period.reason else text


# -- delivered hours ------------------------------------------------------------------------------------------

def delivered(query: Select, now: datetime | None = None) -> Select:
    """Workshops delivered: started and not cancelled (the impact report's definition)."""
    return query.where(Workshop.status != "cancelled", Workshop.starts_at <= (now or utcnow()))


def in_period(query: Select, first: date | None, last: date | None) -> Select:
    """Workshops starting between two local dates (both included; a missing end is open)."""
    start, end = day_bounds(first, last)
    if start is not None:
        query = query.where(Workshop.starts_at >= start)
    if end is not None:
        query = query.where(Workshop.starts_at < end)
    return query


@dataclass
class Hours:
    workshops: int
    hours: float


def hours(artist_id: int, first: date | None = None, last: date | None = None) -> Hours:
    """The workshops an artist delivered between two local dates (both included) and their hours."""
    query = delivered(select(func.count(Workshop.id), func.coalesce(func.sum(Workshop.duration_minutes), 0))
                      .where(Workshop.artist_id == artist_id))
    query = in_period(query, first, last)
    count, minutes = db.session.execute(query).one()
    return Hours(workshops=int(count), hours=round(int(minutes) / 60, 2))


def monthly_hours(artist_ids: list[int] | None = None, first: date | None = None, last: date | None = None
                  ) -> list[tuple[Artist, str, int, float]]:
    """(artist, "YYYY-MM", workshops, hours) delivered per artist and local month, by artist then month."""
    query = delivered(select(Workshop.artist_id, Workshop.starts_at, Workshop.duration_minutes))
    query = in_period(query, first, last)
    if artist_ids is not None:
        query = query.where(Workshop.artist_id.in_(artist_ids))
    sums: dict[tuple[int, str], list[int]] = {}
    for artist_id, starts_at, minutes in db.session.execute(query):
        key = (artist_id, local(starts_at).strftime("%Y-%m"))
        cell = sums.setdefault(key, [0, 0])
        cell[0] += 1
        cell[1] += minutes
    artists = {a.id: a for a in db.session.scalars(select(Artist).where(Artist.id.in_({k[0] for k in sums})))}
    rows = [(artists[a], month, n, round(m / 60, 2)) for (a, month), (n, m) in sums.items()]
    return sorted(rows, key=lambda r: (sort_key(r[0].name), r[0].id, r[1]))


def hours_by_artist(first: date | None = None, last: date | None = None) -> Select:
    """(artist, workshops, hours in minutes) delivered per artist between two local dates, by name: one row per
    artist who delivered at least one workshop (for a page of the pay sheet)."""
    query = delivered(select(Artist, func.count(Workshop.id), func.sum(Workshop.duration_minutes))
                      .join(Workshop, Workshop.artist_id == Artist.id))
    query = in_period(query, first, last)
    return query.group_by(Artist.id).order_by(*by_name(Artist.name), Artist.id)


def hours_table(first: date, last: date) -> Any:
    """The pay sheet: every artist's delivered workshops and hours per month between two dates, as an export
    table (CSV and XLSX). Names and months only: no contact details."""
    table = Table(title=_("Delivered hours per month"), sheet=_("Hours"),
                  headers=[_("Teaching artist"), _("Month"), _("Workshops"), _("Hours")],
                  kinds=["text", "text", "count", "hours"])
    for artist, month, count, hours_ in monthly_hours(None, first, last):
        table.rows.append([artist.name, month, (count, "count"), (hours_, "hours")])
    return table


def initiative_delivery(initiative_ids: list[int], now: datetime | None = None) -> dict[int, Hours]:
    """Per initiative: how many teaching artists gave its delivered workshops (in `workshops`) and the hours
    delivered — counts only, for everyone who sees the initiative."""
    rows = db.session.execute(delivered(
        select(Workshop.initiative_id, func.count(func.distinct(Workshop.artist_id)),
               func.coalesce(func.sum(Workshop.duration_minutes), 0))
        .where(Workshop.initiative_id.in_(initiative_ids)).group_by(Workshop.initiative_id), now)).all()
    found = {ident: Hours(workshops=int(artists), hours=round(int(minutes) / 60, 2)) for ident, artists, minutes in rows}
    return {ident: found.get(ident, Hours(0, 0.0)) for ident in initiative_ids}


def weekly_load(artist_id: int, weeks: int = 8, today: date | None = None) -> list[tuple[date, int, float]]:
    """(Monday, workshops, hours) of the artist's live workshops, this week and the next `weeks - 1`."""
    today = today or local(utcnow()).date()
    monday = today - timedelta(days=today.weekday())
    start, end = day_bounds(monday, monday + timedelta(days=7 * weeks - 1))
    rows = db.session.execute(select(Workshop.starts_at, Workshop.duration_minutes).where(
        Workshop.artist_id == artist_id, Workshop.status != "cancelled", Workshop.starts_at >= start,
        Workshop.starts_at < end)).all()
    load = [[monday + timedelta(days=7 * i), 0, 0] for i in range(weeks)]
    for starts_at, minutes in rows:
        index = (local(starts_at).date() - monday).days // 7
        load[index][1] += 1
        load[index][2] += minutes
    return [(day, n, round(m / 60, 2)) for day, n, m in load]


def describe_pair(pair: tuple[Workshop, Workshop]) -> str:
    return _("%(first)s and %(second)s", first=describe(pair[0]), second=describe(pair[1]))

