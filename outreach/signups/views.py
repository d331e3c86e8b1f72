"""Sign-up pages: browse open workshops, choose students, see the result, my sign-ups, cancel."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from outreach.access import ACT_FOR_SCHOOL, KEEP_ROSTER, is_school_rep, is_staff, load_workshop, own_school_id, \
    requires, visible_initiatives
from outreach.collation import sort_key, stored_order
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _, localize
from outreach.initiatives.models import Initiative
from outreach.schools.models import Region, School
from outreach.signups import services
from outreach.signups.forms import BrowseForm, CancelForm, SchoolChoiceForm, SignupForm, StudentSearchForm, grade_label
from outreach.signups.models import SIGNUP_STATUSES
from outreach import params
from outreach.students import searches
from outreach.web import domain_error, is_safe_next, page_number, paginate, without_query
from outreach.cache import cached_page
from outreach.workshops.models import DELIVERY_LANGUAGES, Workshop

bp = Blueprint("signups", __name__, url_prefix="/signups")

ROSTER_PER_PAGE = 100


@bp.app_context_processor
def _helpers():
    return {"grade_label": grade_label, "signup_statuses": SIGNUP_STATUSES, "delivery_languages": DELIVERY_LANGUAGES}


def _workshop_or_404(workshop_id: int) -> Workshop:
    """The workshop if the user may see it, like the API's: otherwise 404."""
    return load_workshop(current_user, workshop_id)


@bp.route("/browse")
@requires(ACT_FOR_SCHOOL)
@cached_page()
def browse():
    initiatives = db.session.scalars(visible_initiatives(current_user).where(Initiative.status == "active")
                                     .order_by(Initiative.starts_on.desc(), Initiative.id)).all()
    form = BrowseForm(request.args, initiatives=initiatives, **_place_choices(request.args.get("region") or None))
    page = paginate(services.open_workshops_query(**form.filters(), for_school=own_school_id(current_user)))
    series = services.series_sessions(page.items)
    mine = services.school_summary(own_school_id(current_user),
                                   [w.id for w in page.items] + [w.id for ws in series.values() for w in ws])
    return render_template("signups/browse.html", form=form, page=page, mine=mine, series=series)


def _place_choices(region: str | None) -> dict:
    """The regions where open workshops take place (the school's own first, then in alphabet order) and the
    localities of the chosen region (or of all)."""
    codes, localities = services.open_places(region=region)
    names = {r.code: localize(r.names).text for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))}
    own = getattr(getattr(current_user, "school", None), "region_code", None)
    ordered = sorted(codes, key=lambda code: (code != own, sort_key(names.get(code, code))))
    return {"regions": [(code, names.get(code, code)) for code in ordered], "localities": localities}


def _school_for(workshop: Workshop) -> tuple[School | None, SchoolChoiceForm | None]:
    """Whose roster the page shows: a school's own; a coordinator's choice (?school_id=)."""
    if is_school_rep(current_user):
        return current_user.school, None
    form = SchoolChoiceForm(request.args)
    form.school_id.choices = [("", _("Choose a school"))] + [
        (s.id, s.name) for s in db.session.scalars(select(School).order_by(stored_order(School), School.id))]
    form.validate()
    school = db.session.get(School, form.school_id.data) if form.school_id.data and not form.school_id.errors else None
    return school, form


def _render_pick(workshop: Workshop, form: SignupForm, status: int = 200, search_form: Any = None):
    school, school_form = _school_for(workshop)
    page = students = None
    existing = {}
    search = request.args.get(searches.PARAMETER)
    q = searches.held(search, user_id=current_user.id)  # the name was sent by POST (signups.search)
    if school is not None:
        page = paginate(services.roster_query(workshop, school.id, q=q), per_page=ROSTER_PER_PAGE)
        students = page.items
        existing = services.live_signups_of(workshop.id, [s.id for s in students])
    chosen = set(form.student_ids.data or [])
    return render_template("signups/pick.html", workshop=workshop, form=form, school=school, school_form=school_form,
                           page=page, students=students, existing=existing, chosen=chosen, q=q,
                           search=search if q else None, search_form=search_form or StudentSearchForm(formdata=None, q=q),
                           open=services.can_sign_up(workshop, current_user)), status


@bp.route("/workshops/<int:workshop_id>")
@requires(KEEP_ROSTER)
@cached_page()
def pick(workshop_id: int):
    old_link = without_query("q")  # a name in the address (an old link): the page without it
    if old_link is not None:
        return old_link
    return _render_pick(_workshop_or_404(workshop_id), SignupForm(formdata=None))


