"""The database fails for real and the app fails fast and recovers alone: `503` with `Retry-After`, the app's own
page in the person's language rendered without the database (the API: its JSON error), one log line per failed
request, never a traceback. SQLite here (a locked database, a database file that cannot be opened); PostgreSQL
stopped and frozen in tests/health/test_postgres_outages.py."""
from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import time

import sqlalchemy.exc

from outreach.auth.services import issue_api_token
from outreach.errors import DATABASE_UNAVAILABLE
from outreach.extensions import Session, db
from outreach.i18n import force_locale
from tests.conftest import PASSWORD, Csrf
from tests.factories import make_user


def _message(lang: str) -> str:
    with force_locale(lang):
        return str(DATABASE_UNAVAILABLE)


def assert_outage_page(response, lang: str) -> None:
    """The app's own 503 page in `lang`, nobody signed in on it (it was rendered without the database)."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:500]
    assert int(response.headers["Retry-After"]) > 0
    assert f'<html lang="{lang}">' in html and _message(lang) in html
    if lang != "en":
        assert _message("en") not in html  # translated
    assert "data-sign-out" not in html  # no account menu: the user was never looked up


def assert_outage_json(response, lang: str) -> None:
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert response.json == {"error": {"code": "database_unavailable", "message": _message(lang)}}


def assert_one_line_per_request(caplog, requests: int) -> None:
    lines = [r for r in caplog.records if "unavailable:" in r.getMessage()]
    assert len(lines) == requests, [r.getMessage() for r in caplog.records]
    assert all(r.exc_info is None for r in caplog.records if r.levelno >= logging.WARNING)  # no traceback


def _signed_in(app, locale: str):
    """A coordinator whose account is in `locale`, signed in from a browser that asks for English."""
    user = make_user("coordinator", locale=locale)
    raw, _token = issue_api_token(user)
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": Csrf.token(client)})
    assert response.status_code == 302
    assert f'<html lang="{locale}">' in client.get("/").get_data(as_text=True)  # the account's language
    return client, {"Authorization": f"Bearer {raw}"}


def test_a_locked_sqlite_database_is_a_503_after_the_busy_timeout(sqlite_app, caplog):
    app, folder = sqlite_app
    browser, token = _signed_in(app, "ru")
    csrf = Csrf.token(browser, "/schools/new")
    other = sqlite3.connect(folder / "outreach.sqlite")
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database's write lock
    caplog.clear()
    try:
        started = time.monotonic()
        api = browser.post("/api/v1/schools", headers={**token, "Accept-Language": "kk"},
                           json={"name": "Мектеп", "region": "KZ-71", "locality": "Астана",
                                 "settlement_type": "urban", "languages": ["kk"]})
        assert_outage_json(api, "kk")
        page = browser.post("/schools/new", data={"csrf_token": csrf, "name": "Мектеп", "region": "KZ-71",
                                                  "locality": "Астана", "settlement_type": "urban",
                                                  "languages": ["kk"]})
        assert_outage_page(page, "ru")
        assert time.monotonic() - started < 5  # the busy timeout (0.3 s), not 30 s
        assert browser.get("/").status_code == 200  # reading goes on (WAL)
    finally:
        other.rollback()
        other.close()
    assert_one_line_per_request(caplog, 2)
    # the lock is gone: the same write works
    api = browser.post("/api/v1/schools", headers=token, json={"name": "Мектеп", "region": "KZ-71", "locality": "Астана",
                                                               "settlement_type": "urban", "languages": ["kk"]})
    assert api.status_code == 201, api.json


def test_a_database_file_that_cannot_be_opened_is_a_503_and_the_app_recovers_alone(sqlite_app, caplog):
    app, folder = sqlite_app
    browser, token = _signed_in(app, "kk")
    moved = folder.with_name("moved")
    shutil.move(folder, moved)  # the disk is gone (and the pool's open connections with it)
    db.engine.dispose()
    caplog.clear()
    try:
        assert_outage_page(browser.get("/"), "kk")
        assert_outage_page(browser.get("/workshops"), "kk")
        assert_outage_json(browser.get("/api/v1/workshops", headers={**token, "Accept-Language": "ru"}), "ru")
        stranger = app.test_client()
        assert_outage_page(stranger.get("/password/reset/some-link", headers={"Accept-Language": "ru-KZ,ru;q=0.9"}),
                           "ru")
        # what needs no database still works
        assert stranger.get("/login").status_code == 200
        assert browser.get("/static/outreach.css").status_code == 200
        assert browser.get("/api/v1/openapi.json").status_code == 200
    finally:
        shutil.move(moved, folder)
    assert_one_line_per_request(caplog, 4)
    assert re.search(r"unavailable: GET /workshops: OperationalError: ", caplog.text)
    assert browser.get("/").status_code == 200  # back without a restart


def test_a_commit_that_loses_the_database_is_a_503_with_one_line(sqlite_app, caplog, monkeypatch):
    """The request's one commit (after the view, outreach/app.py) meets the outage: the same 503, no traceback."""
    app, _folder = sqlite_app
    browser, token = _signed_in(app, "ru")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: Flask's own handling, not the test's

    def lost(self):
        raise sqlalchemy.exc.OperationalError("COMMIT", {}, OSError("server closed the connection unexpectedly"))

    monkeypatch.setattr(Session, "commit", lost)
    caplog.clear()
    assert_outage_page(browser.get("/"), "ru")
    assert_outage_json(browser.get("/api/v1/workshops", headers={**token, "Accept-Language": "kk"}), "kk")
    assert_one_line_per_request(caplog, 2)


def test_the_openapi_document_tells_clients_every_operation_may_answer_503(client):
    doc = client.get("/api/v1/openapi.json").json
    assert "Retry-After" in doc["components"]["responses"]["SERVICE_UNAVAILABLE"]["headers"]
    operations = [op for path in doc["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert operations and all("503" in op["responses"] for op in operations)
