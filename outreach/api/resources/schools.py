"""Schools: coordinators and admins see all of them; a school representative only its own; funders none."""
from __future__ import annotations

from typing import Any

from outreach.access import MANAGE_SCHOOLS, SEE_SCHOOLS, requires
from outreach.api.schemas import schools as s
from outreach.api.blueprint import ID, actor, bp, page_of
from outreach.schools import services as schools


@bp.route("/schools")
@bp.doc(summary="Schools (a school representative: only its own school)")
@requires(SEE_SCHOOLS)
@bp.arguments(s.SchoolsArgs, location="query")
@bp.response(200, s.SchoolPage)
@bp.errors(401)
def list_schools(args: dict[str, Any]):
    query = schools.schools_query(actor(), region=args.get("region"), q=args.get("q"),
                                  settlement_type=args.get("settlement_type"), language=args.get("language"))
    return page_of(query, args)


@bp.route("/schools", methods=["POST"])
@bp.doc(summary="Add a school to the directory")
@requires(MANAGE_SCHOOLS)
@bp.arguments(s.SchoolIn)
@bp.response(201, s.SchoolOut)
@bp.errors(400, 401, 413)
def create_school(data: dict[str, Any]):
    return schools.create_school(data, actor=actor())


@bp.route(f"/schools/<{ID}:school_id>")
@bp.doc(summary="One school")
@requires(SEE_SCHOOLS)
@bp.response(200, s.SchoolOut)
@bp.errors(401, 404)
def get_school(school_id: int):
    return schools.get_school(actor(), school_id)
