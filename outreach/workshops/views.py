"""Workshop pages: the list, the calendar, one workshop, scheduling forms, attendance and calendar feeds."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from outreach.access import (
    FOLLOW_CALENDAR, SCHEDULE_WORKSHOPS, SEE_WORKSHOPS, TAKE_ATTENDANCE, can_take_attendance, is_school_rep, is_staff,
    keeps_rosters, own_school_id, requires, sees_seat_counts, visible_initiatives,
)
from outreach.attendance import services as attendance
from outreach.attendance.forms import AttendanceForm
from outreach.attendance.rules import saved_message
from outreach.auth.services import regenerate_feed_token
from outreach.collation import sort_key, stored_order
from outreach.dates import fmt_date
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import _, current_language, localize, ngettext
from outreach.initiatives.models import Initiative
from outreach.outcomes import services as outcomes
from outreach.outcomes.models import STUDENTS
from outreach.schools.models import Region, School
from outreach import params
from outreach.signups.services import school_summary
from outreach.web import domain_error, paginate
from outreach.workshops import calendar as cal
from outreach.workshops import ics, queries, rules, services
from outreach.workshops.forms import CancelForm, FilterForm, SeriesForm, WorkshopForm
from outreach.cache import cached_page
from outreach.workshops.models import Workshop, WorkshopSeries
from outreach.artists.models import Artist
from outreach.venues.models import Venue

bp = Blueprint("workshops", __name__)


def _user():
    return current_user._get_current_object()


@bp.app_template_global("sees_seats")
def _sees_seats() -> bool:
    """Whether the pages may show this viewer a workshop's seats taken, seats left and waitlist (not a funder)."""
    return sees_seat_counts(current_user)


def _today() -> date:
    return rules.local_date(utcnow())


# ---------------------------------------------------------------------------------------------------------------
# Lists

def _filters(user, *, full: bool = True) -> FilterForm:
    """The filter form with its choices: one query per choice list, whatever the number of rows."""
    filters = FilterForm(request.args)
    initiatives = db.session.scalars(visible_initiatives(user).order_by(Initiative.starts_on.desc())).all()
    filters.initiative_id.choices = [("", _("All initiatives")), *((i.id, i.display_title.text) for i in initiatives)]
    if full:
        regions = db.session.scalars(select(Region).order_by(Region.code)).all()
        filters.region.choices = [("", _("All regions")), *sorted(((r.code, r.name) for r in regions),
                                                                   key=lambda c: sort_key(c[1]))]
        filters.artist_id.choices = [("", _("All teaching artists")), *queries.record_choices(Artist)]
        filters.venue_id.choices = [("", _("All venues")), *queries.record_choices(Venue)]
    filters.validate()
    return filters


@bp.route("/workshops")
@requires(SCHEDULE_WORKSHOPS)
@cached_page()
def index():
    user = _user()
    filters = _filters(user)
    if "date_from" not in request.args and "date_to" not in request.args:
        # upcoming first; clearing the field (an empty value) shows the past too
        filters.date_from.data = _today()
    values = filters.values()
    page = paginate(queries.workshops_query(user, **values))
    return render_template("workshops/index.html", page=page, filters=filters,
                           filtered=bool(set(values) - {"date_from"} or "date_from" in request.args),
                           cancel_form=CancelForm())


def _calendar_day(raw: str | None) -> date:
    try:
        day = date.fromisoformat(raw) if raw else _today()
    except ValueError:
        return _today()
    # far-away years have no neighbouring month to link to
    return day if 1900 <= day.year <= 2200 else _today()


