"""The SMTP stub: stands in for smtplib.SMTP, scripted and inspected through class attributes."""
from __future__ import annotations

import smtplib

import pytest


class FakeSMTP:
    """Enough of smtplib.SMTP for the sender; class attributes script and record what happens."""

    sent: list = []
    failures: list = []  # exceptions raised by the next send_message calls, in order
    refuse = False  # the server cannot be reached
    connections: list = []

    def __init__(self, host, port, timeout=None):
        if type(self).refuse:
            raise ConnectionRefusedError(111, "Connection refused")
        self.host, self.port, self.tls, self.login_as = host, port, False, None
        type(self).connections.append(self)

    def starttls(self, context=None):
        self.tls = True

    def login(self, user, password):
        self.login_as = (user, password)

    def send_message(self, message):
        if type(self).failures:
            raise type(self).failures.pop(0)
        type(self).sent.append(message)

    def quit(self):
        pass

    def close(self):
        pass


@pytest.fixture
def smtp(app, monkeypatch):
    fake = type("Smtp", (FakeSMTP,), {"sent": [], "failures": [], "refuse": False, "connections": []})
    monkeypatch.setattr(smtplib, "SMTP", fake)
    for key, value in {"MAIL_SERVER": "smtp.example.org", "MAIL_PORT": 587, "MAIL_USERNAME": "outreach",
                       "MAIL_PASSWORD": "s3cret", "MAIL_USE_TLS": True,
                       "MAIL_DEFAULT_SENDER": "Outreach <outreach@example.org>"}.items():
        monkeypatch.setitem(app.config, key, value)
    return fake
