"""Account takeover through the Host header: a reset or invitation asked for with `Host: evil.example` must still
carry the canonical link (OUTREACH_BASE_URL) — checked the way the attack works, through a real SMTP server on
loopback. With TRUSTED_HOSTS set, a foreign host is refused (400) by a static page; a malformed Host is always
400, never a 500; production refuses to start without the base URL."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from outreach.app import create_app
from outreach.auth.models import Invitation
from outreach.config import SettingsError, load_settings
from outreach.extensions import db
from tests.conftest import TEST_CONFIG, Csrf
from tests.factories import make_school, make_user

EVIL = "evil.example"
CANONICAL = TEST_CONFIG["OUTREACH_BASE_URL"]


def _hostile(client):
    client.environ_base["HTTP_HOST"] = EVIL
    client.environ_base["HTTP_X_FORWARDED_HOST"] = EVIL  # not believed: no trusted proxy hops
    return client


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_a_reset_asked_with_a_hostile_host_mails_the_canonical_link(app, smtp_server):
    user = make_user("coordinator", email="coordinator@example.org")
    db.session.commit()
    attacker = _hostile(app.test_client())
    token = Csrf.token(attacker, "/password/forgot")
    response = attacker.post("/password/forgot", data={"email": user.email, "csrf_token": token}, buffered=True)
    assert response.status_code == 200
    [mail] = smtp_server.wait_for(1)
    body = mail.get_content()
    links = _links(body)
    assert links and all(link.startswith(CANONICAL + "/") for link in links), links
    assert EVIL not in body and EVIL not in str(mail)
    assert any("/password/reset/" in link for link in links)


def test_an_invitation_made_through_a_hostile_host_mails_the_canonical_link(app, login, smtp_server):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login("admin", c=client)
    _hostile(client)
    response = client.post("/invitations/new", data={"csrf_token": Csrf.token(client, "/invitations/new"),
                                                     "email": "new.coordinator@example.org", "name": "New",
                                                     "role": "coordinator", "locale": "ru"})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    [mail] = smtp_server.wait_for(1)
    body = mail.get_content()
    assert EVIL not in body
    [link] = [link for link in _links(body) if "/invitation/" in link]
    assert link.startswith(CANONICAL + "/invitation/")


def test_a_school_invitation_through_a_hostile_host_is_canonical_too(app, login, smtp_server):
    school = make_school()
    client = app.test_client()
    login("coordinator", c=client)
    _hostile(client)
    client.post(f"/schools/{school.id}/invite", data={"csrf_token": Csrf.token(client, f"/schools/{school.id}"),
                                                      "email": "rep@example.org", "name": "Rep", "locale": "kk"})
    assert db.session.scalars(select(Invitation)).one()
    [mail] = smtp_server.wait_for(1)
    assert EVIL not in mail.get_content()
    assert any(link.startswith(CANONICAL + "/invitation/") for link in _links(mail.get_content()))


@pytest.fixture
def trusted(app):
    saved = app.config.get("TRUSTED_HOSTS")
    app.config["TRUSTED_HOSTS"] = ["outreach.example.kz", ".schools.example.kz", "localhost"]
    yield
    app.config["TRUSTED_HOSTS"] = saved


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/no-such-page", "/static/outreach.css"])
def test_a_foreign_host_is_refused_when_trusted_hosts_is_set(app, trusted, path):
    response = app.test_client().get(path, headers={"Host": EVIL, "Accept-Language": "ru"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'lang="ru"' in html and "https://outreach.example.kz" in html and EVIL not in html
    assert "этот сайт не отвечает" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # no session: the refusal runs before the app


def test_a_foreign_host_on_the_api_gets_the_error_json(app, trusted):
    response = app.test_client().get("/api/v1/regions", headers={"Host": EVIL})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_host"


def test_a_forgot_password_post_to_a_foreign_host_sends_nothing(app, trusted):
    from outreach.notifications.models import OutboxMessage

    user = make_user("coordinator")
    db.session.commit()
    response = app.test_client().post("/password/forgot", data={"email": user.email}, headers={"Host": EVIL},
                                      buffered=True)
    assert response.status_code == 400
    assert db.session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.parametrize("host", ["outreach.example.kz", "OUTREACH.example.KZ", "a.schools.example.kz",
                                  "outreach.example.kz:443", "localhost"])
def test_the_listed_hosts_are_answered(app, trusted, host):
    assert app.test_client().get("/login", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["a" * 300, "a" * 300 + ".example.kz", "x..example.kz", ".example.kz",
                                  "ev il.example", "exa\u0301mple.kz", "example.kz:99999"])
@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/api/v1/regions"])
def test_a_malformed_host_is_400_never_500_even_without_trusted_hosts(app, host, path):
    assert not app.config.get("TRUSTED_HOSTS")
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400
    assert response.get_data()  # the error page itself rendered


def test_a_malformed_forwarded_host_behind_a_trusted_proxy_is_400(app):
    app.config["TRUSTED_PROXY_HOPS"] = 1
    try:
        response = app.test_client().get("/login", headers={"X-Forwarded-Host": "b" * 300})
    finally:
        app.config["TRUSTED_PROXY_HOPS"] = 0
    assert response.status_code == 400


def test_production_refuses_to_start_without_the_base_url(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-at-least-32-bytes")
    monkeypatch.delenv("OUTREACH_BASE_URL", raising=False)
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(SettingsError, match="OUTREACH_BASE_URL must be set"):
        create_app()
    monkeypatch.setenv("OUTREACH_BASE_URL", "outreach.example.kz")  # no scheme: not an address
    with pytest.raises(SettingsError, match="OUTREACH_BASE_URL must be an http"):
        load_settings(tmp_path)
    monkeypatch.setenv("OUTREACH_BASE_URL", "https://outreach.example.kz/")
    monkeypatch.setenv("TRUSTED_HOSTS", "Outreach.example.kz, .schools.example.kz")
    settings = load_settings(tmp_path)
    assert settings["OUTREACH_BASE_URL"] == "https://outreach.example.kz"
    assert settings["TRUSTED_HOSTS"] == ["outreach.example.kz", ".schools.example.kz"]


def test_development_falls_back_to_the_local_address(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTREACH_ENV", raising=False)
    monkeypatch.delenv("OUTREACH_BASE_URL", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    settings = load_settings(tmp_path)
    assert settings["OUTREACH_BASE_URL"] == "http://127.0.0.1:5000"
    assert settings["TRUSTED_HOSTS"] is None


def test_links_outside_a_request_are_canonical(app):
    from outreach.auth.resets import reset_link
    from outreach.links import external_url

    assert reset_link("T0k3n") == CANONICAL + "/password/reset/T0k3n"
    saved = app.config["OUTREACH_BASE_URL"]
    app.config["OUTREACH_BASE_URL"] = "https://example.kz/outreach/"
    try:
        assert external_url("auth.login") == "https://example.kz/outreach/login"
    finally:
        app.config["OUTREACH_BASE_URL"] = saved


def test_the_wsgi_entry_point_stops_with_one_clear_message(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("OUTREACH_BASE_URL", "TRUSTED_HOSTS")}
    env.update(OUTREACH_ENV="production", SECRET_KEY="x" * 64, OUTREACH_INSTANCE_PATH=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}")
    done = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 3
    assert "OUTREACH_BASE_URL must be set" in done.stderr and "Traceback" not in done.stderr