@bp.route("/calendar")
@requires(FOLLOW_CALENDAR)
@cached_page(etag=True)
def calendar():
    user = _user()
    view = "week" if request.args.get("view") == "week" else "month"
    day = _calendar_day(request.args.get("date"))
    locale = current_language()
    if view == "month":
        weeks = cal.month_weeks(day.year, day.month)
        days = [d for week in weeks for d in week]
        title = cal.month_title(day, locale)
        prev_day, next_day = cal.shift_month(day, -1), cal.shift_month(day, 1)
    else:
        days = cal.week_days(day)
        title = cal.week_title(days[0], locale)
        prev_day, next_day = days[0] - timedelta(days=7), days[0] + timedelta(days=7)
    filters = _filters(user, full=is_staff(user))
    values = {k: v for k, v in filters.values().items() if k not in ("date_from", "date_to")}
    query = queries.workshops_query(user, date_from=days[0], date_to=days[-1], **values)
    mine_only = is_school_rep(user) and request.args.get("mine") == "1"
    workshops = db.session.scalars(query).all()
    marks = school_summary(own_school_id(user), [w.id for w in workshops])
    if mine_only:
        workshops = [w for w in workshops if w.id in marks]
    cells = cal.grid(days, workshops, month=day.month if view == "month" else None, today=_today())
    return render_template("workshops/calendar.html", view=view, day=day, cells=cells, title=title,
                           weekday_names=cal.weekday_names(locale), weekday_wide=cal.weekday_names(locale, "wide"),
                           prev_day=prev_day, next_day=next_day, filters=filters, marks=marks, mine_only=mine_only,
                           filtered=bool(values) or mine_only, today=_today(),
                           keep={k: v for k, v in request.args.items() if k not in ("date", "view", "lang", "page")})


# ---------------------------------------------------------------------------------------------------------------
# One workshop

@bp.route("/workshops/<int:workshop_id>")
@requires(SEE_WORKSHOPS)
def detail(workshop_id: int):
    user = _user()
    workshop = queries.get_workshop(user, workshop_id)
    series_sessions = None
    if workshop.series_id is not None:
        series_sessions = db.session.scalars(select(Workshop.id).where(
            Workshop.series_id == workshop.series_id).order_by(Workshop.starts_at, Workshop.id)).all()
    answer_phases = []
    takes_attendance = can_take_attendance(user, workshop)
    if takes_attendance and workshop.status != "cancelled":
        questionnaire = outcomes.questionnaire_for(workshop.initiative_id, STUDENTS)
        answer_phases = [(phase, *outcomes.answered_count(workshop.id, phase))
                         for phase in outcomes.phases(questionnaire)]
    return render_template("workshops/detail.html", workshop=workshop, roster=queries.roster(workshop, user),
                           is_staff=is_staff(user), takes_attendance=takes_attendance,
                           manages_signups=keeps_rosters(user), cancel_form=CancelForm(), series_sessions=series_sessions,
                           local_day=rules.local_date(workshop.starts_at), answer_phases=answer_phases)


def _initiative_choices(form: WorkshopForm, user, current: int | None = None) -> None:
    query = visible_initiatives(user).where(Initiative.status == "active")
    if current is not None:
        query = visible_initiatives(user).where((Initiative.status == "active") | (Initiative.id == current))
    initiatives = db.session.scalars(query.order_by(Initiative.starts_on.desc(), Initiative.id)).all()
    form.initiative_id.choices = [("", _("Choose an initiative")), *(
        (i.id, f"{i.display_title.text} ({fmt_date(i.starts_on, 'short')} – {fmt_date(i.ends_on, 'short')})")
        for i in initiatives)]
    form.artist_id.choices = [("", _("Choose a teaching artist")), *queries.record_choices(Artist)]
    form.venue_id.choices = [("", _("Choose a venue")), *queries.record_choices(Venue, with_place=True)]


def _render_form(template: str, form, workshop=None, status: int = 200):
    return render_template(template, form=form, workshop=workshop), status


@bp.route("/workshops/new", methods=["GET", "POST"])
@requires(SCHEDULE_WORKSHOPS)
def new():
    user = _user()
    form = WorkshopForm()
    _initiative_choices(form, user)
    if request.method == "GET":
        form.initiative_id.data = params.to_id(request.args.get("initiative_id"))
        return _render_form("workshops/form.html", form)
    if not form.validate_on_submit():
        return _render_form("workshops/form.html", form, status=422)
    try:
        workshop = services.create_workshop(form.to_data(), actor=user)
    except OutreachError as error:
        domain_error(error)
        form.show_errors(error.fields)
        return _render_form("workshops/form.html", form, status=422)
    flash(_("The workshop has been scheduled."), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id))


