"""Sending outbox messages by SMTP (when MAIL_SERVER is set), with retries; nothing is ever dropped.

Requests only queue messages (outreach/notifications/services.py); they are sent by the outbox worker
(`flask --app wsgi outbox run`, a long-running process: `run_worker`) or by `flask --app wsgi send-outbox` from cron.
No web thread ever talks to an SMTP server, so a slow or dead one cannot hold a request.

Delivery is at least once: a message is marked sent only after the server has accepted it, so a worker that
dies in between sends it again once its claim lapses, with the same Message-ID (receiving servers and mail
programs drop the duplicate). MAIL_TIMEOUT (60 s by default) is longer than a slow server takes to accept,
so a slow server is waited for, not given the message twice.

A message that can never be sent (the mail library or the server refuses it for good) or that failed
FAILED_AFTER times is given up: marked failed, kept, shown to administrators, not retried until one of them
asks (retry now) — never retried forever.

A message is claimed with one conditional UPDATE before it is sent (so the command and the after-request sender
never send it twice), and each outcome is committed on its own: a crash between claim and outcome only delays
the message until the claim lapses.
"""
from __future__ import annotations

import signal
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any, Iterable

from flask import Flask, current_app
from sqlalchemy import select, update

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.notifications import services
from outreach.notifications.models import OutboxMessage

#: a claimed message whose outcome was never recorded (the process died) is tried again after this
CLAIM_LEASE = timedelta(minutes=10)
#: seconds to wait for the SMTP server at each step (MAIL_TIMEOUT); far shorter than CLAIM_LEASE
SMTP_TIMEOUT = 60


def mail_configured(config: Any = None) -> bool:
    config = config if config is not None else current_app.config
    return bool(config.get("MAIL_SERVER"))


class SmtpMailer:
    """One SMTP connection for a batch, opened on the first message."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None
        #: the server could not be reached: the rest of the batch waits for the next run
        self.unreachable = False

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config["MAIL_SERVER"], int(self.config.get("MAIL_PORT") or 587)
        timeout = float(self.config.get("MAIL_TIMEOUT") or SMTP_TIMEOUT)
        if self.config.get("MAIL_USE_SSL") or port == 465:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                         context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
            if self.config.get("MAIL_USE_TLS"):
                connection.starttls(context=ssl.create_default_context())
        if self.config.get("MAIL_USERNAME"):
            connection.login(self.config["MAIL_USERNAME"], self.config.get("MAIL_PASSWORD") or "")
        return connection

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        sender = self.config.get("MAIL_DEFAULT_SENDER") or "outreach@localhost"
        email["From"] = sender
        email["To"] = message.to_email
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        # the same id on every attempt, so a receiving server can drop a duplicate
        domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        email["Message-ID"] = f"<outreach-outbox-{message.id}-{int(message.created_at.timestamp())}@{domain}>"
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body)
        email["Content-Language"] = message.locale  # after set_content, which clears Content-* headers
        # Headers unfolded (up to RFC 5322's 998 characters): Python 3.11 drops the space between two folded
        # encoded words, so a long Kazakh or Russian subject would arrive with two words run together.
        email.policy = email.policy.clone(max_line_length=998)
        if self.connection is None:
            try:
                self.connection = self._connect()
            except Exception:
                self.unreachable = True
                raise
        try:
            self.connection.send_message(email)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except Exception:  # already gone
                try:
                    self.connection.close()
                except Exception:
                    pass
            self.connection = None


def is_permanent(error: Exception) -> bool:
    """A failure that another attempt cannot cure: the message itself is unacceptable (a header the mail library
    refuses) or the server answered 5xx (the address or the content refused for good)."""
    if isinstance(error, (ValueError, TypeError, UnicodeError, smtplib.SMTPNotSupportedError)):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return 500 <= error.smtp_code < 600
    return False


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(message_id: int, now: datetime) -> bool:
    """Take a due, unsent message for this sender (one conditional UPDATE), counting the attempt."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
               OutboxMessage.next_attempt_at.is_not(None), OutboxMessage.next_attempt_at <= now)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def send_due(*, now: datetime | None = None, limit: int = 200, ids: Iterable[int] | None = None,
             mailer: SmtpMailer | None = None) -> SendReport:
    """Send due messages (or only the given ones, if due); failures get a later attempt, never dropped.

    Commits: call it outside a request's transaction (the outbox worker, send-outbox). Any number of senders may
    run at once: each message is claimed by one of them (`_claim`, one conditional UPDATE) before it is sent.
    """
    now = now or utcnow()
    query = (select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if ids is not None:
        ids = list(ids)
        if not ids:
            return SendReport()
        query = query.where(OutboxMessage.id.in_(ids))
    due = list(db.session.scalars(query))
    db.session.commit()
    report = SendReport()
    mailer = mailer or SmtpMailer(current_app.config)
    try:
        for message_id in due:
            if not _claim(message_id, now):
                continue  # sent or claimed by another sender meanwhile
            message = db.session.get(OutboxMessage, message_id, populate_existing=True)
            try:
                mailer.send(message)
            except Exception as error:  # any failure: keep the message; try again later, or give it up
                text = f"{type(error).__name__}: {error}"[:500]
                message.last_error = text
                if is_permanent(error) or message.attempts >= services.FAILED_AFTER:
                    message.failed_at, message.next_attempt_at = utcnow(), None
                else:
                    message.next_attempt_at = services.next_attempt_after(message.attempts, now)
                report.failed += 1
                report.errors.append(f"#{message_id}: {text}")
                current_app.logger.warning("outbox message %s not sent (attempt %s): %s",
                                           message_id, message.attempts, text)
                db.session.commit()
                if getattr(mailer, "unreachable", False):
                    break  # the others stay due, their attempts uncounted
                continue
            message.sent_at, message.next_attempt_at, message.last_error = utcnow(), None, None
            report.sent += 1
            db.session.commit()
    finally:
        mailer.close()
    return report


def run_worker(app: Flask, *, stop: threading.Event | None = None, poll: float | None = None, batch: int = 50,
               max_pause: float = 300.0) -> None:
    """The outbox worker: send due messages until `stop` is set; pause `poll` seconds when idle, longer and
    longer (up to `max_pause`) while the mail server or the database fails. Call it inside an app context."""
    stop = stop or threading.Event()
    poll = float(poll if poll is not None else app.config.get("OUTBOX_POLL_SECONDS") or 5)
    troubles = 0
    said_unconfigured = False
    while not stop.is_set():
        if not mail_configured(app.config):
            if not said_unconfigured:
                app.logger.warning("outbox worker: MAIL_SERVER is not set; messages wait in the outbox")
                said_unconfigured = True
            stop.wait(max(poll, 30.0))
            continue
        try:
            report = send_due(limit=batch)
        except Exception as error:  # the database is away: one line, then wait longer and longer
            report = None
            app.logger.warning("outbox worker: %s: %s", type(error).__name__, str(error).splitlines()[0][:200]
                               if str(error) else "")
            try:
                db.session.rollback()
            except Exception:
                pass
        finally:
            db.session.remove()
        if report is not None and not report.failed:
            troubles = 0
            if report.sent >= batch:
                continue  # more may be due: no pause
            stop.wait(poll)
            continue
        troubles += 1
        stop.wait(min(poll * (2 ** min(troubles, 16)), max_pause))


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM (systemd stop) and SIGINT let the message being sent finish, then the worker ends."""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_args: stop.set())
