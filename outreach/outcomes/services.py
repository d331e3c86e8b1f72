"""Questionnaires (at most 10 questions, every text in kk/ru/en), pupils' answers per sign-up and their count."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any, Iterable, Mapping

from sqlalchemy import func, select

from outreach.errors import Conflict, FieldErrors, NotFound, OutreachError
from outreach.extensions import db
from outreach.dbtypes import utcnow
from outreach.i18n import LANGUAGES, _l
from outreach.initiatives.models import Initiative
from outreach.outcomes.library import library
from outreach.outcomes.models import (
    AFTER, AFTER_EACH, AUDIENCES, BEFORE, BEFORE_AFTER, EACH, KINDS, SCALE5, STUDENTS, TEACHERS, TEXT, WHENS, YESNO,
    Question, Questionnaire, Response, TeacherLink,
)
from outreach.notifications import services as notifications
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop

MAX_QUESTIONS = 10
QUESTION_MAX = 300
TEXT_ANSWER_MAX = 2000
MAX_ITEMS = 500
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PHASES_OF = {BEFORE_AFTER: (BEFORE, AFTER), AFTER_EACH: (EACH,)}


def questionnaires(initiative: Initiative) -> list[Questionnaire]:
    """The initiative's questionnaires: pupils' first, then teachers'."""
    found = db.session.scalars(select(Questionnaire).where(Questionnaire.initiative_id == initiative.id)).all()
    return sorted(found, key=lambda q: AUDIENCES.index(q.audience))


def questionnaire_for(initiative_id: int, audience: str) -> Questionnaire | None:
    return db.session.scalar(select(Questionnaire).where(Questionnaire.initiative_id == initiative_id,
                                                         Questionnaire.audience == audience))


def _clean_questions(audience: str, questions: Any, errors: FieldErrors) -> list[dict]:
    if not isinstance(questions, list) or not questions:
        errors.add("questions", _l("Add at least one question."))
        return []
    if len(questions) > MAX_QUESTIONS:
        errors.add("questions", _l("Too many questions: at most %(n)s.", n=MAX_QUESTIONS))
        return []
    cleaned, keys = [], set()
    for i, question in enumerate(questions):
        where = f"questions.{i}"
        if not isinstance(question, Mapping):
            errors.add(where, _l("Some of the data is not valid."))
            continue
        key, kind, text = question.get("key"), question.get("kind"), question.get("text")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            errors.add(f"{where}.key", _l("Use small Latin letters, digits and _ (at most 40)."))
        elif key in keys:
            errors.add(f"{where}.key", _l("Each question needs its own key."))
        keys.add(key)
        if kind not in KINDS:
            errors.add(f"{where}.kind", _l("Not one of the allowed values."))
        elif kind == TEXT and audience != TEACHERS:
            errors.add(f"{where}.kind", _l("Only teachers answer in words; pupils tap faces or yes/no."))
        texts = {}
        if not isinstance(text, Mapping):
            errors.add(f"{where}.text", _l("Enter the text as an object with kk, ru and en."))
        else:
            for code, value in text.items():
                if code not in LANGUAGES:
                    errors.add(f"{where}.text.{code}", _l("Only kk, ru and en are accepted."))
                elif value is not None and not isinstance(value, str):
                    errors.add(f"{where}.text.{code}", _l("Enter text."))
                elif value and len(value.strip()) > QUESTION_MAX:
                    errors.add(f"{where}.text.{code}", _l("At most %(n)s characters.", n=QUESTION_MAX))
                elif value and value.strip():
                    texts[code] = value.strip()
            if not texts:
                errors.add(f"{where}.text", _l("Enter the question in at least one language."))
        cleaned.append({"key": key, "kind": kind, "text": texts})
    return cleaned


