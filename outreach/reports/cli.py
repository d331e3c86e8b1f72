"""flask reports rebuild-facts | check-facts: the impact facts against the source tables."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from outreach.extensions import db
from outreach.outcomes import figures as outcome_figures
from outreach.reports import rollups, upkeep


def register_cli(app: Flask) -> None:
    group = AppGroup("reports", help="The impact report's facts.")

    @group.command("rebuild-facts")
    def rebuild_facts() -> None:
        """Recompute every impact fact and workshop roll-up from sign-ups, attendance, workshops and students."""
        count = rollups.rebuild()
        db.session.commit()
        click.echo(f"{count} impact facts rebuilt.")

    @group.command("upkeep")
    @click.option("--once", is_flag=True, help="Apply what is pending and stop (else: keep applying, every second).")
    def upkeep_command(once: bool) -> None:
        """Apply the committed writes the impact report has not counted yet (with REPORT_UPKEEP=manual: the
        worker that keeps the report up to date)."""
        while True:
            applied = upkeep.drain_all()
            if once:
                click.echo(f"{applied} pending changes applied.")
                return
            time.sleep(1)

    @group.command("check-facts")
    def check_facts() -> None:
        """Compare the impact facts with the source tables (exit status 1 when they differ)."""
        upkeep.drain_all()  # compare what the figures will be once every committed write is applied
        wrong = rollups.drift()
        if wrong:
            raise click.ClickException(f"{wrong} impact facts differ from the source tables; "
                                       "run `flask reports rebuild-facts`.")
        misplaced = outcome_figures.drift()
        if misplaced:
            raise click.ClickException(f"{misplaced} questionnaire answers are filed under another workshop than "
                                       "their sign-up's; the outcomes would count them wrongly.")
        click.echo("The impact facts match the source tables; every questionnaire answer is where it belongs.")

    app.cli.add_command(group)