@bp.route("/workshops/<int:workshop_id>/search", methods=["POST"])
@requires(KEEP_ROSTER)
def search(workshop_id: int):
    """The pick page's name search, sent by POST: the name is held on the server, the page gets its token."""
    workshop = _workshop_or_404(workshop_id)
    form = StudentSearchForm()
    if not form.validate_on_submit():
        return _render_pick(workshop, SignupForm(formdata=None), 422, search_form=form)
    args = {"school_id": params.to_id(form.school_id.data) if not is_school_rep(current_user) else None}
    if form.q.data:
        args[searches.PARAMETER] = searches.hold(form.q.data, user_id=current_user.id)
    return redirect(url_for("signups.pick", workshop_id=workshop.id, **args), 303)


@bp.route("/workshops/<int:workshop_id>", methods=["POST"])
@requires(KEEP_ROSTER)
def register(workshop_id: int):
    workshop = _workshop_or_404(workshop_id)
    form = SignupForm()
    if not form.validate_on_submit():
        return _render_pick(workshop, form, 422)
    try:
        results = services.register(workshop_id, form.student_ids.data, actor=current_user)
    except OutreachError as error:
        if error.status == 404:
            raise  # a student of another school, or no such workshop: nothing is saved
        domain_error(error)
        return _render_pick(workshop, form, 422)
    signups = [r.signup for r in results]
    # a waitlist place is not what was asked for: said in the warning style, not as a success
    flash(services.result_summary(signups), "warning" if any(s.status == "waitlisted" for s in signups) else "success")
    return redirect(url_for("signups.result", workshop_id=workshop_id, s=[r.signup.id for r in results],
                            existing=[r.signup.id for r in results if not r.created]))


def _int_args(name: str) -> list[int]:
    ids = (params.to_id(v) for v in request.args.getlist(name))
    return [ident for ident in ids if ident is not None][:ROSTER_PER_PAGE]


@bp.route("/workshops/<int:workshop_id>/result")
@requires(KEEP_ROSTER)
def result(workshop_id: int):
    workshop = _workshop_or_404(workshop_id)
    signups = [s for s in services.signups_by_ids(_int_args("s"), actor=current_user) if s.workshop_id == workshop.id]
    return render_template("signups/result.html", workshop=workshop, signups=signups,
                           existing=set(_int_args("existing")))


@bp.route("/workshops/<int:workshop_id>/list")
@requires(KEEP_ROSTER)
def workshop(workshop_id: int):
    workshop = _workshop_or_404(workshop_id)
    status = request.args.get("status") if request.args.get("status") in SIGNUP_STATUSES else None
    page = paginate(services.workshop_signups_query(workshop.id, actor=current_user, status=status))
    return render_template("signups/workshop.html", workshop=workshop, page=page, status=status,
                           cancel_form=CancelForm(), can_cancel=services.can_cancel,
                           open=services.can_sign_up(workshop, current_user))


@bp.route("/mine")
@requires(ACT_FOR_SCHOOL)
def mine():
    when = request.args.get("when") if request.args.get("when") in services.SIGNUP_WHEN else "upcoming"
    status = request.args.get("status") if request.args.get("status") in SIGNUP_STATUSES else None
    page = paginate(services.school_signups_query(current_user.school_id, when=when, status=status),
                    page_number())
    return render_template("signups/mine.html", page=page, when=when, status=status, cancel_form=CancelForm(),
                           can_cancel=services.can_cancel, now=utcnow())


@bp.route("/<int:signup_id>/cancel", methods=["POST"])
@requires(KEEP_ROSTER)
def cancel(signup_id: int):
    form = CancelForm()
    back = request.form.get("next") or request.args.get("next")
    if form.validate_on_submit():
        try:
            cancelled, promoted = services.cancel(signup_id, actor=current_user)
        except OutreachError as error:
            if error.status == 404:
                raise
            domain_error(error)
        else:
            message = _("The sign-up was cancelled.")
            if promoted is not None:
                message += " " + _("The freed place went to the first student on the waitlist.")
            flash(message, "success")
    if is_safe_next(back):
        return redirect(back)
    if is_staff(current_user):
        signup = services.get_signup(signup_id, actor=current_user)
        return redirect(url_for("signups.workshop", workshop_id=signup.workshop_id))
    return redirect(url_for("signups.mine"))
