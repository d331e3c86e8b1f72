"""Coordinators' pages for teaching artists: the list, a record's form, its week and load, merging duplicates."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from outreach.access import MANAGE_ARTISTS, requires
from outreach.artists import records, services
from outreach.artists.record_pages import (merge_page, neighbour_weeks, record_or_404, region_choices, similar_record,
                                           week_days, week_of)
from outreach.artists.forms import ArtistForm, HoursPeriodForm, RecordFilterForm, UnavailableForm
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
from outreach.venues.models import Venue
from outreach.web import domain_error, paginate
from outreach.workshops.models import Workshop
from outreach.workshops.rules import local

bp = Blueprint("artists", __name__)


def _user():
    return current_user._get_current_object()


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
