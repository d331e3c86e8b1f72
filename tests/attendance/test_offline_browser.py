"""In Chromium on a 390 px phone, in Kazakh: attendance taken without a connection arrives when the phone is back
online; lists kept for a trip; the session ending while offline; installability of the app shell."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.attendance.models import Attendance
from outreach.auth.services import end_sessions
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups import services as signups
from outreach.signups.models import Signup
from tests.api.conftest import Api
from tests.conftest import CHROMIUM_ARGS, PASSWORD
from tests.factories import make_school, make_student, make_user, make_workshop

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/i14-offline")


@pytest.fixture
def trip():
    """A coordinator (Kazakh), a workshop that started 20 minutes ago with three confirmed students."""
    coordinator = make_user("coordinator", locale="kk")
    workshop = make_workshop(starts_at=utcnow() - timedelta(minutes=20), title={"kk": "Домбыра үйірмесі"},
                             venue="Ақсу ауылының мәдениет үйі")
    school = make_school()
    students = [make_student(school, first_name=name, last_name="Сейітова", grade=5)
                for name in ("Айару", "Дана", "Томирис")]
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    return coordinator, workshop, students


def sign_in(page, base: str, user, next_path: str = "") -> None:
    page.goto(f"{base}/login?lang=kk" + (f"&next={next_path}" if next_path else ""))
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def controlled(page) -> None:
    """Wait until the service worker is active and controls the page (reloading once if it took over after
    the page had loaded: the machine running the tests may be busy)."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30000)


# the paths of the lists kept on the phone (sealed, in IndexedDB: offline-store.js)
KEPT_PATHS = """() => new Promise((resolve) => {
  const q = indexedDB.open('outreach-offline');
  q.onerror = () => resolve([]);
  q.onsuccess = () => {
    const db = q.result;
    if (!db.objectStoreNames.contains('lists')) { db.close(); resolve([]); return; }
    const r = db.transaction('lists').objectStore('lists').getAll();
    r.onsuccess = () => { db.close(); resolve(r.result.filter(e => e.sealed).map(e => e.path)); };
    r.onerror = () => { db.close(); resolve([]); };
  };
})"""


def kept_paths(page) -> list[str]:
    return page.evaluate(KEPT_PATHS)


def wait_until_kept(page, path: str) -> None:
    """The worker controls the page and the page is kept on the phone."""
    controlled(page)
    page.wait_for_function(f"(path) => ({KEPT_PATHS})().then(paths => paths.includes(path))", arg=path,
                           timeout=15000)


def attendance_rows(api: Api, user, workshop_id: int) -> dict[int, bool | None]:
    body = api.get(f"/workshops/{workshop_id}/attendance", as_=user).get_json()
    return {item["student_id"]: item["present"] for item in body["items"]} if body["recorded"] else {}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def api(app) -> Api:
    client = app.test_client()
    return Api(client)


def test_attendance_taken_offline_arrives_when_the_phone_is_back_online(live_server, browser, trip, api):
    coordinator, workshop, students = trip
    path = f"/workshops/{workshop.id}/attendance"
    context = browser.new_context(viewport=PHONE, locale="kk-KZ")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server}{path}")
    fetched_at = page.get_attribute("#attendance-form", "data-fetched-at")
    wait_until_kept(page, path)
    assert page.locator("#offline-banner").is_hidden()

    context.set_offline(True)
    page.reload()
    # the page comes from the phone: the same roster, fetched before, with the offline banner saying when
    assert page.get_attribute("#attendance-form", "data-fetched-at") == fetched_at
    assert page.locator("#offline-banner").is_visible()
    banner = page.inner_text("#offline-banner")
    assert "Телефон желіде емес" in banner and "Тізім" in banner
    for student in students:
        assert page.locator(f"label:has-text('{student.first_name}')").is_visible()
    page.click("label:has-text('Айару')")
    page.click("label:has-text('Томирис')")
    page.get_by_role("button", name="Қатысуды сақтау").click()
    page.wait_for_selector("#attendance-waiting", state="visible")
    # the sticky save bar says it too, in sight at the bottom of the screen whatever is scrolled
    bar = page.locator("#attendance-bar-state")
    assert bar.is_visible() and "жіберілуін күтуде" in bar.inner_text()
    box = bar.bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"] + 1
    shot(page, "offline-waiting-kk-390")
    page.close()

    # the tab was closed; the phone is still offline: the page opens again with the marks waiting
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}{path}")
    page.wait_for_selector("#attendance-waiting", state="visible")
    assert page.is_checked(f"#present-{students[0].id}") and page.is_checked(f"#present-{students[2].id}")
    assert not page.is_checked(f"#present-{students[1].id}")
    assert attendance_rows(api, coordinator, workshop.id) == {}  # nothing reached the server yet

    context.set_offline(False)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not attendance_rows(api, coordinator, workshop.id):
        time.sleep(0.5)
    assert attendance_rows(api, coordinator, workshop.id) == {
        students[0].id: True, students[1].id: False, students[2].id: True}
    page.wait_for_selector("#attendance-sent", state="visible", timeout=10000)
    assert page.locator("#attendance-waiting").is_hidden()
    assert page.locator("#attendance-bar-state").get_attribute("class").endswith("bar-attendance-sent")
    shot(page, "online-sent-kk-390")
    assert errors == []
    context.close()


