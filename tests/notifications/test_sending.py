"""Sending the outbox by SMTP (a stub stands in for smtplib.SMTP): sent once, failures retried, nothing dropped."""
from __future__ import annotations

import smtplib
from datetime import timedelta

from sqlalchemy import select, update

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.notifications import sending, services as notifications
from outreach.notifications.models import OutboxMessage
from outreach.signups import services as signups
from tests.conftest import Csrf
from tests.factories import make_school, make_student, make_user, make_workshop


def _message(locale="kk", subject="Workshop moved: Балет", body="The workshop now takes place on 12 May."):
    user = make_user("school", locale=locale)
    message = notifications.queue(user, "workshop_moved", subject, body)
    db.session.commit()
    notifications.take_committed(db.session.info)
    return message


def _fresh(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_due_messages_are_sent_once_by_smtp(smtp):
    first, second = _message(locale="ru", subject="Мастер-класс перенесён"), _message()
    report = sending.send_due()
    assert (report.sent, report.failed) == (2, 0)
    assert [m["To"] for m in smtp.sent] == [first.to_email, second.to_email]
    email = smtp.sent[0]
    assert email["Subject"] == "Мастер-класс перенесён" and email["Content-Language"] == "ru"
    assert email["From"] == "Outreach <outreach@example.org>"
    assert email["Message-ID"].endswith("@example.org>") and f"outbox-{first.id}-" in email["Message-ID"]
    assert "12 May" in email.get_content()
    connection = smtp.connections[0]
    assert connection.tls and connection.login_as == ("outreach", "s3cret") and connection.host == "smtp.example.org"
    assert len(smtp.connections) == 1  # one connection for the batch
    assert _fresh(first.id).sent_at is not None and _fresh(first.id).attempts == 1
    assert sending.send_due().sent == 0 and len(smtp.sent) == 2  # never twice


def test_a_failed_send_is_kept_and_retried_later(smtp):
    message = _message()
    smtp.failures.append(smtplib.SMTPDataError(451, b"Temporary local problem"))
    now = utcnow()
    report = sending.send_due(now=now)
    assert (report.sent, report.failed) == (0, 1)
    kept = _fresh(message.id)
    assert kept.sent_at is None and kept.attempts == 1 and "Temporary local problem" in kept.last_error
    assert kept.next_attempt_at > now
    assert sending.send_due(now=now + timedelta(seconds=30)).sent == 0  # not due yet: backing off
    assert sending.send_due(now=now + timedelta(minutes=5)).sent == 1
    sent = _fresh(message.id)
    assert sent.sent_at is not None and sent.attempts == 2 and sent.last_error is None
    assert len(smtp.sent) == 1


def test_an_unreachable_server_costs_one_attempt_and_keeps_every_message(smtp):
    messages = [_message() for _ in range(3)]
    smtp.refuse = True
    report = sending.send_due()
    assert report.failed == 1  # the batch stops at the first refused connection
    kept = [_fresh(m.id) for m in messages]
    assert [m.attempts for m in kept] == [1, 0, 0] and all(m.sent_at is None for m in kept)
    assert "ConnectionRefusedError" in kept[0].last_error


def test_after_many_failures_a_message_is_given_up_and_shown_as_failed(smtp):
    message = _message()
    now = utcnow()
    for attempt in range(notifications.FAILED_AFTER):
        smtp.failures.append(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
        now += timedelta(days=1)
        assert sending.send_due(now=now).failed == 1
    failed = _fresh(message.id)
    assert notifications.status_of(failed) == "failed" and failed.attempts == notifications.FAILED_AFTER
    assert failed.next_attempt_at is None and failed.failed_at is not None
    assert db.session.scalars(notifications.outbox_query(status="failed")).all() == [failed]
    # never retried on its own again
    assert sending.send_due(now=now + timedelta(days=30)).sent == 0 and _fresh(message.id).attempts == 5
    # until an administrator asks: one more attempt
    notifications.retry_now(message.id)
    db.session.commit()
    assert sending.send_due(now=utcnow() + timedelta(seconds=1)).sent == 1
    assert notifications.status_of(_fresh(message.id)) == "sent"


def test_a_message_that_can_never_be_sent_is_given_up_at_once(app, smtp):
    """A subject with a line break (from a title typed before titles were checked): the mail library refuses it."""
    message = _message()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                       .values(subject="Workshop moved:\r\nBcc: everyone@example.org"))
    db.session.commit()
    report = sending.send_due()
    assert (report.sent, report.failed) == (0, 1) and smtp.sent == []
    given_up = _fresh(message.id)
    assert given_up.failed_at is not None and given_up.next_attempt_at is None and given_up.attempts == 1
    assert "ValueError" in given_up.last_error and notifications.status_of(given_up) == "failed"
    assert sending.send_due(now=utcnow() + timedelta(days=30)).failed == 0
    # the subject of a new message is always one line
    user = make_user("school")
    assert notifications.queue(user, "workshop_moved", "Title\r\nwith a break", "Body").subject == "Title with a break"


def test_send_outbox_command(app, smtp, monkeypatch):
    message = _message()
    runner = app.test_cli_runner()
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0 and "MAIL_SERVER is not set" in result.output
    assert _fresh(message.id).attempts == 0 and smtp.sent == []
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    smtp.failures.append(smtplib.SMTPDataError(451, b"Try again later"))
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 1 and "will be tried again later" in result.output  # cron notices
    assert _fresh(message.id).sent_at is None and _fresh(message.id).attempts == 1
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0 and "Sent 0." in result.output  # backing off: not due yet
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0 and "Sent 1." in result.output
    assert _fresh(message.id).sent_at is not None


def test_a_request_only_queues_its_messages_the_worker_sends_them(client, login, smtp):
    school = make_school()
    rep = make_user("school", school=school, locale="en")
    login(rep)
    workshop = make_workshop(capacity=1)
    results = signups.register(workshop.id, [make_student(school).id, make_student(school).id], actor=rep)
    db.session.commit()
    response = client.post(f"/signups/{results[0].signup.id}/cancel",
                           data={"csrf_token": Csrf.token(client, "/account")}, buffered=True)
    assert response.status_code == 302
    assert smtp.connections == [] and smtp.sent == []  # no web thread talks to the mail server
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert _fresh(message.id).sent_at is None
    assert sending.send_due().sent == 1
    assert [m["To"] for m in smtp.sent] == [rep.email]
    assert "moved from the waitlist" in smtp.sent[0].get_content()
    assert _fresh(message.id).sent_at is not None
