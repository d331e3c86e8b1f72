"""In Chromium on a 390 px phone, in Kazakh: present is one tap, late (with the minutes late) and excused one
more tap away in the row's menu; taken offline, the marks wait on the phone and arrive as they were taken."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.attendance.models import Attendance
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups import services as signups
from outreach.signups.models import Signup
from tests.attendance.test_offline_browser import PHONE, sign_in, wait_until_kept
from tests.factories import make_school, make_student, make_user, make_workshop

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots/i27")


def marks(workshop_id: int) -> dict[int, tuple[str, int | None]]:
    db.session.rollback()
    return {sid: (status, minutes) for sid, status, minutes in db.session.execute(
        select(Signup.student_id, Attendance.status, Attendance.minutes).join(Attendance).where(
            Signup.workshop_id == workshop_id))}


def test_marks_on_the_phone_offline(live_server, browser):
    coordinator = make_user("coordinator", locale="kk")
    workshop = make_workshop(starts_at=utcnow() - timedelta(minutes=20), duration_minutes=45,
                             title={"kk": "Домбыра үйірмесі"})
    school = make_school()
    students = [make_student(school, first_name=name, last_name="Сейітова", grade=5)
                for name in ("Айару", "Дана", "Томирис", "Әсел")]
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    aiaru, dana, tomiris, asel = students
    path = f"/workshops/{workshop.id}/attendance"
    context = browser.new_context(viewport=PHONE, locale="kk-KZ")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server}{path}")
    wait_until_kept(page, path)
    context.set_offline(True)
    page.reload()

    def row(student):
        return page.locator(f'.attendance-item[data-student-id="{student.id}"]')

    row(aiaru).locator("label.attendance-row").click()  # one tap: present
    assert row(aiaru).locator(".state-present").is_visible()
    row(dana).locator("summary").click()  # the menu, one more tap
    assert row(dana).get_by_text("Кешікті", exact=True).is_visible()
    assert row(dana).get_by_text("Дәлелді себеп", exact=True).is_visible()
    row(dana).get_by_text("Кешікті", exact=True).click()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "marks-menu-kk-390.png"), full_page=False)
    row(dana).get_by_role("button", name="10", exact=True).click()
    assert row(dana).locator(".state-late").inner_text() == "кешікті: 10 мин"
    row(tomiris).locator("summary").click()
    row(tomiris).get_by_text("Дәлелді себеп", exact=True).click()
    assert row(tomiris).locator(".state-excused").is_visible()
    assert row(asel).locator(".state-absent").is_visible()
    assert "2 / 4" in page.inner_text("#attendance-count") or "2" in page.inner_text("#attendance-count")
    page.get_by_role("button", name="Қатысуды сақтау").click()
    page.wait_for_selector("#attendance-waiting", state="visible")
    page.screenshot(path=str(SHOTS / "marks-waiting-kk-390.png"), full_page=True)
    assert marks(workshop.id) == {}

    page.close()  # opened again offline: the marks waiting are shown as taken
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}{path}")
    page.wait_for_selector("#attendance-waiting", state="visible")
    assert row(dana).locator(".state-late").inner_text() == "кешікті: 10 мин"
    assert row(tomiris).locator(".state-excused").is_visible()

    context.set_offline(False)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not marks(workshop.id):
        time.sleep(0.5)
    assert marks(workshop.id) == {aiaru.id: ("present", None), dana.id: ("late", 35),
                                  tomiris.id: ("excused", None), asel.id: ("absent", None)}
    page.wait_for_selector("#attendance-sent", state="visible", timeout=10000)
    assert row(dana).locator(".state-late").inner_text() == "кешікті: 10 мин"
    assert errors == []
    context.close()