def test_online_save_goes_back_to_the_workshop_and_refusals_are_shown(live_server, browser, trip, api):
    coordinator, workshop, students = trip
    path = f"/workshops/{workshop.id}/attendance"
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server}{path}")
    wait_until_kept(page, path)
    # while the phone is offline, Дана's place is cancelled on the server
    context.set_offline(True)
    page.get_by_role("button", name="Барлығын «қатысты» деп белгілеу").click()
    page.get_by_role("button", name="Қатысуды сақтау").click()
    page.wait_for_selector("#attendance-waiting", state="visible")
    signup = db.session.scalar(select(Signup).where(Signup.workshop_id == workshop.id,
                                                    Signup.student_id == students[1].id))
    signups.cancel(signup.id, actor=coordinator)
    db.session.commit()
    context.set_offline(False)
    page.wait_for_selector("#attendance-refused", state="visible", timeout=30000)
    refused = page.inner_text("#attendance-refused")
    assert "Дана" in refused and "Айару" not in refused
    shot(page, "refused-kk-390")
    assert attendance_rows(api, coordinator, workshop.id) == {students[0].id: True, students[2].id: True}

    # online, a save goes through at once and back to the workshop, as a plain form does
    page.goto(f"{live_server}{path}")
    page.click("label:has-text('Томирис')")
    page.get_by_role("button", name="Қатысуды сақтау").click()
    page.wait_for_url(f"{live_server}/workshops/{workshop.id}")
    assert "Қатысу сақталды" in page.inner_text("main")
    assert attendance_rows(api, coordinator, workshop.id)[students[2].id] is False
    context.close()


