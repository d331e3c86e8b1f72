"""GET /healthz (alive, no database) and GET /readyz (database, migrations, Redis; the outbox's backlog): JSON,
unauthenticated, cheap, without secrets; 503 when not ready."""
from __future__ import annotations

import shutil
import time
from datetime import timedelta

from sqlalchemy import text

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage


def test_healthz_says_alive_without_the_database(client, count_queries):
    with count_queries() as counter:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "alive"}
    assert counter.count == 0
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_readyz_reports_each_check_and_no_secret(app, client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    report = response.json
    assert report["status"] == "ready"
    checks = report["checks"]
    assert checks["database"]["ok"] and checks["database"]["ms"] < 2000
    assert checks["migrations"]["ok"] and checks["migrations"]["current"] == checks["migrations"]["head"]
    assert checks["rate_limit_store"] == {"ok": True, "configured": False}  # memory:// in the tests
    assert checks["outbox"] == {"ok": True, "unsent": 0, "oldest_unsent_seconds": None}
    body = response.get_data(as_text=True)
    for secret in (app.config["SECRET_KEY"], app.config["SQLALCHEMY_DATABASE_URI"], "password", "sqlite", "@"):
        assert secret not in body


def test_readyz_tells_the_age_of_the_oldest_unsent_message_and_stays_ready(client):
    for minutes, sent in ((60, False), (5, False), (120, True)):
        db.session.add(OutboxMessage(to_email="a@example.org", locale="kk", kind="test", subject="s", body="b",
                                     created_at=utcnow() - timedelta(minutes=minutes),
                                     sent_at=utcnow() if sent else None))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200
    outbox = response.json["checks"]["outbox"]
    assert outbox["unsent"] == 2 and 3590 <= outbox["oldest_unsent_seconds"] <= 3660


def test_readyz_is_503_when_the_schema_is_not_at_the_head(sqlite_app):
    app, _folder = sqlite_app
    client = app.test_client()
    head = client.get("/readyz").json["checks"]["migrations"]["head"]
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001_whole_schema'"))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["status"] == "not_ready"
    assert response.json["checks"]["migrations"] == {"ok": False, "current": ["0001_whole_schema"], "head": head}
    assert response.json["checks"]["database"]["ok"]


def test_readyz_is_503_at_once_without_the_database_and_healthz_stays_200(sqlite_app):
    app, folder = sqlite_app
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    moved = folder.with_name("moved")
    shutil.move(folder, moved)
    db.engine.dispose()
    try:
        started = time.monotonic()
        response = client.get("/readyz")
        assert response.status_code == 503 and time.monotonic() - started < 3
        assert response.json["checks"]["database"] == {"ok": False, "error": "unavailable"}
        assert client.get("/healthz").status_code == 200
    finally:
        shutil.move(moved, folder)
    assert client.get("/readyz").status_code == 200
