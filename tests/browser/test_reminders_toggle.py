"""A school representative turns the e-mail reminders off on a phone, in Kazakh, and the page keeps the choice."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from outreach.auth.models import User
from outreach.extensions import db
from tests.conftest import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_a_representative_turns_reminders_off_on_a_phone_in_kazakh(live_server, browser, tmp_path):
    rep = make_user("school", locale="kk", email="rep-kk@example.org")
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/login?lang=kk")
    page.fill("input[name=email]", rep.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/account")
    box = page.get_by_label("Электрондық поштамен еске салу")
    assert box.is_checked()
    assert page.get_by_text("Шеберлік сабағына бір күн бұрын еске салу және қатыспау туралы хабарламалар").is_visible()
    box.uncheck()
    box.locator("xpath=ancestor::form").get_by_role("button").click()
    page.wait_for_url(f"{live_server}/account")
    assert page.get_by_text("Еске салу хабарламалары электрондық поштаға енді жіберілмейді.").is_visible()
    assert not page.get_by_label("Электрондық поштамен еске салу").is_checked()
    page.locator("#reminders").scroll_into_view_if_needed()
    shots = Path(os.environ.get("OUTREACH_SHOTS", tmp_path))
    page.screenshot(path=str(shots / "account-reminders-kk-phone.png"), full_page=True)
    db.session.expire_all()
    assert db.session.get(User, rep.id).reminders is False
    assert errors == []
    context.close()
