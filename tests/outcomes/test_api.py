"""Questionnaires and pupils' answers through the API (../shared/API.md, "Feedback and outcomes")."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from outreach.extensions import db
from outreach.outcomes.models import Response
from outreach.outcomes.services import answered_count, start_from_library
from outreach.signups.services import register
from outreach.students.services import erase_student
from tests.factories import make_initiative, make_student, make_user, make_workshop

QUESTION = {"key": "confident_dancing", "kind": "scale5",
            "text": {"kk": "Сенімді билеймін", "ru": "Я уверенно танцую", "en": "I dance confidently"}}


def test_a_coordinator_sets_a_questionnaire_and_reads_it_back(api):
    coordinator = make_user("coordinator")
    initiative = make_initiative()
    response = api.post(f"/initiatives/{initiative.id}/questionnaires", as_=coordinator,
                        json={"audience": "students", "when": "before_after", "questions": [QUESTION]})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["questions"] == [QUESTION]
    listed = api.get(f"/initiatives/{initiative.id}/questionnaires", as_=coordinator).get_json()["items"]
    assert [(q["audience"], q["when"], len(q["questions"])) for q in listed] == [("students", "before_after", 1)]


def test_at_most_ten_questions_and_words_only_for_teachers(api):
    coordinator = make_user("coordinator")
    initiative = make_initiative()
    eleven = [{**QUESTION, "key": f"q{i}"} for i in range(11)]
    too_many = api.post(f"/initiatives/{initiative.id}/questionnaires", as_=coordinator,
                        json={"audience": "students", "questions": eleven})
    assert too_many.status_code == 422 and "questions" in too_many.get_json()["error"]["fields"]
    words = {**QUESTION, "kind": "text"}
    pupils = api.post(f"/initiatives/{initiative.id}/questionnaires", as_=coordinator,
                      json={"audience": "students", "questions": [words]})
    assert pupils.status_code == 422 and "questions.0.kind" in pupils.get_json()["error"]["fields"]
    teachers = api.post(f"/initiatives/{initiative.id}/questionnaires", as_=coordinator,
                        json={"audience": "teachers", "questions": [words]})
    assert teachers.status_code == 201


def test_answers_belong_to_a_sign_up_are_replaced_skippable_and_outlive_erasure(api):
    coordinator = make_user("coordinator")
    initiative = make_initiative()
    start_from_library(initiative, "students", actor=coordinator)
    workshop = make_workshop(initiative=initiative, starts_at=datetime.now(timezone.utc) - timedelta(minutes=5))
    students = [make_student() for _ in range(3)]
    signups = [r.signup for r in register(workshop.id, [s.id for s in students], actor=coordinator)]
    db.session.commit()
    path = f"/workshops/{workshop.id}/responses"
    body = {"items": [{"signup_id": signups[0].id, "phase": "before", "answers": {"enjoyed": 3}},
                      {"signup_id": signups[1].id, "phase": "before",
                       "answers": {"enjoyed": None, "ballet_in_theatre": True}}]}
    assert api.post(path, as_=coordinator, json=body).get_json() == {"saved": 2}
    again = {"items": [{"signup_id": signups[0].id, "phase": "before", "answers": {"enjoyed": 5}}]}
    assert api.post(path, as_=coordinator, json=again).get_json() == {"saved": 1}
    assert answered_count(workshop.id, "before") == (2, 3)
    row = db.session.query(Response).filter_by(signup_id=signups[0].id).one()
    assert row.answers == {"enjoyed": 5}
    wrong = api.post(path, as_=coordinator, json={"items": [
        {"signup_id": signups[2].id, "phase": "before", "answers": {"enjoyed": 9}}]})
    assert wrong.status_code == 422 and "items.0.answers.enjoyed" in wrong.get_json()["error"]["fields"]
    bad_type = api.post(path, as_=coordinator, json={"items": [
        {"signup_id": signups[2].id, "phase": "before", "answers": {"enjoyed": [1]}}]})
    assert bad_type.status_code == 400
    erase_student(students[0], actor=coordinator)
    db.session.commit()
    assert db.session.query(Response).filter_by(signup_id=signups[0].id).one().answers == {"enjoyed": 5}
