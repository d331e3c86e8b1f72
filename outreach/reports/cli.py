"""flask reports rebuild-facts | check-facts: the impact facts against the source tables."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from outreach.extensions import db
from outreach.outcomes import figures as outcome_figures
from outreach.reports import rollups


def register_cli(app: Flask) -> None:
    group = AppGroup("reports", help="The impact report's facts.")

    @group.command("rebuild-facts")
    def rebuild_facts() -> None:
        """Recompute every impact fact and workshop roll-up from sign-ups, attendance, workshops and students."""
        count = rollups.rebuild()
        db.session.commit()
        click.echo(f"{count} impact facts rebuilt.")

    @group.command("check-facts")
    def check_facts() -> None:
        """Compare the impact facts with the source tables (exit status 1 when they differ)."""
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
