"""The impact report: exact figures for staff, protected figures for funders (reports/privacy.py); schools may not
see it."""
from __future__ import annotations

from typing import Any

from outreach.access import SEE_REPORTS, requires
from outreach.api.schemas import reports as s
from outreach.api.blueprint import actor, bp
from outreach.reports import services as reports


@bp.route("/reports/impact")
@bp.doc(summary="Impact figures (a funder: only the initiatives it funds, protected figures)",
        description="from/to are inclusive dates compared with the workshop's start date in Asia/Almaty. A "
                    "funder asking for another funder's initiative gets 404. A funder sees protected figures: "
                    "the period snaps to whole months (echoed in `filters`); a selection with fewer students "
                    "than `suppression_threshold` has every child-derived figure null and `suppressed: true`; "
                    "small cells are hidden, with complementary suppression; shown counts are rounded to "
                    "`rounding_base`, student-hours to 5 hours, the attendance rate to whole per cent.")
@requires(SEE_REPORTS)
@bp.arguments(s.ImpactArgs, location="query")
@bp.response(200, s.ImpactReport)
@bp.errors(401, 404)
def impact_report(args: dict[str, Any]):
    filters = {key: args.get(key) for key in ("initiative_id", "region", "date_from", "date_to")}
    return reports.impact_report(actor(), **filters)
