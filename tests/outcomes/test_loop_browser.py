"""The whole loop in Chromium: a coordinator (Russian, desktop) starts the pupils' questionnaire from the ready
questions and sets an outcome target; twelve pupils attend and answer before and after (the phone's part is
tests/outcomes/test_answer_browser.py); the funder (Kazakh, phone) sees the change and the target's progress,
protected, and no teacher's comment."""
from __future__ import annotations

from datetime import timedelta

import pytest

from outreach.attendance import services as attendance
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.outcomes import services as outcomes
from outreach.signups import services as signups
from tests.attendance.test_offline_browser import sign_in
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop

pytestmark = pytest.mark.browser

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def test_a_questionnaire_built_in_russian_shows_the_change_to_the_funder_in_kazakh(live_server, browser):
    coordinator = make_user("coordinator", locale="ru")
    funder = make_funder()
    funder_user = make_user("funder", funder=funder, locale="kk")
    initiative = make_initiative(funders=[funder], title={"kk": "Би әлемі", "ru": "Мир танца", "en": "Dance"})
    workshop = make_workshop(initiative=initiative, starts_at=utcnow() - timedelta(days=2), capacity=20)
    pupils = [make_student(make_school()) for _ in range(12)]
    made = signups.register(workshop.id, [p.id for p in pupils], actor=coordinator)
    db.session.commit()

    context = browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = context.new_page()
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server}/initiatives/{initiative.id}/questionnaires?lang=ru")
    page.locator("form[action$='/questionnaires/students/library'] button").click()
    page.wait_for_load_state()
    assert "Мне понравилось занятие" in page.content()
    page.select_option("select[name=target_key]", "confident_dancing")
    page.fill("input[name=target_percent]", "60")
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state()
    assert "Целевой показатель сохранён." in page.content()
    context.close()

    # the workshop took place: everybody came; they answered at the start (2 faces) and at the end (4 or 5)
    attendance.record_marks(workshop.id, {p.id: attendance.Recorded("present") for p in pupils}, actor=coordinator)
    signup_ids = [r.signup.id for r in made]
    outcomes.save_responses(workshop.id, [{"signup_id": s, "phase": "before", "answers": {"confident_dancing": 2}}
                                          for s in signup_ids], actor=coordinator)
    outcomes.save_responses(workshop.id, [{"signup_id": s, "phase": "after",
                                           "answers": {"confident_dancing": 5 if i % 2 else 4}}
                                          for i, s in enumerate(signup_ids)], actor=coordinator)
    db.session.commit()

    context = browser.new_context(viewport=PHONE, locale="kk-KZ")
    page = context.new_page()
    sign_in(page, live_server, funder_user)
    page.goto(f"{live_server}/reports/impact?initiative_id={initiative.id}&lang=kk")
    section = page.locator("section[aria-labelledby=h-outcomes]")
    section.wait_for()
    text = section.inner_text()
    assert "Басқалардың алдында сенімді билеймін" in text
    assert "бастапқы: 2,0" in text and "қорытынды: 4,5" in text  # the means to one decimal
    assert "Мақсатты көрсеткіш" in text and "әзірге 100%" in text.replace("\u00a0", "")
    assert page.locator("svg.report-chart").count() >= 1
    # the page fits the phone
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
