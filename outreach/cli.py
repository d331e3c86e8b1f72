"""flask commands: seed-demo, create-admin, create-user."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from outreach import demo
from outreach.backups import cli as backups_cli
from outreach.access import ADMIN
from outreach.auth import services as auth_services
from outreach.auth.models import User
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.notifications import cli as notifications_cli
from outreach.reports import cli as reports_cli
from outreach.students import cli as students_cli


def register_cli(app: Flask) -> None:
    # A domain may bring its own commands (outreach/<domain>/cli.py with register_cli(app)): list it here.
    for domain_cli in (backups_cli, notifications_cli, reports_cli, students_cli):
        domain_cli.register_cli(app)

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already holds data.")
    def seed_demo(if_empty: bool) -> None:
        """Fill an empty database with demo data (refuses a database that holds data)."""
        try:
            counts = demo.seed()
        except demo.DatabaseNotEmpty:
            db.session.rollback()
            if if_empty:
                click.echo("The database already holds data; demo data not added.")
                return
            raise click.ClickException("The database already holds data; refusing to add demo data.")
        db.session.commit()
        click.echo(f"Demo data added: {counts['schools']} schools, {counts['students']} students, "
                   f"{counts['workshops']} workshops. Password for every demo account: {demo.DEMO_PASSWORD}")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--role", type=click.Choice(["admin", "coordinator", "school", "funder", "artist"]), required=True)
    @click.option("--school-id", type=int)
    @click.option("--funder-id", type=int)
    @click.option("--artist-id", type=int, help="The teaching artist record an artist's account is bound to")
    @click.option("--locale", type=click.Choice(["kk", "ru", "en"]), default="kk")
    @click.password_option()
    def create_user(email: str, role: str, school_id: int | None, funder_id: int | None, artist_id: int | None,
                    locale: str, password: str) -> None:
        """Create an account (for the first administrator of a production site)."""
        try:
            auth_services.create_user(email=email, role=role, password=password, locale=locale,
                                 school_id=school_id, funder_id=funder_id, artist_id=artist_id)
        except OutreachError as error:
            raise click.ClickException(str(error))
        db.session.commit()
        click.echo(f"Created {role} {email}")

    @app.cli.command("create-admin")
    @click.option("--email", required=True)
    @click.option("--name", default="")
    @click.option("--locale", type=click.Choice(["kk", "ru", "en"]), default="kk")
    @click.password_option()
    def create_admin(email: str, name: str, locale: str, password: str) -> None:
        """Create the first administrator; refuses when an active administrator exists (then use the web)."""
        if db.session.scalar(select(User.id).where(User.role == ADMIN, User.active.is_(True)).limit(1)):
            raise click.ClickException("An administrator exists already: invite people from the web "
                                       "(Accounts → Invite a coordinator).")
        try:
            auth_services.create_user(email=email, role="admin", password=password, name=name, locale=locale)
        except OutreachError as error:
            raise click.ClickException(str(error))
        db.session.commit()
        click.echo(f"Created the first administrator {email}. Sign in and run everything else from the web.")
