"""Questionnaire pages: coordinators start an initiative's questionnaires from the ready questions; pupils answer
on the phone of whoever takes attendance (offline too, static/js/answers.js), passed from child to child; teachers
answer through the one-time link their school's representative got after the workshop."""
from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from outreach import params, text
from outreach.access import MANAGE_OUTCOMES, TAKE_ATTENDANCE, can_take_attendance, load_workshop_to_take_attendance, requires
from outreach.api import fields as f
from outreach.api.schemas import outcomes as schemas
from outreach.attendance import services as attendance
from outreach.auth.forms import EmptyForm
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError, json_error
from outreach.extensions import db
from outreach.i18n import LANGUAGES, _, _l, force_locale, localize
from outreach.initiatives import services as initiatives
from outreach.outcomes import services
from outreach.outcomes.forms import OutcomeTargetForm
from outreach.outcomes.models import AFTER, AUDIENCES, BEFORE, EACH, KINDS, SCALE5, STUDENTS, TEACHERS, TEXT, YESNO
from outreach.schools.models import School
from outreach.workshops import queries as workshops
from outreach.workshops.models import Workshop

bp = Blueprint("outcomes", __name__)

AUDIENCE_TITLES = {STUDENTS: _l("Questionnaire for pupils"), TEACHERS: _l("Questionnaire for teachers")}
KIND_TITLES = dict(zip(KINDS, (_l("Five faces or stars (1–5)"), _l("Yes / no"), _l("In words"))))
PHASE_TITLES = {BEFORE: _l("Opening questionnaire"), AFTER: _l("Closing questionnaire"),
                EACH: _l("Questionnaire after the workshop")}
#: what each of the five faces (or stars) says, for screen readers and under the faces
SCALE_WORDS = (_l("Not at all"), _l("A little"), _l("So-so"), _l("Quite a lot"), _l("Very much!"))
#: grades 0–4 tap faces; older pupils tap stars (the same five values)
FACES_UP_TO_GRADE = 4


def _user():
    return current_user._get_current_object()


def _target_form(questionnaire, formdata=None) -> OutcomeTargetForm:
    form = OutcomeTargetForm(formdata=formdata)
    form.target_key.choices = [("", _("No outcome target")), *(
        (q.key, localize(q.text).text) for q in (questionnaire.questions if questionnaire else [])
        if q.kind in (SCALE5, YESNO))]
    if formdata is None and questionnaire is not None:
        form.target_key.data, form.target_percent.data = questionnaire.target_key or "", questionnaire.target_percent
    return form


def _questionnaires_page(initiative, target_form=None, status: int = 200):
    existing = {q.audience: q for q in services.questionnaires(initiative)}
    target_form = target_form or _target_form(existing.get(STUDENTS))
    return render_template("outcomes/questionnaires.html", initiative=initiative, existing=existing,
                           audiences=AUDIENCES, audience_titles=AUDIENCE_TITLES, kind_titles=KIND_TITLES,
                           form=EmptyForm(), target_form=target_form), status


@bp.route("/initiatives/<int:initiative_id>/questionnaires")
@requires(MANAGE_OUTCOMES)
def questionnaires(initiative_id: int):
    return _questionnaires_page(initiatives.get_initiative(_user(), initiative_id))


@bp.route("/initiatives/<int:initiative_id>/questionnaires/target", methods=["POST"])
@requires(MANAGE_OUTCOMES)
def outcome_target(initiative_id: int):
    """Set (or clear) the pupils' questionnaire's outcome target; a wrong value keeps what was typed."""
    user = _user()
    initiative = initiatives.get_initiative(user, initiative_id)
    questionnaire = services.questionnaire_for(initiative.id, STUDENTS)
    if questionnaire is None:
        abort(404)
    form = _target_form(questionnaire, formdata=request.form)
    if form.validate_on_submit():
        try:
            services.set_outcome_target(questionnaire, form.target_key.data or None, form.target_percent.data,
                                        actor=user)
        except OutreachError as error:
            form.show_errors(error.fields)
        else:
            flash(_("The outcome target is saved.") if questionnaire.target_key
                  else _("The outcome target is removed."), "success")
            return redirect(url_for("outcomes.questionnaires", initiative_id=initiative.id))
    return _questionnaires_page(initiative, form, status=422)


