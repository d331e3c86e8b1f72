"""Logs as an attacker reads them: a scripted session (sign in, roster search, a password reset link, the
calendar feed, invitation and feedback links, a Referer full of secrets) through the app and through gunicorn
with the project's gunicorn.conf.py, then the log grepped for names, e-mail addresses, tokens and query strings.
Also: the request id, one JSON line per request, and an unhandled error that does not flood the log."""
from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from outreach import logs
from outreach.app import create_app
from outreach.config import SettingsError, load_settings
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, TEST_CONFIG
from tests.factories import make_school, make_student, make_user
from tests.servers import gunicorn

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "aigerim.logtest@example.org"
FIRST, LAST, GUARDIAN = "Айжан", "Ұлықбекқызы", "Гүлнар Ұлықбекқызы"
FEED_TOKEN = "feed-SECRET-0123456789abcdef"
FEEDBACK_TOKEN = "feedback-SECRET-0123456789"
INVITATION_TOKEN = "invitation-SECRET-0123456789"
NEW_PASSWORD = "a-brand-new-password-for-logs"


def _people() -> dict:
    """A coordinator with a known address and feed token, and a child with an unmistakable name."""
    school = make_school()
    user = make_user("coordinator", email=EMAIL, name="Айгерім Сапарова", feed_token=FEED_TOKEN)
    student = make_student(school, first_name=FIRST, last_name=LAST)
    student.consent.guardian_name = GUARDIAN
    db.session.commit()
    return {"user_id": user.id, "student_id": student.id}


