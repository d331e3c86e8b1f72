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

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_CHECKPOINT = "outreach.checkpoint_after_commit"


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


def sqlite_setup(engine: Any) -> None:
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    on_disk = database not in (None, "", ":memory:") and not str(database).startswith("file:")
    if on_disk:
        path = Path(database)
        private_dir(path.parent)
        private_file(path)
        for suffix in ("-wal", "-shm"):
            extra = Path(f"{database}{suffix}")
            if extra.exists():
                private_file(extra)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA secure_delete=ON")
        if on_disk:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def erased(session: Session) -> None:
    """Personal data was erased in this transaction: once it commits, push the WAL into the database file."""
    session.info[_CHECKPOINT] = True


@event.listens_for(Session, "after_commit")
def _checkpoint_after_erasure(session: Session) -> None:
    if not session.info.pop(_CHECKPOINT, False):
        return
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    if engine.dialect.name != "sqlite":
        return
    # a connection of its own: the session's is still finishing its commit
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


@event.listens_for(Session, "after_soft_rollback")
def _forget_checkpoint(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_CHECKPOINT, None)
