"""In Chromium, on a phone-sized screen: a school representative signs students up and cancels one."""
from __future__ import annotations

import pytest

from outreach.extensions import db
from tests.conftest import PASSWORD
from tests.factories import make_initiative, make_school, make_student, make_user, make_workshop

pytestmark = pytest.mark.browser


def test_school_signs_students_up_and_sees_confirmed_and_waitlisted(live_server, browser):
    school = make_school(name="№45 мектеп-гимназия")
    rep = make_user("school", school=school, locale="en")
    initiative = make_initiative(title={"en": "Swan Lake for Schools"})
    make_workshop(initiative=initiative, title={"en": "Ballet for the older ones"}, min_grade=9, max_grade=11)
    make_workshop(initiative=initiative, title={"en": "First steps in ballet"}, capacity=2, min_grade=4, max_grade=6)
    for name in ("Айару", "Дана", "Томирис"):
        make_student(school, first_name=name, last_name="Сейітова", grade=5)
    make_student(school, first_name="Ерасыл", last_name="Ахметов", grade=10)
    db.session.commit()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())  # "Cancel this sign-up?"
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server}/login?lang=en")
    page.fill("input[name=email]", rep.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")

    page.get_by_role("link", name="Sign up for workshops").first.click()
    page.select_option("select[name=grade]", "5")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "First steps in ballet" in main and "Ballet for the older ones" not in main
    page.get_by_role("link", name="Choose students").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Ерасыл" not in main  # grade 10 does not fit grades 4-6
    for name in ("Томирис", "Айару", "Дана"):
        page.get_by_label(f"Сейітова {name}").check()
    page.get_by_role("button", name="Sign up the chosen students").click()
    page.wait_for_load_state()

    main = page.inner_text("main")
    assert "2 students have a confirmed place. 1 student is on the waitlist." in main
    results = page.locator("#signup-results li")
    assert results.count() == 3
    texts = [results.nth(i).inner_text() for i in range(3)]
    # seats go in the order of the roster as submitted; the third waits first in line
    assert [("Confirmed" in t, "Waitlist, position 1" in t) for t in texts] == [(True, False), (True, False),
                                                                                 (False, True)]

    page.get_by_role("link", name="My sign-ups").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Cancel the sign-up of Сейітова Айару").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "The sign-up was cancelled." in main and "first student on the waitlist" in main
    assert "Waitlist, position" not in main  # the waiting student now has the freed place
    assert errors == []
    context.close()
