"""Outcomes in the impact report: each pupil's first and last answer per question, the teachers' answers; exact for
coordinators, protected for funders (fewer than 10 pairs hidden, counts rounded, means to one decimal, no comments);
an erased pupil's answers stay, so no figure moves."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from outreach.attendance import services as attendance
from outreach.dbtypes import utcnow
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.outcomes import services as outcomes
from outreach.outcomes.models import Response, TeacherLink
from outreach.reports import services as reports
from outreach.signups.services import register
from outreach.students.services import erase_student
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop


def _by_key(items):
    return {item["key"]: item for item in items}


@pytest.fixture
def course(app):
    """An initiative of a funder asking the ready questions; two past workshops (a short series), twelve pupils."""
    coordinator = make_user("coordinator")
    funder = make_funder()
    initiative = make_initiative(funders=[funder])
    outcomes.start_from_library(initiative, "students", actor=coordinator)
    outcomes.start_from_library(initiative, "teachers", actor=coordinator)
    school = make_school()
    pupils = [make_student(school) for _ in range(12)]
    first, last = (make_workshop(initiative=initiative, starts_at=utcnow() - timedelta(days=days), capacity=20)
                   for days in (14, 7))
    signups = {w.id: [r.signup for r in register(w.id, [p.id for p in pupils], actor=coordinator)]
               for w in (first, last)}
    db.session.commit()
    return {"coordinator": coordinator, "funder": make_user("funder", funder=funder), "initiative": initiative,
            "pupils": pupils, "first": first, "last": last, "signups": signups, "school": school}


def _answer(workshop, signups, phase, values):
    outcomes.save_responses(workshop.id, [{"signup_id": s.id, "phase": phase, "answers": v}
                                          for s, v in zip(signups, values) if v is not None],
                            actor=None)
    db.session.commit()


def test_a_pair_is_each_pupils_first_and_last_answer_and_yes_no_is_a_share(course):
    first, last, signups = course["first"], course["last"], course["signups"]
    # ten pupils answer at the first session and at the last: "enjoyed" 2 → 4, "would join a club" no → yes for 6
    _answer(first, signups[first.id][:10], "before", [{"enjoyed": 2, "join_dance_club": False}] * 10)
    _answer(last, signups[last.id][:10], "after",
            [{"enjoyed": 4, "join_dance_club": i < 6} for i in range(10)])
    # pupil 10 answered only before, pupil 11 only after: neither is a pair
    _answer(first, [signups[first.id][10]], "before", [{"enjoyed": 1}])
    _answer(last, [signups[last.id][11]], "after", [{"enjoyed": 5}])
    report = reports.impact_report(course["coordinator"], initiative_id=course["initiative"].id)
    items = _by_key(report["outcomes"])
    assert items["enjoyed"]["pairs"] == 10
    assert (items["enjoyed"]["before_mean"], items["enjoyed"]["after_mean"], items["enjoyed"]["change"]) == (2, 4, 2)
    assert items["join_dance_club"]["before_mean"] == 0 and items["join_dance_club"]["after_mean"] == 0.6
    assert items["confident_dancing"]["pairs"] == 0 and items["confident_dancing"]["before_mean"] is None
    assert not any(item["suppressed"] for item in report["outcomes"])


def test_two_opening_answers_are_not_a_before_and_after(course):
    first, last, signups = course["first"], course["last"], course["signups"]
    _answer(first, signups[first.id][:10], "before", [{"enjoyed": 2}] * 10)
    _answer(last, signups[last.id][:10], "before", [{"enjoyed": 5}] * 10)
    report = reports.impact_report(course["coordinator"], initiative_id=course["initiative"].id)
    assert _by_key(report["outcomes"])["enjoyed"]["pairs"] == 0


def test_a_funder_sees_outcomes_of_ten_pairs_rounded_and_fewer_hidden(course):
    first, last, signups = course["first"], course["last"], course["signups"]
    for workshop in (first, last):  # the report is shown only when enough pupils attended
        attendance.record_marks(workshop.id, {p.id: attendance.Recorded("present") for p in course["pupils"]},
                                actor=course["coordinator"])
    _answer(first, signups[first.id][:11], "before", [{"enjoyed": 2, "confident_dancing": 3}] * 11)
    _answer(last, signups[last.id][:11], "after",
            [{"enjoyed": 4 if i else 3, **({"confident_dancing": 4} if i < 9 else {})} for i in range(11)])
    shown = reports.impact_report(course["funder"], initiative_id=course["initiative"].id)
    assert not shown["suppressed"]
    items = _by_key(shown["outcomes"])
    # 11 pairs: shown, rounded to 10; the means to one decimal (2 → 3.9), the change from the shown means
    assert items["enjoyed"]["pairs"] == 10 and items["enjoyed"]["suppressed"] is False
    assert items["enjoyed"]["before_mean"] == 2.0 and items["enjoyed"]["after_mean"] == 3.9
    assert items["enjoyed"]["change"] == 1.9
    # 9 pairs: hidden
    assert items["confident_dancing"] == {**items["confident_dancing"], "pairs": None, "before_mean": None,
                                          "after_mean": None, "change": None, "suppressed": True}
    exact = _by_key(reports.impact_report(course["coordinator"], initiative_id=course["initiative"].id)["outcomes"])
    assert exact["confident_dancing"]["pairs"] == 9 and exact["enjoyed"]["pairs"] == 11


def test_a_hidden_report_names_no_question_and_funders_never_read_comments(course):
    first = course["first"]
    for index, comment in enumerate(("Балалар риза болды", "Мало места")):
        link = TeacherLink(token_hash=hashlib.sha256(f"t{index}".encode()).hexdigest(), workshop_id=first.id,
                           school_id=course["school"].id if index == 0 else make_school().id,
                           expires_at=utcnow() + timedelta(days=1))
        db.session.add(link)
        db.session.flush()
        outcomes.answer_teacher_link(link, {"class_engaged": 4 + index, "teacher_comments": comment})
    db.session.commit()
    exact = reports.impact_report(course["coordinator"], initiative_id=course["initiative"].id)
    assert _by_key(exact["teacher_feedback"])["class_engaged"] == {**_by_key(exact["teacher_feedback"])["class_engaged"],
                                                                   "responses": 2, "mean": 4.5}
    assert sorted(exact["teacher_comments"]) == ["Балалар риза болды", "Мало места"]
    shown = reports.impact_report(course["funder"], initiative_id=course["initiative"].id)
    assert shown["suppressed"]  # nobody attended: fewer than ten pupils
    assert shown["outcomes"] == [] and shown["teacher_feedback"] == [] and shown["teacher_comments"] == []


def test_erasing_a_pupil_moves_no_outcome(course):
    first, last, signups = course["first"], course["last"], course["signups"]
    _answer(first, signups[first.id], "before", [{"enjoyed": 1 + i % 3} for i in range(12)])
    _answer(last, signups[last.id], "after", [{"enjoyed": 3 + i % 3} for i in range(12)])
    before = reports.impact_report(course["coordinator"], initiative_id=course["initiative"].id)["outcomes"]
    erase_student(course["pupils"][0], actor=course["coordinator"])
    db.session.commit()
    assert reports.impact_report(course["coordinator"], initiative_id=course["initiative"].id)["outcomes"] == before


def test_the_page_and_the_exports_show_outcomes_and_only_coordinators_read_comments(course, client, login, csrf):
    first, last, signups = course["first"], course["last"], course["signups"]
    for workshop in (first, last):
        attendance.record_marks(workshop.id, {p.id: attendance.Recorded("present") for p in course["pupils"]},
                                actor=course["coordinator"])
    _answer(first, signups[first.id][:10], "before", [{"enjoyed": 2}] * 10)
    _answer(last, signups[last.id][:10], "after", [{"enjoyed": 4}] * 10)
    # taking attendance sent the school's representative the teachers' link
    link = db.session.scalar(select(TeacherLink).where(TeacherLink.workshop_id == first.id))
    outcomes.answer_teacher_link(link, {"class_engaged": 5, "teacher_comments": "Сынып өте риза"})
    db.session.commit()
    login(course["coordinator"])
    page = client.get(f"/reports/impact?initiative_id={course['initiative'].id}&lang=en").get_data(as_text=True)
    assert "Outcomes: what pupils said before and after" in page and "I enjoyed the workshop" in page
    assert "+2,0" in page or "+2.0" in page
    assert "Сынып өте риза" in page
    csv = client.get(f"/reports/impact.csv?initiative_id={course['initiative'].id}&lang=en").get_data(as_text=True)
    assert "Pupils' answers before and after" in csv and "I enjoyed the workshop" in csv
    assert "Сынып өте риза" not in csv  # comments stay on the page
    xlsx = client.get(f"/reports/impact.xlsx?initiative_id={course['initiative'].id}&lang=en")
    assert xlsx.status_code == 200
    client.post("/logout", data={"csrf_token": csrf.token(client, "/account")})
    login(course["funder"])
    page = client.get(f"/reports/impact?initiative_id={course['initiative'].id}&lang=en").get_data(as_text=True)
    assert "Сынып өте риза" not in page



def test_an_outcome_target_shows_how_far_the_pupils_are_exact_and_protected(course):
    first, last, signups = course["first"], course["last"], course["signups"]
    questionnaire = outcomes.questionnaire_for(course["initiative"].id, "students")
    outcomes.set_outcome_target(questionnaire, "confident_dancing", 60, actor=course["coordinator"])
    for workshop in (first, last):
        attendance.record_marks(workshop.id, {p.id: attendance.Recorded("present") for p in course["pupils"]},
                                actor=course["coordinator"])
    _answer(first, signups[first.id], "before", [{"confident_dancing": 2}] * 12)
    # eleven answer at the end: seven rate 4 or 5, four rate 3; the twelfth answered only at the start
    _answer(last, signups[last.id][:11], "after", [{"confident_dancing": 5 if i < 4 else 4 if i < 7 else 3}
                                                   for i in range(11)])
    exact = reports.impact_report(course["coordinator"], initiative_id=course["initiative"].id)["outcome_target"]
    assert (exact["percent"], exact["answered"], exact["met"], exact["share"]) == (60, 11, 7, round(7 / 11, 4))
    shown = reports.impact_report(course["funder"], initiative_id=course["initiative"].id)["outcome_target"]
    assert (shown["answered"], shown["met"], shown["share"], shown["suppressed"]) == (10, None, 0.64, False)
    # not for all initiatives together: a target belongs to one initiative
    assert reports.impact_report(course["coordinator"])["outcome_target"] is None


def test_a_wrong_target_is_refused_naming_the_field(course):
    questionnaire = outcomes.questionnaire_for(course["initiative"].id, "students")
    with pytest.raises(OutreachError) as refused:
        outcomes.set_outcome_target(questionnaire, "no_such_question", 150, actor=course["coordinator"])
    assert set(refused.value.fields) == {"target_key", "target_percent"}
    teachers = outcomes.questionnaire_for(course["initiative"].id, "teachers")
    with pytest.raises(OutreachError):
        outcomes.set_outcome_target(teachers, "class_engaged", 50, actor=course["coordinator"])


def test_the_coordinator_sets_the_target_on_the_questionnaires_page_and_the_initiative_shows_it(course, client, login,
                                                                                                  csrf):
    login(course["coordinator"])
    url = f"/initiatives/{course['initiative'].id}/questionnaires"
    token = csrf.token(client, url)
    # a share over 100 %: the page again, with the error and what was typed
    refused = client.post(f"{url}/target?lang=en", data={"csrf_token": token, "target_key": "enjoyed",
                                                          "target_percent": "170"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'value="170"' in page and "is-invalid" in page and '<option selected value="enjoyed">' in page
    saved = client.post(f"{url}/target", data={"csrf_token": token, "target_key": "enjoyed", "target_percent": "70"})
    assert saved.status_code == 302
    assert outcomes.questionnaire_for(course["initiative"].id, "students").target_percent == 70
    detail = client.get(f"/initiatives/{course['initiative'].id}?lang=en").get_data(as_text=True)
    assert "Outcome target" in detail and "I enjoyed the workshop" in detail


def test_check_facts_finds_an_answer_filed_under_another_workshop(course, app):
    first, last, signups = course["first"], course["last"], course["signups"]
    _answer(first, signups[first.id][:2], "before", [{"enjoyed": 2}] * 2)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reports", "check-facts"]).exit_code == 0
    db.session.execute(update(Response).values(workshop_id=last.id))
    db.session.commit()
    checked = runner.invoke(args=["reports", "check-facts"])
    assert checked.exit_code == 1 and "2 questionnaire answers" in checked.output
