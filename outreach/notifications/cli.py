"""flask outbox run: the outbox worker (a long-running process); flask send-outbox: one batch (for cron);
flask notices run: the daily follow-up of absences and reminders of tomorrow's workshops."""
from __future__ import annotations

import threading

import click
from flask import Flask
from flask.cli import AppGroup

from outreach.notifications import daily, sending, services


def register_cli(app: Flask) -> None:
    group = AppGroup("outbox", help="The notification outbox.")

    @group.command("run")
    @click.option("--poll", type=float, default=None, help="Seconds between looks when idle (OUTBOX_POLL_SECONDS, 5).")
    @click.option("--batch", default=50, show_default=True, help="Messages per batch.")
    def run(poll: float | None, batch: int) -> None:
        """Send outbox messages as they become due, until stopped (SIGTERM lets the current message finish).

        Any number of workers may run (on one machine or several): each message is claimed by one of them."""
        stop = threading.Event()
        sending.stop_on_signals(stop)
        click.echo("Outbox worker started.")
        sending.run_worker(app, stop=stop, poll=poll, batch=batch)
        click.echo("Outbox worker stopped.")

    app.cli.add_command(group)

    notices = AppGroup("notices", help="The daily follow-up of absences and reminders the day before.")

    @notices.command("run")
    @click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Run as on this day (YYYY-MM-DD; default: today in the programme's time zone).")
    def notices_run(day) -> None:
        """Queue the follow-up of students absent from two workshops in a row and the reminders of tomorrow's
        workshops; run it daily. Running it again the same day queues nothing new."""
        outcome = daily.run(day.date() if day else None)
        click.echo(f"Notices: {outcome.followups} follow-up message(s) and {outcome.reminders} reminder(s) queued.")

    app.cli.add_command(notices)

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
