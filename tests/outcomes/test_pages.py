"""A coordinator starts a questionnaire from the ready questions in one click and reads it in Russian."""
from outreach.extensions import db
from outreach.outcomes.services import questionnaire_for
from tests.factories import make_initiative, make_user


def test_one_click_gives_the_ready_questions_in_the_coordinators_language(client, login, csrf):
    initiative = make_initiative()
    coordinator = make_user("coordinator", locale="ru")
    db.session.commit()
    login(coordinator)
    page = f"/initiatives/{initiative.id}/questionnaires"
    token = csrf.token(client, page)
    response = client.post(f"{page}/students/library", data={"csrf_token": token})
    assert response.status_code == 302
    assert len(questionnaire_for(initiative.id, "students").questions) == 5
    html = client.get(page).get_data(as_text=True)
    assert "Я уверенно танцую перед другими" in html
    assert "Анкета для учеников" in html
