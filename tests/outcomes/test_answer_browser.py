"""In Chromium on a 390 px phone, in Kazakh: the phone passes from child to child — big faces for the little ones,
stars for older pupils, skipping allowed, no other child's answer on the screen — and answers given offline arrive
when the phone is back online."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.outcomes.models import Response
from outreach.outcomes.services import start_from_library
from outreach.signups import services as signups
from tests.attendance.test_offline_browser import controlled, sign_in
from tests.factories import make_initiative, make_school, make_student, make_user, make_workshop

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/i26-shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def lesson():
    """A coordinator (Kazakh); a workshop on now whose initiative asks its pupils before and after; three pupils,
    two little ones (grade 3) and one older (grade 7)."""
    coordinator = make_user("coordinator", locale="kk")
    initiative = make_initiative()
    start_from_library(initiative, "students", actor=coordinator)
    workshop = make_workshop(initiative=initiative, starts_at=utcnow() - timedelta(minutes=5),
                             title={"kk": "Балет әлемі"})
    school = make_school()
    pupils = [make_student(school, first_name=name, last_name="Нұрланова", grade=grade)
              for name, grade in (("Әсем", 3), ("Дина", 3), ("Мирас", 7))]
    made = signups.register(workshop.id, [s.id for s in pupils], actor=coordinator)
    db.session.commit()
    return coordinator, workshop, pupils, {r.signup.student_id: r.signup.id for r in made}


def saved() -> dict[int, dict]:
    db.session.expire_all()
    return {r.signup_id: r.answers for r in db.session.scalars(select(Response).where(Response.phase == "before"))}


def answer_as_child(page, name: str, taps: list[str | None]) -> None:
    """The adult taps the name; the child taps an answer (or Skip) per question, then Done."""
    page.click(f"label:has-text('{name}')")
    page.wait_for_selector("#answers-child", state="visible")
    assert page.locator("#answers-pick").is_hidden()  # no names while the child holds the phone
    for i, tap in enumerate(taps):
        question = page.locator(".answer-question").nth(i)
        question.wait_for(state="visible")
        if tap is None:
            question.get_by_role("button", name="Өткізіп жіберу").click()
        else:
            question.locator(f"label[for$='-{tap}']").click()
    page.get_by_role("button", name="Дайын!").click()
    page.wait_for_selector("#answers-thanks", state="visible")


def test_pupils_answer_one_after_another_offline_and_the_answers_arrive(live_server, browser, lesson):
    coordinator, workshop, pupils, signup_of = lesson
    path = f"/workshops/{workshop.id}/answers/before"
    context = browser.new_context(viewport=PHONE, locale="kk-KZ")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, coordinator)
    # the coordinator finds the questionnaire on the workshop's page
    page.goto(f"{live_server}/workshops/{workshop.id}")
    page.get_by_role("link", name="Бастапқы сауалнама").click()
    page.wait_for_url(f"{live_server}{path}")
    assert "Жауап бергендер: 0 (барлығы 3)" in page.inner_text("#answers-count")
    controlled(page)
    page.wait_for_function(
        "(path) => caches.open('outreach-pages').then(c => c.match(path)).then(r => !!r)", arg=path, timeout=15000)
    shot(page, "answers-pick-kk-390")

    context.set_offline(True)
    page.reload()
    assert page.locator("#offline-banner").is_visible()
    # a little one: faces; taps «very much», skips the second, answers the rest
    page.click("label:has-text('Әсем')")
    page.wait_for_selector("#answers-child", state="visible")
    assert page.locator(".answer-question").first.locator(".face").first.is_visible()
    shot(page, "answers-faces-kk-390")
    page.locator(".answer-question").first.locator("label[for$='-5']").click()
    page.locator(".answer-question").nth(1).get_by_role("button", name="Өткізіп жіберу").click()
    page.locator(".answer-question").nth(2).locator("label[for$='-2']").click()
    page.locator(".answer-question").nth(3).locator("label[for$='-no']").click()
    page.locator(".answer-question").nth(4).locator("label[for$='-yes']").click()
    page.get_by_role("button", name="Дайын!").click()
    page.wait_for_selector("#answers-thanks", state="visible")
    shot(page, "answers-thanks-kk-390")
    assert "Рақмет" in page.inner_text("#answers-thanks")
    page.get_by_role("button", name="Келесі оқушы").click()
    # back to the adult: Әсем is ticked, and nothing she chose is left on the screen
    assert "Жауап бергендер: 1 (барлығы 3)" in page.inner_text("#answers-count")
    assert page.locator("#answers-child input:checked").count() == 0

    # an older pupil: stars
    page.click("label:has-text('Мирас')")
    page.wait_for_selector("#answers-child", state="visible")
    assert page.locator(".answer-question").first.locator(".star").first.is_visible()
    page.locator(".answer-question").first.locator("label[for$='-4']").click()
    time.sleep(0.2)
    shot(page, "answers-stars-kk-390")
    page.locator(".answer-question").nth(1).locator("label[for$='-yes']").click()
    page.locator(".answer-question").nth(2).get_by_role("button", name="Өткізіп жіберу").click()
    page.locator(".answer-question").nth(3).get_by_role("button", name="Өткізіп жіберу").click()
    page.get_by_role("button", name="Дайын!").click()
    page.wait_for_selector("#answers-thanks", state="visible")
    page.get_by_role("button", name="Келесі оқушы").click()
    assert "Жауап бергендер: 2 (барлығы 3)" in page.inner_text("#answers-count")
    assert page.locator("#answers-waiting").is_visible()
    assert saved() == {}  # nothing reached the server yet

    context.set_offline(False)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(saved()) < 2:
        time.sleep(0.5)
    assert saved() == {
        signup_of[pupils[0].id]: {"enjoyed": 5, "confident_dancing": 2, "knows_ballet_term": False,
                                  "join_dance_club": True},
        signup_of[pupils[2].id]: {"enjoyed": 4, "ballet_in_theatre": True},
    }
    page.wait_for_selector("#answers-waiting", state="hidden", timeout=15000)
    assert errors == []
    context.close()
