"""Teaching artists and venues: records that workshops refer to (coordinators and admins change them)."""
from __future__ import annotations

from typing import Any

from outreach.access import MANAGE_ARTISTS, SEE_ARTIST_HOURS, load_artist_hours, requires
from outreach.api.schemas import artists as s
from outreach.api.blueprint import ID, actor, bp, page_of
from outreach.artists import services as artists
from outreach.artists.models import Artist
from outreach.errors import NotFound
from outreach.extensions import db
from outreach.i18n import _l
from outreach.venues import services as venues
from outreach.venues.models import Venue

SIMILAR = ("409 similar_name when the name is the same as an existing record's once case, kk/ru letter variants "
           "and Latin look-alikes are folded (the existing record's id in error.fields.name), unless "
           "\"confirm_distinct\": true.")


def _artist(artist_id: int) -> Artist:
    artist = db.session.get(Artist, artist_id)
    if artist is None:
        raise NotFound(_l("The teaching artist was not found."))
    return artist


def _venue(venue_id: int) -> Venue:
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        raise NotFound(_l("The venue was not found."))
    return venue


@bp.route("/artists")
@bp.doc(summary="Teaching artists, by name")
@requires(MANAGE_ARTISTS)
@bp.arguments(s.ArtistsArgs, location="query")
@bp.response(200, s.ArtistPage)
@bp.errors(401)
def list_artists(args: dict[str, Any]):
    return page_of(artists.artists_query(q=args.get("q"), region=args.get("region")), args)


@bp.route("/artists", methods=["POST"])
@bp.doc(summary="Add a teaching artist", description=SIMILAR)
@requires(MANAGE_ARTISTS)
@bp.arguments(s.ArtistIn)
@bp.response(201, s.ArtistOut)
@bp.errors(400, 401, 409, 413)
def create_artist(data: dict[str, Any]):
    confirm = data.pop("confirm_distinct", False)
    return artists.create_artist(data, actor=actor(), confirm_distinct=confirm)


@bp.route(f"/artists/<{ID}:artist_id>")
@bp.doc(summary="One teaching artist")
@requires(MANAGE_ARTISTS)
@bp.response(200, s.ArtistOut)
@bp.errors(401, 404)
def get_artist(artist_id: int):
    return _artist(artist_id)


@bp.route(f"/artists/<{ID}:artist_id>", methods=["PATCH"])
@bp.doc(summary="Change a teaching artist", description="A new name is written on every workshop. " + SIMILAR)
@requires(MANAGE_ARTISTS)
@bp.arguments(s.ArtistPatch)
@bp.response(200, s.ArtistOut)
@bp.errors(400, 401, 404, 409, 413)
def update_artist(data: dict[str, Any], artist_id: int):
    artist = _artist(artist_id)
    confirm = data.pop("confirm_distinct", False)
    return artists.update_artist(artist, data, actor=actor(), confirm_distinct=confirm)


@bp.route(f"/artists/<{ID}:artist_id>/unavailable", methods=["POST"])
@bp.doc(summary="A period in which the artist takes no workshops (leave, a tour)",
        description="A workshop of that artist in that time is then 409 artist_unavailable. The artist's "
                    "workshops already in the period are kept and listed in workshops_inside.")
@requires(MANAGE_ARTISTS)
@bp.arguments(s.UnavailableIn)
@bp.response(201, s.UnavailableOut)
@bp.errors(400, 401, 404, 413)
def add_unavailable(data: dict[str, Any], artist_id: int):
    artist = _artist(artist_id)
    period, inside = artists.add_unavailable(artist, data.get("from_"), data.get("to"), data.get("reason"),
                                             actor=actor())
    period.workshops_inside = [w.id for w in inside]
    return period


@bp.route(f"/artists/<{ID}:artist_id>/hours")
@bp.doc(summary="Workshops the artist delivered (started, not cancelled) and their hours",
        description="Coordinators and admins for any artist; a teaching artist for itself (another's: 404).")
@requires(SEE_ARTIST_HOURS)
@bp.arguments(s.HoursArgs, location="query")
@bp.response(200, s.HoursOut)
@bp.errors(401, 404)
def artist_hours(args: dict[str, Any], artist_id: int):
    artist = load_artist_hours(actor(), artist_id)
    return artists.hours(artist.id, args.get("date_from"), args.get("date_to"))


@bp.route("/venues")
@bp.doc(summary="Venues, by name or locality")
@requires(MANAGE_ARTISTS)
@bp.arguments(s.VenuesArgs, location="query")
@bp.response(200, s.VenuePage)
@bp.errors(401)
def list_venues(args: dict[str, Any]):
    return page_of(venues.venues_query(q=args.get("q"), region=args.get("region")), args)


@bp.route("/venues", methods=["POST"])
@bp.doc(summary="Add a venue", description=SIMILAR)
@requires(MANAGE_ARTISTS)
@bp.arguments(s.VenueIn)
@bp.response(201, s.VenueOut)
@bp.errors(400, 401, 409, 413)
def create_venue(data: dict[str, Any]):
    confirm = data.pop("confirm_distinct", False)
    return venues.create_venue(data, actor=actor(), confirm_distinct=confirm)


@bp.route(f"/venues/<{ID}:venue_id>")
@bp.doc(summary="One venue")
@requires(MANAGE_ARTISTS)
@bp.response(200, s.VenueOut)
@bp.errors(401, 404)
def get_venue(venue_id: int):
    return _venue(venue_id)


@bp.route(f"/venues/<{ID}:venue_id>", methods=["PATCH"])
@bp.doc(summary="Change a venue", description="A new name is written on every workshop. " + SIMILAR)
@requires(MANAGE_ARTISTS)
@bp.arguments(s.VenuePatch)
@bp.response(200, s.VenueOut)
@bp.errors(400, 401, 404, 409, 413)
def update_venue(data: dict[str, Any], venue_id: int):
    venue = _venue(venue_id)
    confirm = data.pop("confirm_distinct", False)
    return venues.update_venue(venue, data, actor=actor(), confirm_distinct=confirm)
