"""Locks for scarce things other than seats: an instructor's time, a venue's time (STYLE.md rule 13).

`hold(keys)` takes a row lock on one small `schedule_lock` row per key, for the rest of the transaction: an
UPDATE of the row. On PostgreSQL that is a row lock (a second transaction wanting the same key waits for the
first to commit or roll back); on SQLite the UPDATE takes the database's write lock, which serialises every
writer (SQLite has no row locks; SELECT ... FOR UPDATE would be silently ignored). Keys are taken in sorted
order, so two transactions never wait for each other in a circle. Check, then write, while holding the lock.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Iterable

from sqlalchemy import String, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from outreach.dbtypes import UTCDateTime, utcnow
from outreach.extensions import db


class ScheduleLock(db.Model):
    """One row per locked name (hashed: the table says nothing about who or where)."""

    __tablename__ = "schedule_lock"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def lock_key(kind: str, name: str) -> str:
    return hashlib.sha256(f"{kind}\0{name}".encode("utf-8")).hexdigest()


def hold(keys: Iterable[str]) -> None:
    """Lock these keys until the transaction ends (creating their rows the first time)."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    db.session.flush()
    dialect = db.session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for key in wanted:
        db.session.execute(upsert(ScheduleLock).values(key=key).on_conflict_do_nothing(index_elements=["key"]))
        db.session.execute(update(ScheduleLock).where(ScheduleLock.key == key).values(locked_at=utcnow())
                           .execution_options(synchronize_session=False))
