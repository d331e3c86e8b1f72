"""The impact report page, its exports, and the CSV of every sign-up."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import select

from outreach.access import SEE_EXACT_FIGURES, SEE_REPORTS, requires, sees_exact_figures, visible_initiatives
from outreach.collation import sort_key
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _, localize
from outreach.initiatives.models import Initiative
from outreach.dbtypes import local_tz
from outreach.reports import exports, periods, presenter, privacy, services, upkeep
from outreach.reports.forms import ImpactFilterForm
from outreach.schools.models import Region
from outreach.cache import cached_page
from outreach.web import page_number

bp = Blueprint("reports", __name__, static_folder="static", static_url_path="/reports/static")

SCHOOLS_PER_PAGE = 25


def _filter_form() -> ImpactFilterForm:
    user = current_user._get_current_object()
    form = ImpactFilterForm(formdata=request.args)
    initiatives = db.session.scalars(visible_initiatives(user).order_by(Initiative.status, Initiative.starts_on.desc(),
                                                                       Initiative.id)).all()
    form.initiative_id.choices = [("", _("All initiatives"))] + [
        (i.id, localize(i.title).text + ("" if i.status == "active" else f" ({_('archived')})"))
        for i in initiatives]
    regions = sorted(db.session.scalars(select(Region)), key=lambda r: sort_key(localize(r.names).text))
    form.region.choices = [("", _("All regions"))] + [(r.code, localize(r.names).text) for r in regions]
    if privacy.protection_for(user) is not None:
        form.use_months()
    return form


@bp.route("/reports/impact")
@requires(SEE_REPORTS)
@cached_page(etag=True)
def impact():
    user = current_user._get_current_object()
    form = _filter_form()
    if not form.validate():
        return render_template("reports/impact.html", form=form, view=None, schools=None), 422
    filters = form.filters()
    try:
        view = presenter.present(services.impact_report(user, **filters))
    except OutreachError as error:
        if error.status != 422:
            raise
        form.add_errors(error.fields)
        return render_template("reports/impact.html", form=form, view=None, schools=None), 422
    schools = None
    if sees_exact_figures(user):
        schools = services.school_table(user, **filters, page=page_number(), per_page=SCHOOLS_PER_PAGE)
    export_args = {k: v for k, v in request.args.items() if k in ("initiative_id", "region", "from", "to") and v}
    return render_template("reports/impact.html", form=form, view=view, schools=schools, export_args=export_args,
                           excel_args={**export_args, "for": "excel"}, presets=_presets(form),
                           as_of=upkeep.lagging_since())


def _presets(form: ImpactFilterForm) -> list[tuple[str, str, bool]]:
    """The school year, its terms and halves as links that set the period (kept: initiative, region)."""
    keep = {k: v for k, v in request.args.items() if k in ("initiative_id", "region") and v}
    today = datetime.now(local_tz()).date()
    return [(p.label, url_for("reports.impact", **keep, **{"from": p.start.isoformat(), "to": p.end.isoformat()}),
             (form.date_from.data, form.date_to.data) == (p.start, p.end))
            for p in periods.presets(today, current_app.config["SCHOOL_TERMS"])]


@bp.route("/reports/privacy")
def privacy_page():
    """How funders' figures protect children: for funders and their boards (no sign-in needed, no data)."""
    return render_template("reports/privacy.html", protection=privacy.funder_protection())


@bp.route("/reports/impact.<any(csv, xlsx, pdf):fmt>")
@requires(SEE_REPORTS)
def export(fmt: str):
    user = current_user._get_current_object()
    form = _filter_form()
    if not form.validate():
        raise OutreachError(_("The filters are not valid; please correct them on the report page."))
    excel = fmt == "csv" and request.args.get("for") == "excel"
    body = exports.export_report(user, fmt, form.filters(), excel=excel)
    name = exports.filename(fmt, "impact-report-excel" if excel else "impact-report")
    return Response(body, mimetype=exports.FORMATS[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/reports/signups.csv")
@requires(SEE_EXACT_FIGURES)
def signups_csv():
    chunks = exports.signups_csv(current_user._get_current_object())
    return Response(stream_with_context(chunks), mimetype=exports.FORMATS["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{exports.filename("csv", "signups")}"'})