def test_session_ended_while_offline_keeps_the_marks_until_the_same_user_signs_in(live_server, browser, trip, api):
    coordinator, workshop, students = trip
    other = make_user("coordinator", locale="kk")
    db.session.commit()
    path = f"/workshops/{workshop.id}/attendance"
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, coordinator)
    page.goto(f"{live_server}{path}")
    wait_until_kept(page, path)
    context.set_offline(True)
    page.reload()
    page.click("label:has-text('Дана')")
    page.get_by_role("button", name="Қатысуды сақтау").click()
    page.wait_for_selector("#attendance-waiting", state="visible")

    end_sessions(db.session.merge(coordinator))  # the session ends (as when the password was changed elsewhere)
    db.session.commit()
    context.set_offline(False)
    page.wait_for_selector("#attendance-signin", state="visible", timeout=30000)
    shot(page, "signin-kk-390")
    assert attendance_rows(api, coordinator, workshop.id) == {}

    # someone else signs in on this phone: the marks are not sent under their name
    sign_in(page, live_server, other, next_path=path)
    page.wait_for_url(f"{live_server}{path}")
    page.wait_for_selector("#attendance-other-user", state="visible", timeout=15000)
    time.sleep(2)
    assert attendance_rows(api, coordinator, workshop.id) == {}
    page.evaluate("() => document.querySelector('form[data-sign-out]').requestSubmit()")
    page.wait_for_url("**/login**")

    # the coordinator who took them signs in again: they go, under the coordinator's name
    sign_in(page, live_server, coordinator, next_path=path)
    page.wait_for_url(f"{live_server}{path}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not attendance_rows(api, coordinator, workshop.id):
        time.sleep(0.5)
    assert attendance_rows(api, coordinator, workshop.id) == {
        students[0].id: False, students[1].id: True, students[2].id: False}
    recorders = set(db.session.scalars(select(Attendance.recorded_by_id)).all())
    assert recorders == {coordinator.id}
    context.close()


def test_the_next_seven_days_lists_are_kept_and_wiped_at_sign_out(live_server, browser, trip):
    coordinator, started, students = trip
    tomorrow = make_workshop(starts_at=utcnow() + timedelta(days=1), title={"kk": "Ертеңгі би сабағы"})
    far = make_workshop(starts_at=utcnow() + timedelta(days=9), title={"kk": "Алыс сабақ"})
    signups.register(tomorrow.id, [students[0].id], actor=coordinator)
    db.session.commit()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, coordinator)
    controlled(page)
    page.get_by_role("button", name="Алдағы 7 күннің қатысу тізімдерін осы телефонда сақтау").click()
    page.wait_for_function("() => document.querySelector('[data-keep-status]').textContent.includes('2')",
                           timeout=15000)
    shot(page, "dashboard-kept-kk-390")

    context.set_offline(True)
    # never opened online, yet both open offline; tomorrow's shows its roster closed until the start
    page.goto(f"{live_server}/workshops/{started.id}/attendance")
    assert page.locator("label:has-text('Томирис')").is_visible()
    page.goto(f"{live_server}/workshops/{tomorrow.id}/attendance")
    assert page.locator("#attendance-not-open").is_visible() and page.locator("#attendance-form").is_hidden()
    assert page.locator("label:has-text('Айару')").count() == 1
    # a list not kept: the offline page, which lists what is on the phone
    page.goto(f"{live_server}/workshops/{far.id}/attendance")
    page.wait_for_selector("[data-kept-lists] li", timeout=5000)
    kept = page.inner_text("[data-kept-lists]")
    assert "Домбыра үйірмесі" in kept and "Ертеңгі би сабағы" in kept and "Алыс сабақ" not in kept
    shot(page, "offline-page-kk-390")

    context.set_offline(False)
    page.goto(f"{live_server}/")
    page.evaluate("() => document.querySelector('form[data-sign-out]').requestSubmit()")
    page.wait_for_url("**/login**")
    assert kept_paths(page) == []
    context.set_offline(True)
    page.goto(f"{live_server}/workshops/{started.id}/attendance")
    assert page.locator("#attendance-form").count() == 0  # gone from the phone: the offline page instead
    assert errors == []
    context.close()


def test_a_kept_list_is_wiped_a_day_after_its_workshop(live_server, browser):
    coordinator = make_user("coordinator", locale="kk")
    old = make_workshop(starts_at=utcnow() - timedelta(hours=27), duration_minutes=60)
    recent = make_workshop(starts_at=utcnow() - timedelta(hours=20), duration_minutes=60)
    db.session.commit()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, coordinator)
    for workshop in (old, recent):
        page.goto(f"{live_server}/workshops/{workshop.id}/attendance")
        controlled(page)
    page.goto(f"{live_server}/workshops/{recent.id}/attendance")
    wait_until_kept(page, f"/workshops/{recent.id}/attendance")
    page.goto(f"{live_server}/")
    page.wait_for_timeout(500)
    kept = kept_paths(page)
    assert f"/workshops/{recent.id}/attendance" in kept
    assert f"/workshops/{old.id}/attendance" not in kept
    context.close()


def test_the_app_passes_chromiums_installability_checks(live_server, browser, tmp_path):
    coordinator = make_user("coordinator", locale="kk")
    db.session.commit()
    # a profile on disk (from the same Playwright): Chromium never offers to install from an incognito profile
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
        viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, live_server, coordinator)
        controlled(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        assert manifest["url"].endswith("/manifest.webmanifest")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
    finally:
        context.close()