@bp.route("/initiatives/<int:initiative_id>/questionnaires/<audience>/library", methods=["POST"])
@requires(MANAGE_OUTCOMES)
def start_from_library(initiative_id: int, audience: str):
    user = _user()
    initiative = initiatives.get_initiative(user, initiative_id)
    if audience not in AUDIENCES:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            services.start_from_library(initiative, audience, actor=user)
            flash(_("The questionnaire has been created from the ready questions."), "success")
        except OutreachError as error:
            flash(str(error.message), "warning")
    return redirect(url_for("outcomes.questionnaires", initiative_id=initiative.id))


# ------------------------------------------------------------------------------------------ pupils answer

def _answering(workshop_id: int, phase: str):
    user = _user()
    workshop = load_workshop_to_take_attendance(user, workshop_id)
    questionnaire = services.questionnaire_for(workshop.initiative_id, STUDENTS)
    if services.answering_phase(questionnaire, phase) is None or workshop.status == "cancelled":
        abort(404)
    return user, workshop, questionnaire


def _form_answers(questionnaire) -> dict:
    """A plain form's answers (the page without JavaScript): a_<key> = 1…5, yes or no."""
    answers = {}
    for question in questionnaire.questions:
        value = request.form.get(f"a_{question.key}", "")
        if question.kind == SCALE5 and params.to_int(value) is not None:
            answers[question.key] = params.to_int(value)
        elif question.kind == YESNO and value in ("yes", "no"):
            answers[question.key] = value == "yes"
    return answers


@bp.route("/workshops/<int:workshop_id>/answers/<phase>", methods=["GET", "POST"])
@requires(TAKE_ATTENDANCE)
def answer(workshop_id: int, phase: str):
    """The phone passes from child to child: the adult taps the pupil's name, the pupil taps faces (or stars) and
    gives the phone back; no name is typed and no other child's answer is shown. Kept on the phone like the
    attendance list, so it works offline."""
    user, workshop, questionnaire = _answering(workshop_id, phase)
    if request.method == "POST":
        form = EmptyForm()
        signup_id = params.to_id(request.form.get("signup_id"))
        if form.validate_on_submit() and signup_id:
            try:
                services.save_responses(workshop.id, [{"signup_id": signup_id, "phase": phase,
                                                       "answers": _form_answers(questionnaire)}], actor=user)
            except OutreachError as error:
                flash(str(error.message), "warning")
            else:
                flash(_("Thank you! The answers are saved."), "success")
        return redirect(url_for("outcomes.answer", workshop_id=workshop.id, phase=phase))
    roster = workshops.roster(workshop, user)
    pupils = [s for s in roster.confirmed if not s.student.is_erased] if roster else []
    answered = services.answered_signups(workshop.id, phase)
    html = render_template("outcomes/answer.html", workshop=workshop, questionnaire=questionnaire, phase=phase,
                           phase_title=PHASE_TITLES[phase], pupils=pupils, answered=answered, form=EmptyForm(),
                           scale_words=SCALE_WORDS, faces_up_to=FACES_UP_TO_GRADE,
                           fetched_at=utcnow())
    response = Response(html)
    response.headers["X-Offline-Keep-Until"] = attendance.keep_until(workshop).isoformat()
    response.headers["X-Offline-User"] = str(user.id)
    return response