def save_questionnaire(initiative: Initiative, data: Mapping[str, Any], *, actor: Any) -> Questionnaire:
    """Create the initiative's questionnaire for an audience, or replace its questions (answers are kept by key)."""
    errors = FieldErrors()
    audience = data.get("audience")
    if audience not in AUDIENCES:
        errors.add("audience", _l("Not one of the allowed values."))
    when = data.get("when") or BEFORE_AFTER
    if when not in WHENS:
        errors.add("when", _l("Not one of the allowed values."))
    questions = _clean_questions(audience, data.get("questions"), errors) if audience in AUDIENCES else []
    errors.raise_if_any()
    questionnaire = questionnaire_for(initiative.id, audience)
    if questionnaire is None:
        questionnaire = Questionnaire(initiative_id=initiative.id, audience=audience)
        db.session.add(questionnaire)
    questionnaire.timing = when if audience == STUDENTS else AFTER_EACH
    questionnaire.questions.clear()
    db.session.flush()
    for position, q in enumerate(questions):
        questionnaire.questions.append(Question(position=position, key=q["key"], kind=q["kind"], text=q["text"]))
    db.session.flush()
    return questionnaire


def start_from_library(initiative: Initiative, audience: str, *, actor: Any) -> Questionnaire:
    """The ready questions for an audience in one click (a questionnaire already there is left as it is)."""
    existing = questionnaire_for(initiative.id, audience)
    if existing is not None:
        raise Conflict(_l("This initiative already has a questionnaire for them."), code="questionnaire_exists")
    return save_questionnaire(initiative, {"audience": audience, "when": BEFORE_AFTER,
                                           "questions": library(audience)}, actor=actor)


def set_outcome_target(questionnaire: Questionnaire, key: str | None, percent: Any, *, actor: Any) -> Questionnaire:
    """The pupils' questionnaire's outcome target: `percent` of pupils rate question `key` 4 or 5 (or say yes) in
    their last answer. No key clears it."""
    if questionnaire.audience != STUDENTS:
        raise Conflict(_l("Only a questionnaire for pupils has an outcome target."), code="not_for_pupils")
    if not key:
        questionnaire.target_key = questionnaire.target_percent = None
        db.session.flush()
        return questionnaire
    errors = FieldErrors()
    kinds = {q.key: q.kind for q in questionnaire.questions}
    if kinds.get(key) not in (SCALE5, YESNO):
        errors.add("target_key", _l("Choose a question answered with faces, stars or yes/no."))
    if not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= 100:
        errors.add("target_percent", _l("Enter a number from %(low)s to %(high)s.", low=1, high=100))
    errors.raise_if_any()
    questionnaire.target_key, questionnaire.target_percent = key, percent
    db.session.flush()
    return questionnaire


def delete_questionnaire(questionnaire: Questionnaire, *, actor: Any) -> None:
    """Remove a questionnaire nobody has answered yet (answered ones stay: the report compares them)."""
    if questionnaire.audience == STUDENTS and _answered(questionnaire.initiative_id):
        raise Conflict(_l("Pupils have answered this questionnaire; it can be changed but not removed."),
                       code="questionnaire_answered")
    db.session.delete(questionnaire)
    db.session.flush()


def _answered(initiative_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(Response).join(
        Workshop, Workshop.id == Response.workshop_id).where(Workshop.initiative_id == initiative_id)) > 0


# ------------------------------------------------------------------------------------------ pupils' answers

def phases(questionnaire: Questionnaire | None) -> tuple[str, ...]:
    return PHASES_OF[questionnaire.timing] if questionnaire is not None else ()


