"""Reference data: regions (any role) and funders (coordinators and admins)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.access import MANAGE_FUNDERS, SIGNED_IN, requires
from outreach.api.schemas import reference as s
from outreach.api.blueprint import PageArgs, bp, page_of
from outreach.collation import by_name
from outreach.funders.models import Funder
from outreach.schools.models import Region


@bp.route("/regions")
@requires(SIGNED_IN)
@bp.doc(summary="Regions of Kazakhstan (oblystar and cities of republican significance)")
@bp.arguments(PageArgs, location="query")
@bp.response(200, s.RegionPage)
@bp.errors(401)
def list_regions(args: dict[str, Any]):
    return page_of(select(Region).order_by(Region.code), args)


@bp.route("/funders")
@bp.doc(summary="Funding organisations (coordinators and admins)")
@requires(MANAGE_FUNDERS)
@bp.arguments(PageArgs, location="query")
@bp.response(200, s.FunderPage)
@bp.errors(401)
def list_funders(args: dict[str, Any]):
    return page_of(select(Funder).order_by(*by_name(Funder.name), Funder.id), args)
