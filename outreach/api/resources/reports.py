"""The impact report: exact figures for staff, small cells suppressed for funders; schools may not see it."""
from __future__ import annotations

from typing import Any

from outreach.access import FUNDER, STAFF
from outreach.api import schemas as s
from outreach.api.blueprint import actor, bp
from outreach.reports import services as reports


@bp.route("/reports/impact")
@bp.doc(summary="Impact figures (a funder: only the initiatives it funds, small cells suppressed)",
        description="from/to are inclusive dates compared with the workshop's start date in Asia/Almaty. A "
                    "funder asking for another funder's initiative gets 404.")
@bp.roles(*STAFF, FUNDER)
@bp.arguments(s.ImpactArgs, location="query")
@bp.response(200, s.ImpactReport)
@bp.errors(401, 404)
def impact_report(args: dict[str, Any]):
    filters = {key: args.get(key) for key in ("initiative_id", "region", "date_from", "date_to")}
    return reports.impact_report(actor(), **filters)
