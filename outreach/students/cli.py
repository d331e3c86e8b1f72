"""`flask purge-imports`: delete expired roster previews (they hold children's names)."""
from __future__ import annotations

import click
from flask import Flask

from outreach.students.importing import purge_pending


def register_cli(app: Flask) -> None:
    @app.cli.command("purge-imports")
    def purge_imports() -> None:
        """Delete expired import previews (they expire after an hour; run hourly or daily from cron)."""
        click.echo(f"Removed {purge_pending()} stored import preview(s).")
