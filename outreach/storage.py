"""How the app keeps its files: SQLite settings, private file modes, and leaving no trace after an erasure.

- SQLite runs with `secure_delete` (deleted or overwritten content is zeroed, not left in free pages), WAL and a
  busy timeout, and enforces foreign keys.
- The database file (and so its -wal and -shm files, which SQLite creates with the same mode) and the instance
  folder are created readable by the app's user only (0600 / 0700).
- After a transaction that erased personal data commits, the WAL is checkpointed and truncated, so that the old
  copies of the rows it still held are gone from disk too (`erased(session)` asks for it).
PostgreSQL keeps old row versions until VACUUM; see the README for what operators must do.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context

from sqlalchemy.orm import Session

_CHECKPOINT = "outreach.checkpoint_after_commit"
_ERASURES = "outreach.erasures_after_commit"


def private_dir(path: Path) -> Path:
    """Create a folder only the app's user may enter (an existing one is left as it is)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def private_file(path: Path) -> None:
    """Create the file empty with mode 0600 when it does not exist yet; tighten an existing one of ours."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError:
            pass
    else:
        os.close(descriptor)


def prepare_sqlite_files(database: str | None) -> bool:
    """Create the database file (and tighten its -wal and -shm files) for the app's user only; True: on disk."""
    on_disk = database not in (None, "", ":memory:") and not str(database).startswith("file:")
    if on_disk:
        path = Path(database)
        private_dir(path.parent)
        private_file(path)
        for suffix in ("-wal", "-shm"):
            extra = Path(f"{database}{suffix}")
            if extra.exists():
                private_file(extra)
    return on_disk


def configure_sqlite(dbapi_connection: Any, on_disk: bool) -> None:
    """A new SQLite connection's settings (called by outreach/unitofwork.py on connect)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # the busy timeout is the connection's `timeout` (DATABASE_BUSY_TIMEOUT: outreach/config.py)
    cursor.execute("PRAGMA secure_delete=ON")
    if on_disk:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def erased(session: Session, record: dict | None = None) -> None:
    """Personal data was erased in this transaction: once it commits, push the WAL into the database file, and
    add `record` (which student: id and created_at) to the erasure list kept outside the database."""
    session.info[_CHECKPOINT] = True
    if record is not None:
        session.info.setdefault(_ERASURES, []).append(record)


def erasure_list_path() -> Path | None:
    """ERASURE_LIST (default instance/erasures.jsonl): the erased students, one JSON line each, kept outside the
    database and its backups, so that a restore can erase them again (outreach/backups/services.py)."""
    if not has_app_context():
        return None
    configured = current_app.config.get("ERASURE_LIST")
    return Path(configured) if configured else Path(current_app.instance_path) / "erasures.jsonl"


def append_erasures(records: list[dict], path: Path | None = None) -> None:
    """Append to the erasure list (created 0600), flushed to disk before returning."""
    path = path or erasure_list_path()
    if path is None or not records:
        return
    private_dir(path.parent)
    private_file(path)
    with open(path, "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def checkpoint_after_erasure(session: Session, _changes: Any) -> None:
    """After a commit (the unit of work's storage step): note the erased students in the erasure list, and
    checkpoint the WAL if personal data was erased."""
    records = session.info.pop(_ERASURES, None)
    if records:
        try:
            append_erasures(records)
        except OSError:  # the erasure has happened; the next backup's list (backup create) has it too
            current_app.logger.exception("could not add to the erasure list")
    if not session.info.pop(_CHECKPOINT, False):
        return
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    if engine.dialect.name != "sqlite":
        return
    # a connection of its own: the session's is still finishing its commit
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def forget_checkpoint(session: Session) -> None:
    session.info.pop(_CHECKPOINT, None)
    session.info.pop(_ERASURES, None)

