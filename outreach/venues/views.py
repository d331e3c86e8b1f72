"""Coordinators' pages for venues: the list, a venue's form and week, merging duplicates."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from outreach.access import MANAGE_ARTISTS, requires
from outreach.artists import records
from outreach.artists.forms import RecordFilterForm, VenueForm
from outreach.artists.record_pages import (
    merge_page, neighbour_weeks, record_or_404, region_choices, similar_record, week_days, week_of,
)
from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.venues import services
from outreach.venues.models import Venue
from outreach.web import domain_error, paginate
from outreach.workshops.models import Workshop

bp = Blueprint("venues", __name__)


def _user():
    return current_user._get_current_object()


@bp.route("/venues")
@requires(MANAGE_ARTISTS)
def index():
    filters = RecordFilterForm(request.args)
    filters.region.choices = region_choices(_("All regions"))
    filters.validate()
    q = filters.q.data if filters.q.data and not filters.q.errors else None
    region = filters.region.data if filters.region.data in dict(filters.region.choices) else None
    page = paginate(services.venues_query(q=q, region=region or None))
    return render_template("venues/index.html", page=page, filters=filters, filtered=bool(q or region),
                           region_names=dict(region_choices("")),
                           duplicates=len(records.near_duplicates(services.all_venues())))


def _form_page(form, venue=None, similar=None, status=200):
    return render_template("venues/form.html", form=form, venue=venue, similar=similar), status


@bp.route("/venues/new", methods=["GET", "POST"])
@requires(MANAGE_ARTISTS)
def new():
    form = VenueForm()
    form.region.choices = region_choices(_("Choose a region"))
    if request.method == "GET":
        return _form_page(form)
    if not form.validate_on_submit():
        return _form_page(form, status=422)
    try:
        venue = services.create_venue(form.to_data(), actor=_user(), confirm_distinct=form.confirm_distinct.data)
    except OutreachError as error:
        domain_error(error)
        form.show_errors(error.fields)
        return _form_page(form, similar=similar_record(error, Venue), status=422)
    flash(_("The venue has been added."), "success")
    return redirect(url_for("venues.detail", venue_id=venue.id))


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_ARTISTS)
def edit(venue_id: int):
    venue = record_or_404(Venue, venue_id)
    form = VenueForm()
    form.region.choices = region_choices(_("Choose a region"))
    if request.method == "GET":
        form.fill_from(venue)
        return _form_page(form, venue)
    if not form.validate_on_submit():
        return _form_page(form, venue, status=422)
    try:
        services.update_venue(venue, form.to_data(), actor=_user(), confirm_distinct=form.confirm_distinct.data)
    except OutreachError as error:
        domain_error(error)
        form.show_errors(error.fields)
        return _form_page(form, record_or_404(Venue, venue_id), similar_record(error, Venue), status=422)
    flash(_("The venue has been saved."), "success")
    return redirect(url_for("venues.detail", venue_id=venue_id))


@bp.route("/venues/<int:venue_id>")
@requires(MANAGE_ARTISTS)
def detail(venue_id: int):
    venue = record_or_404(Venue, venue_id)
    monday = week_of(request.args.get("week"))
    return render_template("venues/detail.html", venue=venue, monday=monday, weeks=neighbour_weeks(monday),
                           days=week_days(Workshop.venue_id, venue.id, monday), region_names=dict(region_choices("")))


@bp.route("/venues/merge", methods=["GET", "POST"])
@requires(MANAGE_ARTISTS)
def merge():
    return merge_page("venue")
