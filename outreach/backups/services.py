"""Backups of the whole database, and restoring one without bringing an erased child back.

- SQLite: SQLite's online backup API (a consistent copy while the app runs), into a file made 0600.
- PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --single-transaction`.

A restore first saves the current database beside the instance (`instance/backups/before-restore-….`), then
replaces the database with the file, upgrades it to the code's migrations, erases again every student that
the erasure list (`storage.erasure_list_path()`, kept outside the database and its backups) or the database
being replaced says was erased, and checks the impact facts against the source tables.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.engine import make_url

from outreach import storage
from outreach.access import SYSTEM
from outreach.extensions import db
from outreach.reports import rollups
from outreach.students import services as students
from outreach.students.models import Student

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The file is not a backup this database can take, or a tool failed; nothing was changed."""


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def dialect() -> str:
    return "sqlite" if _url().get_backend_name() == "sqlite" else "postgresql"


def _libpq(url) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump / pg_restore; the password goes in the environment, never on a command line."""
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432), "--username", url.username or "",
            "--dbname", url.database or ""]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def default_file(now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite" if dialect() == "sqlite" else "pgdump"
    folder = current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups"
    return Path(folder) / f"outreach-{stamp}.{suffix}"


def create(target: Path | None = None) -> Path:
    """Write a consistent copy of the whole database to `target` (made 0600); also bring the erasure list up to
    date with the database's erased students (so a list kept beside the backups has them all)."""
    target = Path(target) if target else default_file()
    storage.private_dir(target.parent)
    if target.exists():
        raise BackupError(f"{target} exists already; choose another file name.")
    storage.private_file(target)
    try:
        if dialect() == "sqlite":
            source = sqlite3.connect(_url().database)
            try:
                destination = sqlite3.connect(target)
                try:
                    source.backup(destination)
                finally:
                    destination.close()
            finally:
                source.close()
        else:
            args, env = _libpq(_url())
            done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args],
                                  env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        check_file(target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    sync_erasure_list()
    return target


def check_file(path: Path) -> str:
    """The file is a whole backup of this kind of database (SQLite: integrity_check; PostgreSQL: pg_restore can
    read its table of contents), holding the students table and a migration revision; returns the revision."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    with open(path, "rb") as handle:
        head = handle.read(16)
    kind = dialect()
    if kind == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{path} is not an SQLite backup (this site runs on SQLite).")
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite integrity_check failed).")
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"student", "alembic_version"} <= tables:
                raise BackupError(f"{path} is not an Outreach database.")
            return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            connection.close()
    if not head.startswith(PGDUMP_MAGIC):
        raise BackupError(f"{path} is not a pg_dump custom-format backup (this site runs on PostgreSQL).")
    listed = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise BackupError(f"{path} is damaged: {listed.stderr.strip()}")
    if " TABLE DATA public student " not in listed.stdout or " TABLE DATA public alembic_version " not in listed.stdout:
        raise BackupError(f"{path} is not an Outreach database.")
    return "(pg_dump)"


# -- the erasure list ----------------------------------------------------------------------------------------

def read_erasure_list(paths: Iterable[Path]) -> list[dict]:
    records = []
    for path in paths:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash
                if isinstance(record, dict) and "student_id" in record and "created_at" in record:
                    records.append(record)
    return records


def erased_in_database() -> list[dict]:
    """The erased students of the database as it is now (read before a restore replaces it)."""
    return [students.erasure_record(s) for s in db.session.scalars(select(Student).where(Student.erased_at.is_not(None)))]


def sync_erasure_list() -> int:
    """Add the database's erased students missing from the erasure list; returns how many were added."""
    path = storage.erasure_list_path()
    known = {_key(r) for r in read_erasure_list([path])}
    missing = [r for r in erased_in_database() if _key(r) not in known]
    db.session.rollback()
    storage.append_erasures(missing, path)
    return len(missing)


def _instant(value: datetime | str) -> float:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return round(moment.timestamp(), 3)


def _key(record: dict) -> tuple[int, float]:
    return int(record["student_id"]), _instant(record["created_at"])


def _same_moment(a: datetime, b: str) -> bool:
    """The same creation time (to the millisecond: both databases keep microseconds)."""
    return _instant(a) == _instant(b)


def reapply_erasures(records: Iterable[dict]) -> int:
    """Erase again the listed students that the restored database still names (same id and same creation time);
    returns how many. Commits."""
    count = 0
    for record in records:
        student = db.session.get(Student, int(record["student_id"]))
        if student is None or student.erased_at is not None or not _same_moment(student.created_at,
                                                                                   record["created_at"]):
            continue
        students.erase_student(student, actor=SYSTEM, reason="restore")
        count += 1
    db.session.commit()
    return count


# -- restore -------------------------------------------------------------------------------------------------

@dataclass
class RestoreReport:
    safety_copy: Path | None
    reerased: int = 0
    facts_differ: int = 0
    notes: list[str] = field(default_factory=list)


def restore(path: Path, *, erasure_lists: Iterable[Path] = (), upgrade: Any = None) -> RestoreReport:
    """Replace the database with the backup `path` (see the module's docstring). `upgrade`: runs the migrations
    (flask_migrate.upgrade; the CLI passes it)."""
    path = Path(path)
    check_file(path)
    records = read_erasure_list([storage.erasure_list_path(), *erasure_lists])
    report = RestoreReport(safety_copy=None)
    try:
        records += erased_in_database()
        report.safety_copy = create(default_file().with_name("before-restore-" + default_file().name))
    except Exception as error:  # a database that is gone cannot be saved first: restore it all the same
        db.session.rollback()
        report.notes.append(f"the current database could not be read or saved first ({type(error).__name__})")
    db.session.remove()
    db.engine.dispose()
    if dialect() == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            destination = sqlite3.connect(_url().database)
            try:
                source.backup(destination)  # page by page, under SQLite's own lock: never half a file
            finally:
                destination.close()
        finally:
            source.close()
    else:
        url = _url()
        args, env = _libpq(url)
        psql = ["psql", "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", *args]
        # the objects made since the backup go too (a table of a later migration), then the backup comes back
        # in one transaction
        dropped = subprocess.run([*psql, "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], env=env,
                                 capture_output=True, text=True)
        if dropped.returncode != 0:
            raise BackupError(f"could not empty the database: {dropped.stderr.strip()}")
        done = subprocess.run(["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner",
                               "--no-privileges", *args, str(path)], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}; the database before the restore is "
                              f"in {report.safety_copy}")
    if upgrade is not None:
        upgrade()
    report.reerased = reapply_erasures(records)
    report.facts_differ = rollups.drift()
    db.session.rollback()
    return report


def keep_newest(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups in `folder` (outreach-*.sqlite / *.pgdump); returns the deleted."""
    files = sorted((p for p in Path(folder).glob("outreach-*") if p.suffix in (".sqlite", ".pgdump")),
                   key=lambda p: p.name, reverse=True)
    gone = files[keep:]
    for old in gone:
        old.unlink()
    return gone


__all__ = ["BackupError", "create", "check_file", "restore", "keep_newest", "sync_erasure_list"]
