"""flask send-outbox: send the due outbox messages (run it every few minutes from cron or a systemd timer)."""
from __future__ import annotations

import click
from flask import Flask

from outreach.notifications import sending, services


def register_cli(app: Flask) -> None:
    @app.cli.command("send-outbox")
    @click.option("--limit", default=200, show_default=True, help="At most this many messages in one run.")
    def send_outbox(limit: int) -> None:
        """Send due outbox messages by SMTP; failures are retried later with growing delays, never dropped."""
        counts = services.outbox_counts()
        if not sending.mail_configured(app.config):
            click.echo(f"MAIL_SERVER is not set: nothing sent; {counts['pending'] + counts['failed']} "
                       "message(s) wait in the outbox (admins can read them in the app).")
            return
        report = sending.send_due(limit=limit)
        for line in report.errors:
            click.echo(f"not sent, will retry: {line}", err=True)
        if report.failed:
            click.echo(f"Sent {report.sent}; {report.failed} failed and will be tried again later (or were given up: see the outbox).")
        else:
            click.echo(f"Sent {report.sent}.")
        if report.failed and not report.sent:
            raise SystemExit(1)
