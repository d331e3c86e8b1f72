"""`flask purge-imports`: delete roster previews older than a day (they hold children's names)."""
from __future__ import annotations

import click
from flask import Flask

from outreach.students.importing import purge_pending


def register_cli(app: Flask) -> None:
    @app.cli.command("purge-imports")
    def purge_imports() -> None:
        """Delete stored import previews older than a day (run daily from cron)."""
        click.echo(f"Removed {purge_pending()} stored import preview(s).")
