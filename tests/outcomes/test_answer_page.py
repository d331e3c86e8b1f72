"""The pupils' answering page without a browser: reached from the workshop, works as a plain form, and the
phone's batches of answers are taken once per user (the same rules as the attendance marks)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.outcomes.models import Response
from outreach.outcomes.services import start_from_library
from outreach.signups.services import register
from tests.factories import make_initiative, make_school, make_student, make_user, make_workshop


def _workshop(coordinator, with_questionnaire=True):
    initiative = make_initiative()
    if with_questionnaire:
        start_from_library(initiative, "students", actor=coordinator)
    workshop = make_workshop(initiative=initiative, starts_at=utcnow() - timedelta(minutes=10))
    school = make_school()
    pupils = [make_student(school, first_name=n, last_name="Омарова") for n in ("Аружан", "Камила")]
    signups = [r.signup for r in register(workshop.id, [p.id for p in pupils], actor=coordinator)]
    db.session.commit()
    return workshop, signups


def test_the_workshop_page_leads_to_the_questionnaire_with_how_many_answered(client, login):
    coordinator = make_user("coordinator", locale="ru")
    workshop, signups = _workshop(coordinator)
    db.session.add(Response(signup_id=signups[0].id, workshop_id=workshop.id, phase="before", answers={"enjoyed": 4}))
    db.session.commit()
    login(coordinator)
    html = client.get(f"/workshops/{workshop.id}?lang=ru").get_data(as_text=True)
    assert "Входная анкета" in html and "Итоговая анкета" in html and "Ответили: 1 из 2" in html
    without, _signups = _workshop(coordinator, with_questionnaire=False)
    assert "Входная анкета" not in client.get(f"/workshops/{without.id}").get_data(as_text=True)
    assert client.get(f"/workshops/{without.id}/answers/before").status_code == 404


def test_the_page_works_as_a_plain_form_and_shows_no_answers(client, login, csrf):
    coordinator = make_user("coordinator", locale="kk")
    workshop, signups = _workshop(coordinator)
    login(coordinator)
    page = f"/workshops/{workshop.id}/answers/after"
    html = client.get(page).get_data(as_text=True)
    assert "Қорытынды сауалнама" in html and "Аружан" in html and "Маған сабақ ұнады" in html
    token = csrf.token(client, page)
    response = client.post(page, data={"csrf_token": token, "signup_id": signups[1].id, "a_enjoyed": "5",
                                       "a_ballet_in_theatre": "yes"})
    assert response.status_code == 302
    row = db.session.scalar(select(Response))
    assert (row.signup_id, row.phase, row.answers) == (signups[1].id, "after", {"enjoyed": 5, "ballet_in_theatre": True})
    html = client.get(page).get_data(as_text=True)
    assert "Жауап бергендер: 1 (барлығы 2)" in html
    assert "checked" not in html.split('id="answers-child"')[1]  # nothing of Камила's answers on the page


def test_batches_from_the_phone_go_once_under_the_user_who_took_them(client, login, csrf):
    coordinator = make_user("coordinator")
    workshop, signups = _workshop(coordinator)
    login(coordinator)
    token = client.get("/attendance/session").get_json()["csrf_token"]
    batch = {"idempotency_key": "k1", "user_id": coordinator.id, "workshop_id": workshop.id,
             "items": [{"signup_id": signups[0].id, "phase": "before", "answers": {"enjoyed": 2}}]}
    headers = {"X-CSRFToken": token}
    first = client.post("/attendance/answers", json=batch, headers=headers)
    assert first.status_code == 200 and first.get_json()["saved"] == 1
    again = client.post("/attendance/answers", json=batch, headers=headers)  # sent twice: nothing changes
    assert again.status_code == 200
    assert [(r.signup_id, r.answers) for r in db.session.scalars(select(Response))] == [(signups[0].id, {"enjoyed": 2})]
    other = client.post("/attendance/answers", json={**batch, "user_id": coordinator.id + 999}, headers=headers)
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "other_user"
    wrong = client.post("/attendance/answers", headers=headers, json={
        **batch, "items": [{"signup_id": signups[0].id, "phase": "before", "answers": {"enjoyed": 7}}]})
    assert wrong.status_code == 422
    client.post("/logout", data={"csrf_token": csrf.token(client, "/account")})
    assert client.post("/attendance/answers", json=batch, headers=headers).status_code in (400, 401)
