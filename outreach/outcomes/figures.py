"""What the questionnaires say, for the impact report: per question, the pupils' answers before and after, and the
teachers' answers — exact figures; the report protects them for funders (`protect`).

A *pair* is one pupil's first and last answer to a question in one initiative: the opening and the closing
questionnaire (one sign-up for a single workshop; the first and the last session of a series), or for a
questionnaire asked after each workshop, the first and the last of those. A yes/no answer counts as 1 or 0, so its
mean is the share of "yes". Answers stay when a pupil is erased (they belong to the sign-up, never to a name), so no
figure moves.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import func, select

from outreach.extensions import db
from outreach.outcomes.models import BEFORE, SCALE5, STUDENTS, TEACHERS, TEXT, YESNO, Question, Questionnaire, Response, TeacherLink
from outreach.schools.models import School
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.workshops.models import Workshop

#: the newest teachers' comments a coordinator reads on the report page
COMMENTS_SHOWN = 20


@dataclass(frozen=True)
class Selection:
    """The report's filters as the outcomes need them (the same workshops as the report's figures)."""

    initiative_ids: tuple[int, ...] | None
    region: str | None
    starts_from: datetime | None  # inclusive
    starts_before: datetime | None  # exclusive
    now: datetime


def _workshop_conditions(selection: Selection) -> list:
    conditions = [Workshop.status != "cancelled", Workshop.starts_at <= selection.now]
    if selection.initiative_ids is not None:
        conditions.append(Workshop.initiative_id.in_(selection.initiative_ids))
    if selection.starts_from is not None:
        conditions.append(Workshop.starts_at >= selection.starts_from)
    if selection.starts_before is not None:
        conditions.append(Workshop.starts_at < selection.starts_before)
    return conditions


def _questions(selection: Selection) -> dict[str, list[Question]]:
    """{audience: the questions of the selection's initiatives, one per key (the first initiative's text)}, in one
    query."""
    query = select(Questionnaire.audience, Question).join(Questionnaire)
    if selection.initiative_ids is not None:
        query = query.where(Questionnaire.initiative_id.in_(selection.initiative_ids))
    seen: dict[str, dict[str, Question]] = {STUDENTS: {}, TEACHERS: {}}
    for audience, question in db.session.execute(query.order_by(Questionnaire.initiative_id, Question.position)):
        seen[audience].setdefault(question.key, question)
    return {audience: list(questions.values()) for audience, questions in seen.items()}


def _value(kind: str, value: Any) -> float | None:
    if kind == SCALE5 and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == YESNO and isinstance(value, bool):
        return 1.0 if value else 0.0
    return None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _answers_by_pupil(selection: Selection) -> dict[tuple[int, int], list[tuple[bool, datetime, int, dict]]]:
    """Each pupil's answers in an initiative, in the order they were given (an opening answer first)."""
    query = (select(Workshop.initiative_id, Signup.student_id, Response.phase, Workshop.starts_at, Response.id,
                    Response.answers)
             .join(Signup, Signup.id == Response.signup_id).join(Workshop, Workshop.id == Response.workshop_id)
             .where(*_workshop_conditions(selection)))
    if selection.region is not None:
        query = query.join(Student, Student.id == Signup.student_id).join(School, School.id == Student.school_id) \
            .where(School.region_code == selection.region)
    answers: dict[tuple[int, int], list[tuple[bool, datetime, int, dict]]] = {}
    for initiative_id, student_id, phase, starts_at, response_id, given in db.session.execute(query):
        answers.setdefault((initiative_id, student_id), []).append((phase != BEFORE, starts_at, response_id, given or {}))
    return {pupil: sorted(given, key=lambda g: g[:3]) for pupil, given in answers.items()}


def _values(question: Question, given: list[tuple[bool, datetime, int, dict]]) -> list[tuple[bool, float]]:
    """(given after the opening?, value) of one pupil's answers to a question, in order."""
    return [(later, v) for later, v in ((g[0], _value(question.kind, g[3].get(question.key))) for g in given)
            if v is not None]


def pupil_outcomes(questions: Sequence[Question],
                   answers: dict[tuple[int, int], list[tuple[bool, datetime, int, dict]]]) -> list[dict[str, Any]]:
    """[{key, kind, text, pairs, before_mean, after_mean, change}] for the pupils' questions, exact."""
    questions = [q for q in questions if q.kind in (SCALE5, YESNO)]
    rows = []
    for question in questions:
        before, after = [], []
        for given in answers.values():
            values = _values(question, given)
            if len(values) >= 2 and values[-1][0]:  # a first answer and a later one (never two opening ones)
                before.append(values[0][1])
                after.append(values[-1][1])
        before_mean, after_mean = _mean(before), _mean(after)
        rows.append({"key": question.key, "kind": question.kind, "text": dict(question.text), "pairs": len(before),
                     "before_mean": before_mean, "after_mean": after_mean,
                     "change": round(after_mean - before_mean, 4) if before else None})
    return rows


