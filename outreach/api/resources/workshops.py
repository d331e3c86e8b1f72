"""Workshops: everyone signed in sees them (funders: only those of initiatives they fund); staff change them."""
from __future__ import annotations

from typing import Any

from flask import request

from outreach.access import SCHEDULE_WORKSHOPS, SEE_WORKSHOPS, is_staff, requires
from outreach.api.schemas import workshops as s
from outreach.api.blueprint import ID, actor, bp, page_of
from outreach.workshops import queries, services as workshops


@bp.route("/workshops")
@requires(SEE_WORKSHOPS)
@bp.doc(summary="Workshops in time order (a funder: only those of the initiatives it funds)")
@bp.arguments(s.WorkshopsArgs, location="query")
@bp.response(200, s.WorkshopPage)
@bp.errors(401)
def list_workshops(args: dict[str, Any]):
    filters = {key: args.get(key) for key in ("initiative_id", "date_from", "date_to", "status", "region",
                                               "instructor", "venue", "artist_id", "venue_id")}
    return page_of(queries.workshops_query(actor(), **filters), args)


@bp.route("/workshops", methods=["POST"])
@bp.doc(summary="Schedule a workshop",
        description="The start date must fall within the initiative's dates (422); 409 schedule_conflict when "
                    "the artist or the venue is booked at an overlapping time, or the artist's workshops at venues "
                    "in different localities leave less than the travel time; 409 artist_unavailable in an "
                    "artist's unavailable period. artist_id and venue_id, or names that fold to exactly one "
                    "record's (instructor, venue).")
@requires(SCHEDULE_WORKSHOPS)
@bp.arguments(s.WorkshopIn)
@bp.response(201, s.WorkshopOut)
@bp.errors(400, 401, 409, 413)
def create_workshop(data: dict[str, Any]):
    return workshops.create_workshop(data, actor=actor())


@bp.route(f"/workshops/<{ID}:workshop_id>")
@requires(SEE_WORKSHOPS)
@bp.doc(summary="One workshop")
@bp.response(200, s.WorkshopOut)
@bp.errors(401, 404)
def get_workshop(workshop_id: int):
    return queries.get_workshop(actor(), workshop_id)


@bp.before_request
def _workshop_first() -> None:
    """A PATCH of a workshop that does not exist (or that this user may not see) is 404 before its body is
    checked, not 422."""
    if request.endpoint == "api.update_workshop" and is_staff(actor()):  # others get their 403 first
        queries.get_workshop(actor(), request.view_args["workshop_id"])


@bp.route(f"/workshops/<{ID}:workshop_id>", methods=["PATCH"])
@bp.doc(summary="Change or cancel a workshop",
        description="Any of the POST fields, or \"status\": \"cancelled\". Checked like a new workshop (422, 409 "
                    "schedule_conflict); a capacity below the confirmed sign-ups is 409 capacity_below_confirmed; "
                    "a higher capacity promotes the waitlist in order.")
@requires(SCHEDULE_WORKSHOPS)
@bp.arguments(s.WorkshopPatch)
@bp.response(200, s.WorkshopOut)
@bp.errors(400, 401, 404, 409, 413)
def update_workshop(data: dict[str, Any], workshop_id: int):
    user = actor()
    workshop = queries.get_workshop(user, workshop_id)
    return workshops.update_workshop(workshop, data, actor=user)
