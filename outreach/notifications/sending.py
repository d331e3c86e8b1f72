"""Sending outbox messages by SMTP (when MAIL_SERVER is set), with retries; nothing is ever dropped.

A message that can never be sent (the mail library or the server refuses it for good) or that failed
FAILED_AFTER times is given up: marked failed, kept, shown to administrators, not retried until one of them
asks (retry now) — never retried forever.

A message is claimed with one conditional UPDATE before it is sent (so the command and the after-request sender
never send it twice), and each outcome is committed on its own: a crash between claim and outcome only delays
the message until the claim lapses.
"""
from __future__ import annotations

import smtplib
import ssl
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
SMTP_TIMEOUT = 20


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
        if self.config.get("MAIL_USE_SSL") or port == 465:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT,
                                                         context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
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

    Commits: call it outside a request's transaction (the CLI command, or after a request has committed).
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


def send_committed(app: Flask, info: dict) -> None:
    """After a request has committed: send the messages it queued right away, when SMTP is configured.

    Whatever happens here, the messages are already in the outbox; send-outbox retries them.
    """
    ids = services.take_committed(info)
    if not ids or not mail_configured(app.config):
        return
    with app.app_context():
        try:
            send_due(ids=ids)
        except Exception:  # the outbox keeps them; never fail a finished request
            app.logger.exception("sending right after the request failed; send-outbox will retry")
            db.session.rollback()
