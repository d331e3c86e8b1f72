"""Coordinators' pages for teaching artists: the list, a record's form, its week and load, merging duplicates."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from outreach import params
from outreach.access import MANAGE_ARTISTS, requires
from outreach.artists import records, services
from outreach.artists.forms import ArtistForm, HoursPeriodForm, MergeForm, RecordFilterForm, UnavailableForm
from outreach.artists.models import Artist, Unavailability
from outreach.auth import invitations
from outreach.auth.models import User
from outreach.collation import by_name
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.reports import exports
from outreach.i18n import _, current_language
from outreach.initiatives.models import ART_FORMS
from outreach.schools.forms import InviteForm
from outreach.schools.services import regions
from outreach.venues import services as venue_services
from outreach.venues.models import Venue
from outreach.web import domain_error, paginate
from outreach.workshops.models import Workshop
from outreach.workshops.rules import day_bounds, local

bp = Blueprint("artists", __name__)


def _user():
    return current_user._get_current_object()


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


@bp.route("/artists")
@requires(MANAGE_ARTISTS)
def index():
    filters = RecordFilterForm(request.args)
    filters.region.choices = region_choices(_("All regions"))
    filters.validate()
    q = filters.q.data if filters.q.data and not filters.q.errors else None
    region = filters.region.data if filters.region.data in dict(filters.region.choices) else None
    page = paginate(services.artists_query(q=q, region=region or None))
    return render_template("artists/index.html", page=page, filters=filters, filtered=bool(q or region),
                           art_forms=ART_FORMS, region_names=dict(region_choices("")),
                           duplicates=len(records.near_duplicates(services.all_artists())))


def _hours_period() -> tuple[HoursPeriodForm, date, date, bool]:
    """The pay sheet's period from the query string: the last twelve months by default."""
    form = HoursPeriodForm(request.args)
    valid = form.validate()
    today = local(utcnow()).date()
    first = (form.first.data if valid else None) or (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    last = (form.last.data if valid else None) or today
    if valid:  # the defaults shown in the form; a wrong period keeps what was typed
        form.first.data, form.last.data = first, last
    return form, first, last, valid


@bp.route("/artists/hours")
@requires(MANAGE_ARTISTS)
def hours():
    form, first, last, valid = _hours_period()
    page = paginate(services.hours_by_artist(first, last), scalars=False)
    return render_template("artists/hours.html", form=form, page=page, first=first, last=last,
                           valid=valid), 200 if valid else 422


@bp.route("/artists/hours.<any(csv, xlsx):fmt>")
@requires(MANAGE_ARTISTS)
def hours_export(fmt: str):
    form, first, last, valid = _hours_period()
    if not valid:
        return hours()
    table = services.hours_table(first, last)
    excel = request.args.get("for") == "excel"
    body = (exports.table_csv(table, excel=excel, language=current_language()) if fmt == "csv"
            else exports.to_xlsx([table]))
    name = f"artists-hours-{first.isoformat()}-{last.isoformat()}.{fmt}"
    return Response(body, mimetype=exports.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _form_page(form, artist=None, similar=None, status=200):
    return render_template("artists/form.html", form=form, artist=artist, similar=similar), status


@bp.route("/artists/new", methods=["GET", "POST"])
@requires(MANAGE_ARTISTS)
def new():
    form = ArtistForm()
    form.home_region.choices = region_choices(_("Not given"))
    if request.method == "GET":
        return _form_page(form)
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        artist = services.create_artist(form.to_data(), actor=_user(), confirm_distinct=form.confirm_distinct.data)
    except OutreachError as error:
        domain_error(error)
        form.show_errors(error.fields)
        return _form_page(form, similar=similar_record(error, Artist), status=422)
    flash(_("The teaching artist has been added."), "success")
    return redirect(url_for("artists.detail", artist_id=artist.id))


@bp.route("/artists/<int:artist_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_ARTISTS)
def edit(artist_id: int):
    artist = record_or_404(Artist, artist_id)
    form = ArtistForm()
    form.home_region.choices = region_choices(_("Not given"))
    if request.method == "GET":
        form.fill_from(artist)
        return _form_page(form, artist)
    if not form.validate_on_submit():
        return _form_page(form, artist, status=422)
    try:
        services.update_artist(artist, form.to_data(), actor=_user(), confirm_distinct=form.confirm_distinct.data)
    except OutreachError as error:
        domain_error(error)
        form.show_errors(error.fields)
        return _form_page(form, record_or_404(Artist, artist_id), similar_record(error, Artist), status=422)
    flash(_("The teaching artist has been saved."), "success")
    return redirect(url_for("artists.detail", artist_id=artist_id))


@bp.route("/artists/<int:artist_id>")
@requires(MANAGE_ARTISTS)
def detail(artist_id: int):
    return _render_detail(record_or_404(Artist, artist_id))


def _render_detail(artist: Artist, invitation: dict | None = None):
    """The artist's page; `invitation` ({"email", "url"}) is a link just made, shown in this answer only."""
    monday = week_of(request.args.get("week"))
    today = local(utcnow()).date()
    first_month = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    return render_template(
        "artists/detail.html", artist=artist, monday=monday, weeks=neighbour_weeks(monday),
        days=week_days(Workshop.artist_id, artist.id, monday),
        load=services.weekly_load(artist.id, today=today), periods=services.unavailable_periods(artist.id),
        months=services.monthly_hours([artist.id], first_month, today), unavailable_form=UnavailableForm(),
        region_names=dict(region_choices("")), today=today, art_forms=ART_FORMS, invite_form=InviteForm(formdata=None),
        invitation=invitation,
        accounts=db.session.scalars(select(User).where(User.artist_id == artist.id).order_by(User.id)).all())


@bp.route("/artists/<int:artist_id>/invite", methods=["POST"])
@requires(MANAGE_ARTISTS)
def invite(artist_id: int):
    """Invite the teaching artist to sign in (role artist, bound to this record), like everyone else."""
    artist = record_or_404(Artist, artist_id)
    form = InviteForm()
    if not form.validate_on_submit():
        for field in (form.email, form.name, form.locale):
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "danger")
        return redirect(url_for("artists.detail", artist_id=artist.id))
    try:
        invited, link = invitations.invite(form.to_data(), role="artist", artist_id=artist.id, actor=_user())
    except OutreachError as error:
        domain_error(error)
        return redirect(url_for("artists.detail", artist_id=artist.id))
    # the one-time link in this answer only: a flash would carry it in the session cookie
    flash(_("The invitation has been created."), "success")
    return _render_detail(artist, {"email": invited.email, "url": link})


@bp.route("/artists/<int:artist_id>/unavailable", methods=["POST"])
@requires(MANAGE_ARTISTS)
def add_unavailable(artist_id: int):
    artist = record_or_404(Artist, artist_id)
    form = UnavailableForm()
    if not form.validate_on_submit():
        for field in (form.date_from, form.date_to, form.reason):
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "danger")
        return redirect(url_for("artists.detail", artist_id=artist.id))
    tz = local_tz()
    start = datetime.combine(form.date_from.data, time(0), tz)
    end = datetime.combine(form.date_to.data + timedelta(days=1), time(0), tz)
    try:
        _period, inside = services.add_unavailable(artist, start, end, form.reason.data or None, actor=_user())
    except OutreachError as error:
        domain_error(error)
        return redirect(url_for("artists.detail", artist_id=artist.id))
    flash(_("The unavailable period has been saved: no workshop can be scheduled in it."), "success")
    if inside:
        flash(_("Workshops already scheduled in this period (move them or choose another teaching artist): "
                "%(list)s", list="; ".join(services.describe(w) for w in inside)), "warning")
    return redirect(url_for("artists.detail", artist_id=artist.id))


@bp.route("/artists/unavailable/<int:period_id>/delete", methods=["POST"])
@requires(MANAGE_ARTISTS)
def delete_unavailable(period_id: int):
    period = record_or_404(Unavailability, period_id)
    artist_id = period.artist_id
    services.delete_unavailable(period, actor=_user())
    flash(_("The unavailable period has been removed."), "success")
    return redirect(url_for("artists.detail", artist_id=artist_id))


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
        moved, overlaps = merge(keep, other, actor=_user())
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


@bp.route("/artists/merge", methods=["GET", "POST"])
@requires(MANAGE_ARTISTS)
def merge():
    return merge_page("artist")


@bp.route("/duplicates")
@requires(MANAGE_ARTISTS)
def duplicates():
    """Near-duplicates the migration could not be sure of (and any made since), for a coordinator to merge."""
    return render_template("artists/duplicates.html",
                           artist_pairs=records.near_duplicates(services.all_artists()),
                           venue_pairs=records.near_duplicates(db.session.scalars(
                               select(Venue).order_by(*by_name(Venue.name), Venue.id)).all()))
