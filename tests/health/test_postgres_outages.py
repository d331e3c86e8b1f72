"""PostgreSQL stopped and frozen for real (a cluster of the test's own): requests fail fast with the 503 page or
the API's JSON error, the probe's circuit answers at once while the server is frozen, and the app recovers alone
when the server is back. Skipped without PostgreSQL's binaries."""
from __future__ import annotations

import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from outreach.app import create_app
from outreach.errors import is_database_outage
from outreach.extensions import db
from tests.conftest import TEST_CONFIG, IsolatedClient
from tests.health.test_outages import (_signed_in, assert_one_line_per_request, assert_outage_json,
                                       assert_outage_page)
from tests.servers import DedicatedPostgres

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres():
    server = DedicatedPostgres()
    try:
        yield server.start()
    finally:
        server.remove()


@pytest.fixture
def pg_app(postgres):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": postgres.url, "DATABASE_PROBE_INTERVAL": 0.3,
                      "DATABASE_PROBE_TIMEOUT": 1, "DATABASE_CONNECT_TIMEOUT": 2,
                      "DATABASE_STATEMENT_TIMEOUT": 1})
    app.test_client_class = IsolatedClient
    fresh = create_engine(postgres.url)  # without the app's 1 s statement limit
    with fresh.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    fresh.dispose()
    with app.app_context():
        upgrade()
        yield app
        app.extensions["database_probe"].stop()
        db.session.remove()
        db.engine.dispose()


def _until(condition, seconds: float) -> float:
    """Wait until condition() holds; how long it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "not within %s s" % seconds
        time.sleep(0.1)
    return time.monotonic() - started


def test_statements_have_a_timeout_and_migrations_do_not(pg_app):
    assert db.session.execute(text("SHOW statement_timeout")).scalar() == "1s"  # after upgrade() too
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        db.session.execute(text("SELECT pg_sleep(5)"))
    assert time.monotonic() - started < 3 and is_database_outage(caught.value)
    db.session.rollback()


def test_a_stopped_postgresql_is_a_503_and_the_app_recovers_alone(pg_app, postgres, caplog):
    browser, token = _signed_in(pg_app, "ru")
    probe = pg_app.extensions["database_probe"]
    postgres.stop()
    try:
        caplog.clear()
        started = time.monotonic()
        assert_outage_page(browser.get("/"), "ru")
        assert_outage_json(browser.get("/api/v1/workshops", headers={**token, "Accept-Language": "kk"}), "kk")
        assert time.monotonic() - started < 5
        _until(lambda: probe.is_open, 5)
        assert_outage_page(browser.get("/workshops"), "ru")
        assert pg_app.test_client().get("/login").status_code == 200  # needs no database
        assert_one_line_per_request(caplog, 3)
    finally:
        postgres.start()
    # back without a restart, within a probe or two
    assert _until(lambda: browser.get("/").status_code == 200, 10) < 5
    assert browser.get("/api/v1/workshops", headers=token).status_code == 200


def test_a_frozen_postgresql_opens_the_circuit_and_requests_get_503_at_once(pg_app, postgres, caplog):
    browser, token = _signed_in(pg_app, "kk")
    probe = pg_app.extensions["database_probe"]
    assert not probe.is_open
    postgres.freeze()
    try:
        # the probe notices within its interval and timeouts (a fresh connection is never answered)
        _until(lambda: probe.is_open, 8)
        caplog.clear()
        started = time.monotonic()
        assert_outage_page(browser.get("/"), "kk")
        assert_outage_page(browser.get("/workshops"), "kk")
        assert_outage_json(browser.get("/api/v1/workshops", headers={**token, "Accept-Language": "ru"}), "ru")
        assert time.monotonic() - started < 3  # at once: without the circuit each would wait for ever
        assert browser.get("/api/v1/openapi.json").status_code == 200
        assert browser.get("/healthz").status_code == 200
        ready = browser.get("/readyz")
        assert ready.status_code == 503 and ready.json["checks"]["database"] == {"ok": False, "error": "unavailable"}
        assert time.monotonic() - started < 4
        assert_one_line_per_request(caplog, 3)
    finally:
        postgres.thaw()
    _until(lambda: not probe.is_open, 8)  # the circuit closes at the first answer
    assert browser.get("/").status_code == 200
    assert browser.get("/readyz").status_code == 200


def test_readyz_does_not_wait_for_a_server_frozen_before_the_probe_notices(pg_app, postgres):
    client = pg_app.test_client()
    assert client.get("/readyz").status_code == 200
    postgres.freeze()
    try:
        started = time.monotonic()
        response = client.get("/readyz")  # the probe may not have noticed yet: the check gives up after 2 s
        assert response.status_code == 503 and time.monotonic() - started < 4
    finally:
        postgres.thaw()