class _Http:
    """A browser on a real server: cookies, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  self._NoRedirect())

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


class _InProcess:
    def __init__(self, client) -> None:
        self.client = client

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        response = self.client.open(path, method=method, data=data, headers=headers or {}, buffered=True)
        return response.status_code, dict(response.headers), response.get_data(as_text=True)


def _csrf(browser, path: str) -> str:
    html = browser.request("GET", path)[2]
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _reset_path(app) -> str:
    deadline = time.monotonic() + 20
    while True:
        with app.app_context():
            message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).first()
            body = message.body if message else None
            db.session.remove()
        if body:
            return re.search(r"https?://[^/\s]+(/password/reset/[A-Za-z0-9_\-]+)", body).group(1)
        assert time.monotonic() < deadline, "no reset message"
        time.sleep(0.2)


def scripted_session(browser, app, people: dict) -> list[str]:
    """What a coordinator does in a few minutes; returns the secrets the log must not hold."""
    status, headers, _ = browser.request("GET", "/login?next=%2Fstudents%3Fq%3D" + urllib.parse.quote(LAST))
    assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    assert browser.request("POST", "/login", {"email": EMAIL, "password": PASSWORD,
                                              "csrf_token": _csrf(browser, "/login")})[0] == 302
    browser.request("GET", "/students?q=" + urllib.parse.quote(LAST) + "&grade=5")
    browser.request("GET", "/students?q=" + urllib.parse.quote(EMAIL))
    assert LAST in browser.request("GET", f"/students/{people['student_id']}")[2]
    # the search, however it is sent, and a Referer that carries a query string and a reset token
    browser.request("POST", "/students", {"q": LAST, "csrf_token": _csrf(browser, "/students")},
                    headers={"Referer": f"http://localhost/students?q={urllib.parse.quote(LAST)}"})
    browser.request("GET", f"/calendar/{FEED_TOKEN}.ics?initiative_id=1")
    browser.request("GET", f"/feedback/{FEEDBACK_TOKEN}")
    browser.request("GET", f"/invitation/{INVITATION_TOKEN}")
    browser.request("GET", "/logout")
    # a password reset by e-mail, used from another browser
    browser.request("POST", "/password/forgot", {"email": EMAIL, "csrf_token": _csrf(browser, "/password/forgot")})
    link = _reset_path(app)
    browser.request("GET", link, headers={"Referer": f"http://localhost{link}?from=mail"})
    assert browser.request("POST", link, {"new_password": NEW_PASSWORD, "csrf_token": _csrf(browser, link)})[0] == 302
    assert browser.request("POST", "/login", {"email": EMAIL, "password": NEW_PASSWORD,
                                              "csrf_token": _csrf(browser, "/login")})[0] == 302
    browser.request("GET", "/")
    token = link.rsplit("/", 1)[1]
    return [FIRST, LAST, GUARDIAN, LAST.lower(), EMAIL, "example.org", FEED_TOKEN, FEEDBACK_TOKEN, INVITATION_TOKEN,
            token, PASSWORD, NEW_PASSWORD, "q=", "from=mail", "initiative_id", "Сапарова"]


def assert_clean(log: str, secrets: list[str]) -> None:
    assert log.strip(), "nothing was logged"
    found = [secret for secret in secrets if secret.lower() in log.lower()]
    assert not found, f"the log holds {found}:\n{log[-3000:]}"
    assert not re.search(r"\?(?!<query>)", log), [line for line in log.splitlines() if "?" in line]
    assert "@" not in log, [line for line in log.splitlines() if "@" in line]


@contextmanager
def json_logs(app):
    app.config["LOG_FORMAT"] = "json"
    logs.configure("json")
    try:
        yield
    finally:
        app.config["LOG_FORMAT"] = "text"
        logs.configure("text")


# --- through the app ------------------------------------------------------------------------------------------

def test_a_scripted_session_leaves_no_secret_in_the_apps_json_log(app, capsys):
    people = _people()
    with json_logs(app):
        capsys.readouterr()
        secrets = scripted_session(_InProcess(app.test_client()), app, people)
        log = capsys.readouterr().err
    assert_clean(log, secrets)
    lines = [json.loads(line) for line in log.splitlines()]
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) >= 20
    for line in requests:
        assert set(line) >= {"request_id", "method", "route", "status", "duration_ms", "user_id"}
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    routes = {line["route"] for line in requests}
    assert {"/login", "/students", "/students/<int:student_id>", "/calendar/<token>.ics",
            "/password/reset/<token>"} <= routes
    signed_in = [line for line in requests if line["route"] == "/students/<int:student_id>"]
    assert signed_in and signed_in[0]["user_id"] == people["user_id"] and signed_in[0]["status"] == 200
    assert len({line["request_id"] for line in requests}) == len(requests)


def test_text_logs_of_the_same_session_hold_no_secret_either(app, capsys):
    people = _people()
    capsys.readouterr()
    secrets = scripted_session(_InProcess(app.test_client()), app, people)
    logging_output = capsys.readouterr().err
    if logging_output.strip():  # text mode writes no request line (gunicorn's access log does): only events
        assert_clean(logging_output, secrets)


# --- through gunicorn, a real process on loopback -----------------------------------------------------------------

@pytest.fixture
def served_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    server_app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with server_app.app_context():
        upgrade()
        people = _people()
        db.session.remove()
    yield url, server_app, people
    with server_app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_scripted_session_through_gunicorn_leaves_no_secret_in_its_log(served_database, tmp_path, log_format):
    url, server_app, people = served_database
    env = {"DATABASE_URL": url, "SECRET_KEY": "logs-test-secret-key-of-32-bytes-at-least", "OUTREACH_ENV": "development",
           "OUTREACH_INSTANCE_PATH": str(tmp_path / "instance"), "LOG_FORMAT": log_format,
           "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024"}
    with gunicorn(env, ["-c", "gunicorn.conf.py", "--workers", "1"], "/login", log_dir=tmp_path) as base:
        secrets = scripted_session(_Http(base), server_app, people)
        time.sleep(0.5)  # the last lines reach the file
    log = "\n".join(path.read_text() for path in tmp_path.glob("gunicorn-*.log"))
    assert_clean(log, secrets)
    if log_format == "text":
        access = [line for line in log.splitlines() if '"GET ' in line or '"POST ' in line]
        assert any('"GET /calendar/<token>.ics HTTP/1.1" 200' in line for line in access)
        assert any('"GET /password/reset/<token> HTTP/1.1" 200' in line for line in access)
        assert all(re.search(r"request_id=[0-9a-f]{32}$", line) for line in access), access[:3]
    else:
        lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        requests = [line for line in lines if line.get("event") == "request"]
        assert len(requests) >= 20 and not any('"GET ' in line for line in log.splitlines())
        assert {"/students", "/calendar/<token>.ics", "/password/reset/<token>"} <= {r["route"] for r in requests}
        assert any(r["user_id"] == people["user_id"] for r in requests)


# --- the request id ---------------------------------------------------------------------------------------------

def test_the_request_id_is_taken_only_from_a_trusted_proxy(app, client):
    assert client.get("/login", headers={"X-Request-ID": "chosen-by-anyone"}).headers["X-Request-ID"] != \
        "chosen-by-anyone"
    app.config["TRUSTED_PROXY_HOPS"] = 1
    try:
        assert client.get("/login", headers={"X-Request-ID": "nginx-4f1c2a"}).headers["X-Request-ID"] == "nginx-4f1c2a"
        for forged in ("a b", "x" * 200, "id;X-Evil: 1", "-starts-with-a-dash", "<script>"):
            kept = client.get("/login", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
            assert re.fullmatch(r"[0-9a-f]{32}", kept)
    finally:
        app.config["TRUSTED_PROXY_HOPS"] = 0
    assert client.get("/static/outreach.css").headers["X-Request-ID"]  # every response, static files too


def test_unknown_log_format_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("LOG_FORMAT", "yaml")
    with pytest.raises(SettingsError, match="LOG_FORMAT='yaml' is not known"):
        load_settings(tmp_path)


# --- an error that repeats -----------------------------------------------------------------------------------

def test_a_failing_request_logs_one_short_traceback_and_then_one_line_each(capsys, monkeypatch):
    monkeypatch.setattr(logs, "_repeats", logs._Repeats())
    failing = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_FORMAT": "json"})

    @failing.route("/boom")
    def boom():
        raise RuntimeError(f"could not save {EMAIL}\n[SQL: UPDATE student SET last_name=?]\n"
                           f"[parameters: ('{LAST}', 7)]")

    client = failing.test_client()
    capsys.readouterr()
    try:
        for _ in range(20):
            response = client.get("/boom?q=" + LAST)
            assert response.status_code == 500
    finally:
        logs.configure("text")
    log = capsys.readouterr().err
    errors = [json.loads(line) for line in log.splitlines() if '"ERROR"' in line]
    assert len(errors) == 20
    assert sum("traceback" in e for e in errors) == 1
    assert [e["repeats"] for e in errors[1:]] == list(range(1, 20))
    for error in errors:
        assert error["method"] == "GET" and error["route"] == "/boom" and re.fullmatch(r"[0-9a-f]{32}", error["request_id"])
        assert "user_id" in error
    assert errors[0]["error"] == "builtins.RuntimeError: could not save <email>"
    assert len(errors[0]["traceback"].splitlines()) <= logs.TRACEBACK_FRAMES + 1
    assert len(log) < 20 * 700 + 2000
    assert LAST not in log and EMAIL not in log and "q=" not in log


def test_redaction_of_paths_and_text():
    assert logs.safe_path("/calendar/abc123.ics") == "/calendar/<token>.ics"
    assert logs.safe_path("/password/reset/abc?x=1") == "/password/reset/<token>"
    assert logs.safe_path("/invitation/abc/") == "/invitation/<token>/"
    assert logs.safe_path("/feedback/abc") == "/feedback/<token>"
    assert logs.safe_path("/students/12") == "/students/12"
    assert logs.redact("sent to a.b+c@mail.kz, see https://x.kz/students?q=Name and /feedback/tok") == \
        "sent to <email>, see https://x.kz/students?<query> and /feedback/<token>"