@bp.route("/workshops/new-series", methods=["GET", "POST"])
@requires(SCHEDULE_WORKSHOPS)
def new_series():
    user = _user()
    form = SeriesForm()
    _initiative_choices(form, user)
    names = cal.weekday_names(current_language(), "wide")
    form.weekdays.choices = [(i + 1, names[i]) for i in range(7)]
    form.school_id.choices = [("", _("Any school")), *(
        (school.id, school.name) for school in db.session.scalars(select(School).order_by(stored_order(School),
                                                                                           School.id)))]
    if request.method == "GET":
        form.initiative_id.data = params.to_id(request.args.get("initiative_id"))
        return _render_form("workshops/series_form.html", form)
    # the dates offered for skipping come back with the form (the clashes found on the previous try)
    form.skip_dates.choices = [(d.isoformat(), fmt_date(d, "full")) for d in form.skipped()]
    if not form.validate_on_submit():
        return _render_form("workshops/series_form.html", form, status=422)
    try:
        workshops = services.create_series(form.to_data(), form.rule(), actor=user, skip_dates=form.skipped(),
                                           school_id=form.school_id.data)
    except OutreachError as error:
        domain_error(error)
        form.show_errors(error.fields)
        clashes = getattr(error, "clashes", None)
        if clashes:
            # every clashing date, ticked: creating again leaves them out (with the ones skipped already)
            offered = {d: text for d, text in form.skip_dates.choices}
            offered.update((day.isoformat(), f"{fmt_date(day, 'full')}: {reason}") for day, reason in clashes)
            form.skip_dates.choices = sorted(offered.items())
            form.skip_dates.data = [date.fromisoformat(d) for d in offered]
        return render_template("workshops/series_form.html", form=form, workshop=None,
                               clashes=clashes), 409 if clashes else 422
    flash(ngettext("The series has been scheduled: %(num)s session.",
                   "The series has been scheduled: %(num)s sessions.", len(workshops)), "success")
    return redirect(url_for("workshops.series", series_id=workshops[0].series_id))


@bp.route("/workshops/series/<int:series_id>")
@requires(SCHEDULE_WORKSHOPS)
def series(series_id: int):
    """Every date of a series (and the dates it skipped), e.g. right after creating it."""
    found = db.session.get(WorkshopSeries, series_id)
    if found is None:
        abort(404)
    sessions = db.session.scalars(select(Workshop).where(Workshop.series_id == series_id)
                                  .order_by(Workshop.starts_at, Workshop.id)).all()
    school = db.session.get(School, found.school_id) if found.school_id else None
    return render_template("workshops/series.html", series=found, sessions=sessions, school=school,
                           skipped=[date.fromisoformat(d) for d in found.skipped_dates or []])


