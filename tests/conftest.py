"""Fixtures: a migrated database (SQLite file, or PostgreSQL from TEST_DATABASE_URL), app, client, login."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from flask.testing import FlaskClient

from outreach.app import create_app
from outreach.extensions import db, limiter

PASSWORD = "correct-horse-battery"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:  # start from an empty schema
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_root / 'test.sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory.mktemp("db"))


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "WTF_CSRF_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "SERVER_NAME": None,
    # the canonical address every e-mailed link is built on (never the request's Host)
    "OUTREACH_BASE_URL": "https://outreach.example.kz",
    # services called directly by tests speak English, so assertions can read English messages
    "LOCALE_OUTSIDE_REQUESTS": "en",
    # a write's figures are in the report when the request returns (tests/reports/test_upkeep.py tries the others)
    "REPORT_UPKEEP": "after_commit",
}


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _clean(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "region"]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _isolate(request, app):
    """Each test starts with an empty database (regions kept) and fresh rate limits."""
    limiter.reset()
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.remove()
    ctx.pop()
    _clean(app)


class IsolatedClient(FlaskClient):
    """Each request gets a clean `g`, as it would in its own app context on a real server
    (the test's app context is shared with the requests it makes)."""

    def open(self, *args, **kwargs):
        from flask import g

        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    """A browser that asks for English pages (assertions read English); see raw_client for none."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def raw_client(app):
    """A browser that sends no Accept-Language header."""
    return app.test_client()


class Csrf:
    @staticmethod
    def token(client, path: str = "/login") -> str:
        import re

        html = client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
            re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)


@pytest.fixture
def csrf():
    return Csrf


@pytest.fixture
def login(client):
    """login(user_or_role) signs the test client in through the real form; returns the user."""
    from tests.factories import make_user

    def _login(who="coordinator", password: str = PASSWORD, c=None):
        c = c or client
        user = make_user(role=who) if isinstance(who, str) else who
        db.session.commit()
        response = c.post("/login", data={"email": user.email, "password": password,
                                          "csrf_token": Csrf.token(c)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port in a background thread."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def seeded(app):
    from outreach import demo

    demo.seed()
    db.session.commit()
    return demo


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements run."""
    from contextlib import contextmanager

    from sqlalchemy import event

    class Counter:
        count = 0
        statements: list[str] = []

    @contextmanager
    def _count():
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
                counter.count += 1
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return _count


class _Mailbox:
    """What a real SMTP server on loopback received (aiosmtpd), for tests of e-mails that leave the app.

    `delay`: seconds a slow server takes to answer "accepted" once it has received a message (it keeps the
    message even if the client has given up waiting meanwhile, as real servers do)."""

    def __init__(self, delay: float = 0.0) -> None:
        import threading

        self.messages: list = []
        self.lock = threading.Lock()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's handler name)
        import asyncio
        from email import message_from_bytes
        from email.policy import default

        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=default))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


@contextmanager
def running_smtp_server(app, *, delay: float = 0.0, workers: int = 1):
    """A real SMTP server on a free loopback port and `workers` outbox workers (threads, as `flask outbox run`
    does it) sending the app's mail there."""
    import socket
    import threading

    from aiosmtpd.controller import Controller

    from outreach.notifications import sending

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = _Mailbox(delay)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME=None)
    stop = threading.Event()

    def work():
        with app.app_context():
            sending.run_worker(app, stop=stop, poll=0.1, max_pause=0.5)

    threads = [threading.Thread(target=work, daemon=True) for _n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        yield mailbox
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free loopback port; the outbox worker sends the app's mail there during the test."""
    with running_smtp_server(app) as mailbox:
        yield mailbox
