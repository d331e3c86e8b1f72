"""The outbox worker against a real SMTP server on loopback (aiosmtpd), slow on purpose: requests only queue,
workers send every message once, a timeout shorter than the server's acceptance sends it twice (same Message-ID)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select, update

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.notifications import sending, services as notifications
from outreach.notifications.models import OutboxMessage
from outreach.signups import services as signups
from tests.conftest import Csrf, running_smtp_server
from tests.factories import make_school, make_student, make_user, make_workshop

ROOT = Path(__file__).resolve().parents[2]


def _queue(n: int) -> list[int]:
    user = make_user("school", locale="ru")
    messages = [notifications.queue(user, "workshop_moved", f"Мастер-класс перенесён {i}", "Текст") for i in range(n)]
    db.session.commit()
    notifications.take_committed(db.session.info)
    return [m.id for m in messages]


def _all_sent(n: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        if db.session.scalar(select(db.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.sent_at.is_not(None))) >= n:
            return True
        time.sleep(0.1)
    return False


def test_a_slow_mail_server_never_holds_a_request(app, client, login):
    school = make_school()
    rep = make_user("school", school=school, locale="en")
    login(rep)
    workshops = [make_workshop(capacity=1) for _n in range(3)]
    first = [signups.register(w.id, [make_student(school).id, make_student(school).id], actor=rep)[0] for w in workshops]
    db.session.commit()
    app.config["MAIL_TIMEOUT"] = 10.0
    try:
        # the server takes 2 s to accept each message; the worker waits for it (10 s), so each arrives once
        with running_smtp_server(app, delay=2.0) as mailbox:
            took = []
            for result in first:
                started = time.monotonic()
                response = client.post(f"/signups/{result.signup.id}/cancel",
                                       data={"csrf_token": Csrf.token(client, "/account")})
                took.append(time.monotonic() - started)
                assert response.status_code == 302
            assert max(took) < 1.5, took  # the requests only queued the promotion messages
            assert _all_sent(3, timeout=30)
            received = list(mailbox.messages)
    finally:
        app.config["MAIL_TIMEOUT"] = 60.0
    assert len(received) == 3 and len({m["Message-ID"] for m in received}) == 3
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(m.sent_at is not None and m.attempts == 1 for m in rows)


def test_three_workers_send_each_message_exactly_once(app):
    ids = _queue(24)
    with running_smtp_server(app, delay=0.05, workers=3) as mailbox:
        assert _all_sent(24, timeout=60)
        received = list(mailbox.messages)
    assert len(received) == 24
    assert len({m["Message-ID"] for m in received}) == 24
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
    assert all(m.sent_at is not None and m.attempts == 1 for m in rows)


def test_a_timeout_shorter_than_the_server_resends_with_the_same_message_id(app):
    """At least once: the server accepted after the worker gave up; the next attempt carries the same id."""
    [message_id] = _queue(1)
    app.config["MAIL_TIMEOUT"] = 0.5
    try:
        with running_smtp_server(app, delay=1.5, workers=0) as mailbox:
            assert sending.send_due().failed == 1
            mailbox.wait_for(1, timeout=5)
            app.config["MAIL_TIMEOUT"] = 10.0
            db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            db.session.commit()
            assert sending.send_due().sent == 1
            received = mailbox.wait_for(2, timeout=5)
    finally:
        app.config["MAIL_TIMEOUT"] = 60.0
    assert len(received) == 2 and received[0]["Message-ID"] == received[1]["Message-ID"]
    assert f"outbox-{message_id}-" in received[0]["Message-ID"]


def test_a_dead_mail_server_keeps_the_messages_and_the_worker_goes_on(app):
    ids = _queue(2)
    with running_smtp_server(app, workers=0) as mailbox:
        port = app.config["MAIL_PORT"]
    # the server is gone: the worker fails, keeps the messages, backs off, and sends once it is back
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    try:
        report = sending.send_due()
    finally:
        app.config.update(MAIL_SERVER=None)
    assert report.failed == 1 and report.sent == 0  # the rest of the batch waits, uncounted
    db.session.expire_all()
    rows = {m.id: m for m in db.session.scalars(select(OutboxMessage))}
    assert all(rows[i].sent_at is None and rows[i].failed_at is None for i in ids)
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    with running_smtp_server(app) as mailbox:
        assert len(mailbox.wait_for(2, timeout=10)) == 2


def test_the_outbox_run_command_sends_and_stops_on_sigterm(app, database_url, tmp_path):
    ids = _queue(2)
    with running_smtp_server(app, workers=0) as mailbox:
        env = {**os.environ, "DATABASE_URL": database_url, "OUTREACH_INSTANCE_PATH": str(tmp_path),
               "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(app.config["MAIL_PORT"]), "MAIL_USE_TLS": "0",
               "OUTBOX_POLL_SECONDS": "0.2"}
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            received = mailbox.wait_for(2, timeout=30)
        finally:
            worker.send_signal(signal.SIGTERM)
            output, _err = worker.communicate(timeout=30)
    assert len(received) == 2, output
    assert worker.returncode == 0 and "Outbox worker stopped." in output
    db.session.expire_all()
    assert all(db.session.get(OutboxMessage, i).sent_at is not None for i in ids)
