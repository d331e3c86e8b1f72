"""Security headers: a strict Content-Security-Policy (no inline script or style anywhere), no framing, HSTS in
production; and a real browser shows the pages that used inline script and style without one CSP violation."""
from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest

from outreach.app import create_app
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups import services as signups
from tests.conftest import TEST_CONFIG, Csrf, PASSWORD
from tests.factories import make_school, make_student, make_user, make_workshop
from tests.test_routes_table import ROLES, ROWS, expected_for, objects  # noqa: F401  (the fixture)


class InlineFinder(HTMLParser):
    """What a CSP without 'unsafe-inline' would block: <script> without src, <style>, style= and on*= attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type") not in ("application/json",):
            self.found.append(f"<script> without src ({self.getpos()})")
        if tag == "style":
            self.found.append(f"<style> ({self.getpos()})")
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> ({self.getpos()})")


def _inline(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_every_page_has_a_strict_policy(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # not in development: plain http on a laptop
    assert "Content-Security-Policy" in client.get("/api/v1/openapi.json").headers


def test_hsts_in_production(database_url, monkeypatch):
    monkeypatch.setenv("OUTREACH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-at-least-32-bytes")
    monkeypatch.setenv("OUTREACH_BASE_URL", "https://outreach.example.org")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    response = app.test_client().get("/login", base_url="https://outreach.example.org")
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 180 * 24 * 3600


def test_no_page_of_the_route_table_needs_inline_script_or_style(app, objects):
    found = []
    for role in ROLES:
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "kk"
        if role != "anonymous":
            client.post("/login", data={"email": objects["users"][role].email, "password": PASSWORD,
                                        "csrf_token": Csrf.token(client)})
        for row in ROWS:
            method, path = row[0], row[1]
            if method != "GET" or expected_for(app, row, role) != 200:
                continue
            response = client.get(path.format(**objects))
            if response.mimetype == "text/html":
                found += [f"{path} as {role}: {what}" for what in _inline(response.get_data(as_text=True))]
    assert not found, "\n".join(found)


def test_the_demo_pages_need_no_inline_script_or_style(client, login, seeded):
    login(seeded.__dict__.get("DEMO_ADMIN") or "admin")
    found = []
    for path in ["/", "/initiatives", "/reports/impact", "/calendar", "/workshops", "/students", "/outbox",
                 "/schools"]:
        response = client.get(path)
        assert response.status_code == 200, path
        found += [f"{path}: {what}" for what in _inline(response.get_data(as_text=True))]
    assert not found, "\n".join(found)


@pytest.mark.browser
def test_pages_that_had_inline_code_work_under_the_policy(app, live_server, browser):
    """Attendance (its counter and "mark all" buttons), the invitation link's copy button, the report's tile map:
    no CSP violation in the console, and the behaviour still there."""
    coordinator = make_user("coordinator")
    workshop = make_workshop(starts_at=utcnow() - timedelta(minutes=10), capacity=3)
    school = make_school()
    students = [make_student(school, first_name=f"Оқушы{i}", last_name="Сейітова") for i in range(3)]
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="kk")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: violations.append(str(exc)))
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", coordinator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/workshops/{workshop.id}/attendance")
    counter = page.locator("#attendance-count")
    page.click("[data-mark=all]")
    assert "3" in counter.text_content()
    # the row styles moved from the template into outreach.css
    assert page.locator(".attendance-row").first.evaluate("e => getComputedStyle(e).display") == "flex"
    page.screenshot(path="/tmp/i12-hardening/attendance-390.png", full_page=True)

    page.goto(f"{live_server}/schools/{school.id}")
    page.fill("input[name=email]", "zhanna@example.org")
    page.fill("input[name=name]", "Жанна Ахметова")
    page.locator("form[action$='/invite'] button[type=submit]").click()
    page.wait_for_load_state()
    if page.locator("#copy-link").count():
        assert page.locator("#invitation-link").input_value().startswith("http")
    page.goto(f"{live_server}/reports/impact")
    page.screenshot(path="/tmp/i12-hardening/report-390.png", full_page=True)
    assert violations == [], violations
    context.close()
