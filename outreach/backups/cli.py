"""flask backup create [FILE] | restore --yes FILE | prune: the whole database, and bringing it back."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade

from outreach.backups import services


def register_cli(app: Flask) -> None:
    group = AppGroup("backup", help="Back up and restore the whole database.")

    @group.command("create")
    @click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
    def create(file: Path | None) -> None:
        """Write a consistent copy of the database (SQLite online backup; PostgreSQL pg_dump, custom format)
        to FILE (default instance/backups/outreach-<UTC time>.sqlite|.pgdump)."""
        try:
            path = services.create(file)
        except services.BackupError as error:
            raise click.ClickException(str(error))
        click.echo(f"Backup written: {path}")

    @group.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Yes, replace the whole database with FILE.")
    @click.option("--erasures", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="Another erasure list to honour (say, another app server's); may be given again.")
    def restore(file: Path, yes: bool, erasures: tuple[Path, ...]) -> None:
        """Replace the whole database with FILE; students erased since the backup are erased again; the impact
        facts are checked after. The current database is saved first (instance/backups/before-restore-…)."""
        try:
            services.check_file(file)
        except services.BackupError as error:
            raise click.ClickException(str(error))
        if not yes:
            raise click.ClickException("This replaces the whole database with the backup; run it again with --yes.")
        try:
            report = services.restore(file, erasure_lists=erasures, upgrade=upgrade)
        except services.BackupError as error:
            raise click.ClickException(str(error))
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
        if report.safety_copy:
            click.echo(f"The database before the restore was saved to {report.safety_copy}")
        click.echo(f"Restored {file}; {report.reerased} student(s) erased since the backup were erased again.")
        if report.facts_differ:
            raise click.ClickException(f"{report.facts_differ} impact facts differ from the source tables; "
                                       "run `flask reports rebuild-facts`.")
        click.echo("The impact facts match the source tables.")

    @group.command("prune")
    @click.option("--keep", default=14, show_default=True, help="How many of the newest backups to keep.")
    @click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
    def prune(keep: int, folder: Path | None) -> None:
        """Delete all but the KEEP newest backups in FOLDER (default BACKUP_DIR, instance/backups)."""
        gone = services.keep_newest(folder or services.default_file().parent, keep)
        click.echo(f"Deleted {len(gone)} old backup(s).")

    app.cli.add_command(group)
