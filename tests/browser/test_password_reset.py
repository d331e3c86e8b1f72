"""The whole password reset journey in Kazakh, in Chromium, reading the e-mail from a real SMTP server."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from outreach.extensions import db
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

NEW_PASSWORD = "жаңа-құпиясөз-2026"


def test_reset_journey_in_kazakh(app, live_server, browser, smtp_server):
    user = make_user("school", locale="kk", name="Сәуле Мектепова", email="saule@mektep.kz")
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="kk-KZ")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/login?lang=kk")
    page.get_by_role("link", name="Құпиясөзді ұмыттыңыз ба?").click()
    page.wait_for_url("**/password/forgot")
    expect(page.get_by_role("heading", level=1)).to_have_text("Құпиясөзді ұмыттыңыз ба?")
    page.get_by_label("Электрондық пошта").fill("Saule@Mektep.KZ")
    page.get_by_role("button", name="Сілтемені жіберу").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Электрондық поштаңызды тексеріңіз")

    messages = smtp_server.wait_for(1)
    assert len(messages) == 1
    email = messages[0]
    assert email["To"] == user.email
    assert email["Subject"] == "Outreach құпиясөзін қалпына келтіру"
    body = email.get_content()
    assert body.startswith("Сәлеметсіз бе, Сәуле Мектепова!") or "Сәуле Мектепова" in body
    link = re.search(r"https?://\S+/password/reset/[A-Za-z0-9_\-]+", body).group(0)
    base = app.config["OUTREACH_BASE_URL"].rstrip("/")
    assert link.startswith(base + "/")  # built on the configured address, never the request's host
    link = live_server + link[len(base):]  # the test's server stands in for that address

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Жаңа құпиясөз таңдаңыз")
    page.get_by_label("Жаңа құпиясөз").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Құпиясөз орнату").click()
    page.wait_for_url("**/login")
    expect(page.locator(".alert-success")).to_contain_text("Құпиясөзіңіз өзгертілді")

    # the link works once
    page.goto(link)
    expect(page.locator(".alert-warning")).to_contain_text("Бұл сілтеме енді жарамсыз")

    # the old password no longer opens the account, the new one does
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator(".alert-danger")).to_be_visible()
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert errors == []
    context.close()
