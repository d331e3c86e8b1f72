"""Keyboard only, in a real browser: sign-in (with its error summary), the menu, a sign-up and attendance.
Each step checks what a keyboard user notices: where the focus is, that it can be seen, what got sent."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from outreach.extensions import db
from tests.conftest import PASSWORD
from tests.factories import make_school, make_student, make_user, make_workshop

pytestmark = pytest.mark.browser

FOCUS = """() => { const el = document.activeElement; const s = getComputedStyle(el);
  return {tag: el.tagName, name: el.getAttribute('name'), id: el.id, cls: el.className,
          summary: el.hasAttribute('data-error-summary'), width: parseFloat(s.outlineWidth),
          style: s.outlineStyle, color: s.outlineColor, text: (el.innerText || '').trim().slice(0, 60)}; }"""


def tab_to(page, test, limit: int = 40):
    """Press Tab until `test(focus)` holds; the focus info at that point."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if test(focus):
            return focus
    raise AssertionError(f"never reached by Tab; last focus {focus}")


def visible_ring(focus) -> bool:
    return focus["style"] != "none" and focus["width"] >= 2


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def test_sign_in_by_keyboard_with_an_error_summary_first(live_server, phone):
    user = make_user("coordinator", locale="kk")
    db.session.commit()
    page = phone
    page.goto(f"{live_server}/login?lang=kk")
    focus = tab_to(page, lambda f: f["name"] == "email")
    assert visible_ring(focus), focus
    with page.expect_navigation():
        page.keyboard.press("Enter")                   # sends the empty form
    focus = page.evaluate(FOCUS)
    assert focus["summary"], f"the error summary does not take the focus: {focus}"
    assert visible_ring(focus)
    email = page.locator("input[name=email]")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby").split()
    assert page.locator(f"#{described[0]}").inner_text().strip()   # the error is what the field says first
    tab_to(page, lambda f: f["tag"] == "A" and "email" in (page.evaluate("document.activeElement.getAttribute('href')") or ""))
    page.keyboard.press("Enter")                       # the summary's link puts the focus in the field
    assert page.evaluate(FOCUS)["name"] == "email"
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS)["name"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")


def test_menu_by_keyboard_with_a_ring_on_the_navy_bar(live_server, phone):
    user = make_user("coordinator", locale="kk")
    db.session.commit()
    page = phone
    page.goto(f"{live_server}/login?lang=kk")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    focus = tab_to(page, lambda f: "navbar-toggler" in f["cls"])
    assert visible_ring(focus) and focus["color"] == "rgb(255, 212, 59)", focus   # yellow on navy: 9:1
    page.keyboard.press("Enter")
    assert page.locator("button.navbar-toggler").get_attribute("aria-expanded") == "true"
    focus = tab_to(page, lambda f: f["id"] == "language-menu")
    assert visible_ring(focus)
    page.keyboard.press("Enter")
    assert page.locator("#language-menu").get_attribute("aria-expanded") == "true"
    assert page.evaluate(FOCUS)["tag"] == "A" and "dropdown-item" in page.evaluate(FOCUS)["cls"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")                      # closes, the focus back on the toggle
    assert page.locator("#language-menu").get_attribute("aria-expanded") == "false"
    assert page.evaluate(FOCUS)["id"] == "language-menu"
    page.keyboard.press("ArrowDown")                   # opens again on the first language
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")                       # the second language: Русский
    page.wait_for_url("**lang=ru")
    assert page.locator("html").get_attribute("lang") == "ru"


def test_sign_up_by_keyboard_enter_ticks_and_never_sends_the_empty_form(live_server, browser):
    school = make_school()
    students = [make_student(school, first_name=name, grade=5) for name in ("Әлия", "Дана", "Ерлан")]
    user = make_user("school", school=school, locale="en")
    workshop = make_workshop(capacity=2)
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login?lang=en")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    url = f"{live_server}/signups/workshops/{workshop.id}"
    page.goto(url)
    focus = tab_to(page, lambda f: f["name"] == "student_ids")
    assert visible_ring(focus), focus
    page.keyboard.press("Enter")                       # ticks the box; the form is not sent
    page.wait_for_timeout(300)
    assert page.url == url
    assert page.locator("input[name=student_ids]").nth(0).is_checked()
    for _ in range(2):
        tab_to(page, lambda f: f["name"] == "student_ids", limit=3)
        page.keyboard.press("Space")
    line = page.locator("#seat-line")
    assert " ".join(line.inner_text().split()) == "3 chosen · 2 seats left · 1 will wait"
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Sign up the chosen students")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/signups/workshops/{workshop.id}/result**")
    assert len(students) == 3
    context.close()


def test_attendance_by_keyboard(live_server, phone):
    from outreach.signups import services as signups

    school = make_school()
    coordinator = make_user("coordinator", locale="en")
    students = [make_student(school, first_name=name) for name in ("Әлия", "Дана")]
    workshop = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(hours=3))
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    page = phone
    page.goto(f"{live_server}/login?lang=en")
    page.fill("input[name=email]", coordinator.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    url = f"{live_server}/workshops/{workshop.id}/attendance"
    page.goto(url)
    focus = tab_to(page, lambda f: f["name"] == "present")
    assert visible_ring(page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement.nextElementSibling);"
        " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }")), "the row shows no focus"
    page.keyboard.press("Space")
    page.keyboard.press("Enter")                       # Enter toggles too, and sends nothing
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert page.url == url
    assert page.locator("input[name=present]").nth(0).is_checked()
    assert "1 of 2 present" in page.locator("#attendance-count").inner_text()
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Save attendance")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Attendance saved: 1 student present, 1 absent." in page.content()
