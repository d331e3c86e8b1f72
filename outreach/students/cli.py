"""`flask purge-imports`: delete expired roster previews (they hold children's names); `flask retention run`:
the retention notices and erasures (daily)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from outreach.students import retention

from outreach.students.import_pending import purge_pending


def register_cli(app: Flask) -> None:
    @app.cli.command("purge-imports")
    def purge_imports() -> None:
        """Delete expired import previews (they expire after an hour; run hourly or daily from cron)."""
        click.echo(f"Removed {purge_pending()} stored import preview(s).")

    group = AppGroup("retention", help="Students' retention period: notices to schools and automatic erasure.")

    @group.command("run")
    def run() -> None:
        """Tell schools which students are due for erasure (each once) and erase those whose notice period has
        passed, as a withdrawal erases; run it daily. Running it again the same day does nothing new."""
        outcome = retention.run()
        click.echo(f"Retention: {outcome.noticed} student(s) newly due ({outcome.messages} message(s) to school "
                   f"representatives queued), {outcome.erased} student(s) erased.")

    app.cli.add_command(group)
