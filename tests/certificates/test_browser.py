"""In a real browser, the demo's Russian-speaking school representative finds the certificates of a class."""
from __future__ import annotations

import os

import pytest

from outreach.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_a_school_finds_its_certificates_from_the_roster(live_server, browser, seeded, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server}/login?lang=ru")
    page.fill("input[name=email]", "school2@example.org")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/students")
    page.get_by_role("link", name="Сертификаты", exact=True).click()
    page.wait_for_url("**/certificates**")
    assert page.locator("h1").inner_text() == "Сертификаты участников"
    classes = page.locator("section.certificate-class")
    assert classes.count() >= 2
    assert "Школа-лицей №8" in page.content()
    link = classes.first.get_by_role("link", name="Сертификаты всего класса (PDF)")
    response = page.request.get(f"{live_server}{link.get_attribute('href')}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    shot = os.environ.get("OUTREACH_SHOTS")  # a folder to keep the screenshot in, for a person to look at
    page.screenshot(path=os.path.join(shot or str(tmp_path), "certificates-ru-desktop.png"), full_page=True)
    assert errors == []
    context.close()