def clean_answers(questionnaire: Questionnaire, answers: Any, field: str, errors: FieldErrors) -> dict:
    """{key: value} checked against the questions: scale5 1…5, yesno true/false; null or missing is skipped."""
    if not isinstance(answers, Mapping):
        errors.add(field, _l("Some of the data is not valid."))
        return {}
    kinds = {q.key: q.kind for q in questionnaire.questions}
    cleaned = {}
    for key, value in answers.items():
        if key not in kinds:
            errors.add(f"{field}.{key}", _l("Not a question of this questionnaire."))
        elif value is None:
            continue
        elif kinds[key] == SCALE5 and not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5):
            errors.add(f"{field}.{key}", _l("Choose one of the five faces (1 to 5)."))
        elif kinds[key] == YESNO and not isinstance(value, bool):
            errors.add(f"{field}.{key}", _l("Answer yes or no."))
        elif kinds[key] == TEXT and not (isinstance(value, str) and len(value) <= TEXT_ANSWER_MAX):
            errors.add(f"{field}.{key}", _l("At most %(n)s characters.", n=TEXT_ANSWER_MAX))
        elif kinds[key] != TEXT or value.strip():
            cleaned[key] = value.strip() if kinds[key] == TEXT else value
    return cleaned


def save_responses(workshop_id: int, items: Iterable[Mapping[str, Any]], *, actor: Any) -> int:
    """Pupils' answers of one workshop, per sign-up (never a name): answering again replaces, an answer with every
    question skipped removes the earlier one. Returns how many sign-ups' answers are saved."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(_l("The workshop was not found."))
    if workshop.status == "cancelled":
        raise Conflict(_l("The workshop is cancelled."), code="workshop_cancelled")
    questionnaire = questionnaire_for(workshop.initiative_id, STUDENTS)
    if questionnaire is None:
        raise Conflict(_l("This initiative has no questionnaire for pupils."), code="no_questionnaire")
    items = list(items)
    if len(items) > MAX_ITEMS:
        raise OutreachError(_l("Too many answers at once: at most %(n)s.", n=MAX_ITEMS), fields={"items": [
            _l("Too many answers at once: at most %(n)s.", n=MAX_ITEMS)]})
    confirmed = set(db.session.scalars(select(Signup.id).where(Signup.workshop_id == workshop_id,
                                                               Signup.status == "confirmed")))
    errors = FieldErrors()
    wanted: dict[tuple[int, str], dict] = {}
    allowed = phases(questionnaire)
    for i, item in enumerate(items):
        where = f"items.{i}"
        signup_id, phase = item.get("signup_id"), item.get("phase")
        if not isinstance(signup_id, int) or isinstance(signup_id, bool) or signup_id not in confirmed:
            errors.add(f"{where}.signup_id", _l("Not a confirmed student of this workshop."))
        if phase not in allowed:
            errors.add(f"{where}.phase", _l("This questionnaire is not asked at that moment."))
        answers = clean_answers(questionnaire, item.get("answers"), f"{where}.answers", errors)
        wanted[(signup_id, phase)] = answers
    errors.raise_if_any()
    existing = {(r.signup_id, r.phase): r for r in db.session.scalars(select(Response).where(
        Response.workshop_id == workshop_id))}
    now, saved = utcnow(), 0
    for (signup_id, phase), answers in wanted.items():
        row = existing.get((signup_id, phase))
        if not answers:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = Response(signup_id=signup_id, workshop_id=workshop_id, phase=phase)
            db.session.add(row)
        row.answers, row.answered_at, row.recorded_by_id = answers, now, getattr(actor, "id", None)
        saved += 1
    db.session.flush()
    return saved


def answered_count(workshop_id: int, phase: str) -> tuple[int, int]:
    """(sign-ups that answered at this moment, confirmed sign-ups): "7 of 12 answered"."""
    total = db.session.scalar(select(func.count()).select_from(Signup).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed"))
    answered = db.session.scalar(select(func.count()).select_from(Response).join(
        Signup, Signup.id == Response.signup_id).where(Response.workshop_id == workshop_id, Response.phase == phase,
                                                     Signup.status == "confirmed"))
    return int(answered), int(total)


def answered_signups(workshop_id: int, phase: str) -> set[int]:
    return set(db.session.scalars(select(Response.signup_id).where(Response.workshop_id == workshop_id,
                                                                   Response.phase == phase)))


def confirmed_signup_ids(workshop_id: int) -> list[int]:
    """The confirmed sign-ups in a stable order that says nothing about the pupils (their ids)."""
    return list(db.session.scalars(select(Signup.id).where(Signup.workshop_id == workshop_id,
                                                           Signup.status == "confirmed").order_by(Signup.id)))


def answering_phase(questionnaire: Questionnaire | None, phase: str) -> str | None:
    """The phase if pupils are asked at that moment by this questionnaire, else None."""
    return phase if phase in phases(questionnaire) else None


# ------------------------------------------------------------------------------------------ teachers' links

TEACHER_LINK_DAYS = 14


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def school_language(school: School, fallback: str) -> str:
    """The language a school is written to in: its first language of instruction among kk and ru."""
    if any(code in ("kk", "ru") for code in school.languages):
        return school.written_language
    return fallback if fallback in LANGUAGES else "kk"


def send_teacher_links(workshop_id: int) -> list[TeacherLink]:
    """After a workshop (its attendance recorded): one link per school with pupils in it, to the school's
    representatives, in the school's language, through the outbox. A school that already has a link for this
    workshop gets none again (one answer per link)."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.status == "cancelled":
        return []
    questionnaire = questionnaire_for(workshop.initiative_id, TEACHERS)
    if questionnaire is None or not questionnaire.questions:
        return []
    school_ids = set(db.session.scalars(select(Student.school_id).join(Signup, Signup.student_id == Student.id).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed", Student.school_id.is_not(None))))
    have = set(db.session.scalars(select(TeacherLink.school_id).where(TeacherLink.workshop_id == workshop_id)))
    links = []
    for school_id in sorted(school_ids - have):
        school = db.session.get(School, school_id)
        token = secrets.token_urlsafe(24)
        link = TeacherLink(token_hash=_token_hash(token), workshop_id=workshop_id, school_id=school_id,
                           created_at=utcnow(), expires_at=utcnow() + timedelta(days=TEACHER_LINK_DAYS))
        db.session.add(link)
        db.session.flush()
        notifications.teacher_feedback_link(workshop, school, token, school_language(school, "kk"),
                                            link.expires_at)
        links.append(link)
    return links


def teacher_link(token: str) -> TeacherLink:
    """The link of this token (NotFound for an unknown one); expired and answered links are returned too."""
    link = db.session.scalar(select(TeacherLink).where(TeacherLink.token_hash == _token_hash(token or "")))
    if link is None:
        raise NotFound(_l("This link is not valid."))
    return link


def link_state(link: TeacherLink) -> str:
    """open, answered or expired."""
    if link.answered_at is not None:
        return "answered"
    if link.expires_at <= utcnow():
        return "expired"
    return "open"


def answer_teacher_link(link: TeacherLink, answers: Mapping[str, Any]) -> TeacherLink:
    """A teacher's answer through the one-time link: once only, before it expires."""
    state = link_state(link)
    if state == "answered":
        raise Conflict(_l("This questionnaire has already been answered through this link. Thank you."),
                       code="already_answered")
    if state == "expired":
        raise Conflict(_l("This link has expired."), code="link_expired", status=410)
    workshop = db.session.get(Workshop, link.workshop_id)
    questionnaire = questionnaire_for(workshop.initiative_id, TEACHERS)
    if questionnaire is None:
        raise Conflict(_l("This initiative has no questionnaire for teachers."), code="no_questionnaire")
    errors = FieldErrors()
    cleaned = clean_answers(questionnaire, answers, "answers", errors)
    errors.raise_if_any()
    if not cleaned:
        raise OutreachError(_l("Answer at least one question."), fields={"answers": [_l("Answer at least one question.")]})
    link.answers, link.answered_at = cleaned, utcnow()
    db.session.flush()
    return link
