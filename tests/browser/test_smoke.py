"""A real browser signs in as each demo account, switches language and meets no page error."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ACCOUNTS = ["admin@example.org", "coordinator@example.org", "school@example.org", "school2@example.org",
            "funder@example.org"]


def open_phone_menu(page) -> None:
    """Open the collapsed navigation and wait until its animation has finished."""
    page.click("button.navbar-toggler")
    page.wait_for_selector("#mainnav.collapse.show", state="visible")


def test_each_demo_account_signs_in_and_switches_language(live_server, browser, seeded):
    for email in ACCOUNTS:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(f"{live_server}/login?lang=kk")
        assert page.locator("html").get_attribute("lang") == "kk"
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", seeded.DEMO_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        # switch language from the navigation (collapsed on a phone)
        open_phone_menu(page)
        page.click("#language-menu")
        page.click("a[hreflang=ru]")
        page.wait_for_url("**lang=ru")
        assert page.locator("html").get_attribute("lang") == "ru"
        open_phone_menu(page)
        page.click("#account-menu")
        expect(page.get_by_role("button", name="Выйти")).to_be_visible()
        for link in page.locator("#mainnav a.nav-link").all():
            href = link.get_attribute("href")
            page.goto(f"{live_server}{href}")
            assert page.locator("html").get_attribute("lang") == "ru"
            page.goto(f"{live_server}/")
        assert errors == [], f"{email}: {errors}"
        context.close()