def teacher_feedback(selection: Selection, questions: Sequence[Question]) -> tuple[list[dict[str, Any]], list[str]]:
    """([{key, kind, text, responses, mean}], the newest comments) for the teachers' questions, exact."""
    if not questions:
        return [], []
    query = (select(TeacherLink.answers).join(Workshop, Workshop.id == TeacherLink.workshop_id)
             .where(TeacherLink.answered_at.is_not(None), *_workshop_conditions(selection))
             .order_by(TeacherLink.answered_at.desc(), TeacherLink.id.desc()))
    if selection.region is not None:
        query = query.join(School, School.id == TeacherLink.school_id).where(School.region_code == selection.region)
    answered = [a or {} for a in db.session.scalars(query)]
    rows, comments = [], []
    for question in questions:
        if question.kind == TEXT:
            said = [a[question.key].strip() for a in answered
                    if isinstance(a.get(question.key), str) and a[question.key].strip()]
            comments.extend(said)
            rows.append({"key": question.key, "kind": TEXT, "text": dict(question.text), "responses": len(said),
                         "mean": None})
            continue
        values = [v for v in (_value(question.kind, a.get(question.key)) for a in answered) if v is not None]
        rows.append({"key": question.key, "kind": question.kind, "text": dict(question.text),
                     "responses": len(values), "mean": _mean(values)})
    return rows, comments[:COMMENTS_SHOWN]


def meets(kind: str, value: float) -> bool:
    """An answer that counts toward an outcome target: 4 or 5 faces or stars, or yes."""
    return value >= 4 if kind == SCALE5 else value == 1.0


def outcome_target(selection: Selection, answers) -> dict[str, Any] | None:
    """One initiative's outcome target and how far its pupils are: of the pupils with a later answer to the
    question, the share whose last answer meets it. None unless the selection is one initiative with a target."""
    if selection.initiative_ids is None or len(selection.initiative_ids) != 1:
        return None
    questionnaire = db.session.scalar(select(Questionnaire).where(
        Questionnaire.initiative_id == selection.initiative_ids[0], Questionnaire.audience == STUDENTS))
    if questionnaire is None or not questionnaire.target_key or not questionnaire.target_percent:
        return None
    question = next((q for q in questionnaire.questions if q.key == questionnaire.target_key), None)
    if question is None or question.kind not in (SCALE5, YESNO):
        return None
    last = [values[-1][1] for values in (_values(question, given) for given in answers.values())
            if values and values[-1][0]]
    met = sum(1 for value in last if meets(question.kind, value))
    return {"key": question.key, "kind": question.kind, "text": dict(question.text),
            "percent": questionnaire.target_percent, "answered": len(last), "met": met,
            "share": round(met / len(last), 4) if last else None}


def outcome_figures(selection: Selection) -> dict[str, Any]:
    """Everything the report says of the questionnaires (no query beyond the questions when nobody asks any)."""
    questions = _questions(selection)
    feedback, comments = teacher_feedback(selection, questions[TEACHERS])
    if not questions[STUDENTS]:
        return {"outcomes": [], "teacher_feedback": feedback, "teacher_comments": comments, "outcome_target": None}
    answers = _answers_by_pupil(selection)
    return {"outcomes": pupil_outcomes(questions[STUDENTS], answers), "teacher_feedback": feedback,
            "teacher_comments": comments, "outcome_target": outcome_target(selection, answers)}


def protect(figures: dict[str, Any], threshold: int, rounding_base: int, round_to) -> dict[str, Any]:
    """A funder's outcomes: fewer than `threshold` pairs (responses) hide the item's figures; counts are rounded
    like every count, means and changes to one decimal; teachers' comments never."""
    def mean(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    outcomes = []
    for row in figures["outcomes"]:
        hidden = row["pairs"] < threshold
        before, after = (None, None) if hidden else (mean(row["before_mean"]), mean(row["after_mean"]))
        outcomes.append({**row, "pairs": None if hidden else round_to(row["pairs"], rounding_base),
                         "before_mean": before, "after_mean": after,
                         # from the shown means, so that the change is what the reader can work out
                         "change": None if hidden else round(after - before, 1),
                         "suppressed": hidden})
    feedback = []
    for row in figures["teacher_feedback"]:
        hidden = row["responses"] < threshold
        feedback.append({**row, "responses": None if hidden else round_to(row["responses"], rounding_base),
                         "mean": None if hidden else mean(row["mean"]), "suppressed": hidden})
    target = figures.get("outcome_target")
    if target is not None:
        hidden = target["answered"] < threshold
        target = {**target, "answered": None if hidden else round_to(target["answered"], rounding_base), "met": None,
                  "share": None if hidden or target["share"] is None else round(target["share"], 2),
                  "suppressed": hidden}
    return {"outcomes": outcomes, "teacher_feedback": feedback, "teacher_comments": [], "outcome_target": target}


def exact(figures: dict[str, Any]) -> dict[str, Any]:
    return {"outcomes": [{**row, "suppressed": False} for row in figures["outcomes"]],
            "teacher_feedback": [{**row, "suppressed": False} for row in figures["teacher_feedback"]],
            "teacher_comments": figures["teacher_comments"],
            "outcome_target": ({**figures["outcome_target"], "suppressed": False}
                               if figures.get("outcome_target") else None)}



def drift() -> int:
    """Pupils' answers filed under another workshop than their sign-up's (0 when right): the figures read an
    answer's workshop for the period and the initiative, and its sign-up for the pupil."""
    return db.session.scalar(select(func.count()).select_from(Response).join(
        Signup, Signup.id == Response.signup_id).where(Signup.workshop_id != Response.workshop_id)) or 0
