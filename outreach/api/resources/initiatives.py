"""Initiatives: funders see only those they fund (and only their own id among the funders)."""
from __future__ import annotations

from typing import Any

from outreach.access import MANAGE_INITIATIVES, SEE_INITIATIVES, requires
from outreach.api.schemas import initiatives as s
from outreach.api.blueprint import ID, actor, bp, page_of
from outreach.initiatives import services as initiatives


@bp.route("/initiatives")
@bp.doc(summary="Initiatives (a funder: only those it funds)")
@requires(SEE_INITIATIVES)
@bp.arguments(s.InitiativesArgs, location="query")
@bp.response(200, s.InitiativePage)
@bp.errors(401)
def list_initiatives(args: dict[str, Any]):
    query = initiatives.initiatives_query(actor(), art_form=args.get("art_form"), funder_id=args.get("funder_id"),
                                          status=args.get("status"))
    return page_of(query, args)


@bp.route("/initiatives", methods=["POST"])
@bp.doc(summary="Start an initiative")
@requires(MANAGE_INITIATIVES)
@bp.arguments(s.InitiativeIn)
@bp.response(201, s.InitiativeOut)
@bp.errors(400, 401, 413)
def create_initiative(data: dict[str, Any]):
    return initiatives.create_initiative(data, actor=actor())


@bp.route(f"/initiatives/<{ID}:initiative_id>")
@bp.doc(summary="One initiative")
@requires(SEE_INITIATIVES)
@bp.response(200, s.InitiativeOut)
@bp.errors(401, 404)
def get_initiative(initiative_id: int):
    return initiatives.get_initiative(actor(), initiative_id)
