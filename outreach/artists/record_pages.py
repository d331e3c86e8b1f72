"""What the pages of teaching artists and of venues share (both are records a workshop names): the region
choices, a record or 404, the week shown and its neighbours, the record a "similar name" refusal points at, and
the merge page of two artists or two venues."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from outreach import params
from outreach.artists import services
from outreach.artists.forms import MergeForm
from outreach.artists.models import Artist
from outreach.collation import by_name
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _
from outreach.schools.services import regions
from outreach.venues import services as venue_services
from outreach.venues.models import Venue
from outreach.web import domain_error
from outreach.workshops.models import Workshop
from outreach.workshops.rules import day_bounds, local


def region_choices(empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((r.code, r.name) for r in regions())]


def record_or_404(model, ident: int):
    record = db.session.get(model, ident)
    if record is None:
        abort(404)
    return record


def week_of(raw: str | None) -> date:
    """The Monday of the week a `?week=` date falls in (this week when missing or wrong)."""
    day = params.to_date(raw) or local(utcnow()).date()
    return day - timedelta(days=day.weekday())


def neighbour_weeks(monday: date) -> tuple[str, str]:
    return (monday - timedelta(days=7)).isoformat(), (monday + timedelta(days=7)).isoformat()


def week_days(column, ident: int, monday: date) -> list[tuple[date, list[Workshop]]]:
    """The seven days from `monday` with the record's workshops (cancelled ones too, marked on the page)."""
    start, end = day_bounds(monday, monday + timedelta(days=6))
    rows = db.session.scalars(select(Workshop).where(column == ident, Workshop.starts_at >= start,
                                                     Workshop.starts_at < end)
                              .order_by(Workshop.starts_at, Workshop.id)).all()
    days = [(monday + timedelta(days=i), []) for i in range(7)]
    for workshop in rows:
        days[(local(workshop.starts_at).date() - monday).days][1].append(workshop)
    return days


def similar_record(error: OutreachError, model):
    """The existing record a 409 similar_name points at."""
    if error.code != "similar_name":
        return None
    ids = [m for m in error.fields.get("name", []) if isinstance(m, int)]
    return db.session.get(model, ids[0]) if ids else None


def merge_page(kind: str):
    """Merge two artists or two venues (`kind`): every workshop of the second moves to the first."""
    model = Artist if kind == "artist" else Venue
    form = MergeForm()
    choices = [("", _("Choose")), *((r.id, r.name) for r in db.session.scalars(
        select(model).order_by(*by_name(model.name), model.id)))]
    form.keep_id.choices = form.other_id.choices = choices
    if request.method == "GET":
        form.keep_id.data = params.to_id(request.args.get("keep"))
        form.other_id.data = params.to_id(request.args.get("other"))
        return render_template("artists/merge.html", form=form, kind=kind), 200
    if not form.validate_on_submit():
        return render_template("artists/merge.html", form=form, kind=kind), 422
    keep, other = db.session.get(model, form.keep_id.data), db.session.get(model, form.other_id.data)
    if keep is None or other is None:
        abort(404)
    try:
        merge = services.merge_artists if kind == "artist" else venue_services.merge_venues
        moved, overlaps = merge(keep, other, actor=current_user._get_current_object())
    except OutreachError as error:
        domain_error(error)
        return render_template("artists/merge.html", form=form, kind=kind), 422
    flash(_("The records have been merged: %(name)s keeps every workshop. Workshops moved: %(num)s.", name=keep.name,
            num=moved), "success")
    if overlaps:
        flash(_("These workshops of the merged record now overlap; move one of each pair: %(list)s",
                list="; ".join(services.describe_pair(p) for p in overlaps)), "warning")
    endpoint = "artists.detail" if kind == "artist" else "venues.detail"
    return redirect(url_for(endpoint, **{f"{kind}_id": keep.id}))