class AnswersSyncIn(f.Body):
    idempotency_key = f.String(required=True, validate=f.Length(min=1, max=64))
    user_id = f.Integer(required=True, minimum=1)
    workshop_id = f.Integer(required=True, minimum=1)
    items = f.List(f.Nested(schemas.ResponseItemIn), required=True, validate=f.Length(min=1, max=services.MAX_ITEMS))


def _sync_refusal(status: int):
    """401 when the session has ended (the page keeps the answers and asks to sign in), 403 for other roles."""
    if status == 401:
        return json_error(401, _("You have been signed out. Sign in again to send the answers kept on this phone."),
                          "signed_out")
    return json_error(403, _("Your role may not do this."), "forbidden")


@bp.route("/attendance/answers", methods=["POST"])
@requires(TAKE_ATTENDANCE, refused=_sync_refusal)
def sync_answers():
    """Pupils' answers kept on the phone, sent with the session like the attendance marks (same retry rules:
    answering again replaces, so a batch sent twice changes nothing)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_error(400, _("Must be a JSON object."), "bad_request")
    try:
        loaded = AnswersSyncIn().load(data)
    except ma.ValidationError as error:
        return json_error(422, _("Some of the data is not valid."), "invalid",
                          {key: [str(value)] for key, value in error.normalized_messages().items()})
    if loaded["user_id"] != current_user.id:
        return json_error(409, _("These answers were taken under another account. They are sent only when that "
                                 "person signs in on this phone."), "other_user")
    user = _user()
    workshop = db.session.get(Workshop, loaded["workshop_id"])
    if workshop is None or not can_take_attendance(user, workshop):
        return json_error(404, _("The workshop was not found."), "not_found")
    try:
        saved = services.save_responses(workshop.id, loaded["items"], actor=user)
    except OutreachError as error:
        return json_error(error.status, error.message, error.code, error.fields)
    return jsonify(saved=saved, csrf_token=generate_csrf())


# ------------------------------------------------------------------------------------------ teachers answer

@bp.route("/feedback/<token>", methods=["GET", "POST"])
def teacher_answer(token: str):
    """A teacher answers through the one-time link (no account), in the school's language unless ?lang= says
    otherwise; once answered or expired the link says so."""
    try:
        link = services.teacher_link(token)
    except OutreachError:
        return render_template("outcomes/teacher_closed.html", state="unknown"), 404
    workshop = db.session.get(Workshop, link.workshop_id)
    school = db.session.get(School, link.school_id)
    asked = request.args.get("lang")
    language = asked if asked in LANGUAGES else services.school_language(school, "kk")
    questionnaire = services.questionnaire_for(workshop.initiative_id, TEACHERS)
    with force_locale(language):
        state = services.link_state(link)
        if state != "open" or questionnaire is None:
            status = 410 if state == "expired" else 200
            return render_template("outcomes/teacher_closed.html", state=state, workshop=workshop), status
        form = EmptyForm()
        error = None
        if request.method == "POST" and form.validate_on_submit():
            answers = {}
            for question in questionnaire.questions:
                value = request.form.get(f"a_{question.key}", "").strip()
                if question.kind == SCALE5 and params.to_int(value) is not None:
                    answers[question.key] = params.to_int(value)
                elif question.kind == YESNO and value in ("yes", "no"):
                    answers[question.key] = value == "yes"
                elif question.kind == TEXT and value:
                    if text.problem(value, multiline=True) is not None:  # the rule of every typed text
                        error = str(text.problem(value, multiline=True))
                    answers[question.key] = text.normalized(value[:services.TEXT_ANSWER_MAX])
            try:
                if error is None:
                    services.answer_teacher_link(link, answers)
            except OutreachError as problem:
                error = str(problem.message)
            else:
                if error is None:
                    return render_template("outcomes/teacher_closed.html", state="thanks", workshop=workshop)
        return render_template("outcomes/teacher_answer.html", workshop=workshop, school=school,
                               questionnaire=questionnaire, form=form, error=error, scale_words=SCALE_WORDS,
                               language=language), 422 if error else 200