def _staff_workshop(workshop_id: int) -> Workshop:
    return queries.get_workshop(_user(), workshop_id)


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@requires(SCHEDULE_WORKSHOPS)
def edit(workshop_id: int):
    user = _user()
    workshop = _staff_workshop(workshop_id)
    if workshop.status == "cancelled":
        flash(_("This workshop was cancelled; it can no longer be changed."), "warning")
        return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    form = WorkshopForm()
    _initiative_choices(form, user, current=workshop.initiative_id)
    if request.method == "GET":
        form.fill_from(workshop)
        return _render_form("workshops/form.html", form, workshop)
    if not form.validate_on_submit():
        return _render_form("workshops/form.html", form, workshop, status=422)
    try:
        if workshop.series_id and form.scope.data == "following":
            sessions = services.update_following(workshop, form.to_data(), actor=user)
            message = ngettext("%(num)s session has been saved.", "%(num)s sessions have been saved.", len(sessions))
        else:
            services.update_workshop(workshop, form.to_data(), actor=user)
            message = _("The workshop has been saved.")
    except OutreachError as error:
        domain_error(error)
        form.show_errors(error.fields)
        return _render_form("workshops/form.html", form, db.session.get(Workshop, workshop_id), status=422)
    flash(message, "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id))


@bp.route("/workshops/<int:workshop_id>/cancel", methods=["POST"])
@requires(SCHEDULE_WORKSHOPS)
def cancel(workshop_id: int):
    user = _user()
    workshop = _staff_workshop(workshop_id)
    form = CancelForm()
    form.validate()
    try:
        if workshop.series_id and form.scope.data == "following":
            sessions = services.cancel_following(workshop, actor=user)
            flash(ngettext("%(num)s session has been cancelled.", "%(num)s sessions have been cancelled.",
                           len(sessions)), "success")
        else:
            services.cancel_workshop(workshop, actor=user)
            flash(_("The workshop has been cancelled. The schools with sign-ups have been told."), "success")
    except OutreachError as error:
        domain_error(error)
    return redirect(url_for("workshops.detail", workshop_id=workshop_id))


# ---------------------------------------------------------------------------------------------------------------
# Attendance

@bp.route("/workshops/<int:workshop_id>/attendance", methods=["GET", "POST"], endpoint="attendance")
@requires(TAKE_ATTENDANCE)
def attendance_sheet(workshop_id: int):
    """The roster to tick. The page works offline too (static/js/attendance.js): it is kept on the phone until
    the workshop's end plus seven days, and a workshop that has not started yet shows its roster closed until
    the start, so that a list kept before a trip opens when the workshop begins."""
    user = _user()
    workshop = _staff_workshop(workshop_id)
    roster = queries.roster(workshop, user)
    form = AttendanceForm.for_roster(roster.confirmed, workshop.duration_minutes)
    try:
        attendance.check_can_record(workshop)
    except OutreachError as error:
        if request.method == "POST" or workshop.status == "cancelled":
            return render_template("workshops/attendance.html", workshop=workshop, roster=roster, form=None,
                                   reason=str(error), recorded={}), 409 if request.method == "POST" else 200
        return _keepable(render_template("workshops/attendance.html", workshop=workshop, roster=roster, form=form,
                                         reason=str(error), recorded={}, fetched_at=utcnow()), workshop, user)
    recorded = attendance.recorded(workshop.id)
    if request.method == "POST":
        valid = form.validate_on_submit()
        for sid in form.late_missing():
            form.late_field(sid).errors = [_("Say how many minutes late.")]
            valid = False
        if valid:
            try:
                marks = {sid: attendance.Recorded(*mark) for sid, mark in form.marks().items()}
                counts = attendance.record_marks(workshop.id, marks, actor=user)
            except OutreachError as error:
                domain_error(error)
            else:
                flash(saved_message(counts), "success")
                return redirect(url_for("workshops.detail", workshop_id=workshop.id))
        # keep what was marked
        recorded = {sid: attendance.Recorded(*mark) for sid, mark in form.marks().items()}
        workshop = db.session.get(Workshop, workshop_id)
        return render_template("workshops/attendance.html", workshop=workshop,
                               roster=queries.roster(workshop, user), form=form,
                               reason=None, recorded=recorded, fetched_at=utcnow()), 422
    form.show(recorded)  # the ticks and menus show what was recorded
    return _keepable(render_template("workshops/attendance.html", workshop=workshop, roster=roster, form=form,
                                     reason=None, recorded=recorded, fetched_at=utcnow()), workshop, user)


def _keepable(html: str, workshop: Workshop, user) -> Response:
    """Tell the service worker it may keep this page on the phone, for whom and until when."""
    response = Response(html)
    response.headers["X-Offline-Keep-Until"] = attendance.keep_until(workshop).isoformat()
    response.headers["X-Offline-User"] = str(user.id)
    return response


# ---------------------------------------------------------------------------------------------------------------
# Calendar feeds

@bp.route("/calendar/<token>.ics")
@cached_page(etag=True, public=True)
def feed(token: str):
    user = queries.feed_user(token)
    if user is None:
        abort(404)
    initiative_id = params.to_id(request.args.get("initiative_id")) if is_staff(user) else None
    workshops = queries.feed_workshops(user, initiative_id=initiative_id)
    name = "Outreach"
    if initiative_id is not None:
        initiative = db.session.get(Initiative, initiative_id)
        if initiative is not None:
            name = f"Outreach · {localize(initiative.title, user.locale).text}"
    body = ics.build_feed(workshops, language=user.locale, name=name)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="outreach.ics"'
    return response


@bp.route("/account/calendar-feed", methods=["POST"])
@requires(FOLLOW_CALENDAR)
def regenerate_feed():
    # the form carries only the CSRF token, which CSRFProtect has checked before this view runs
    regenerate_feed_token(_user())
    flash(_("Your calendar feed has a new address. The old address no longer works."), "success")
    return redirect(url_for("auth.account"))
