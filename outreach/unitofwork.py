"""The unit of work: a transaction's life, and the only module of outreach/ that registers SQLAlchemy hooks.

What a transaction does, in order (Indico's commit bridge and pretix's `log_action` are the models):

1. **While it runs** the services change their rows, flush, and announce domain events (`outreach/events.py`);
   the audit trail records each event then and there, in the same transaction (so an entry commits or rolls
   back with its change), and the notifications queue their messages in the outbox. Here every INSERT, UPDATE
   or DELETE executed on a connection — the ORM's flushes, Core statements through the session or straight on
   a connection — is noted by the table it writes (the statement object says which; no SQL text is read), and
   a flushed row of a model that describes itself (`describe`) says what it changes (a student: its school's
   roster; a sign-in's new last-login time: nothing any page shows). A
   textual statement (`text(...)`) names no table: it marks the transaction as one that *may* have written,
   and the database is asked at commit whether it did (SQLite's `total_changes`, PostgreSQL's
   `txid_current_if_assigned()`).
2. **Before a session commits**, once everything is flushed, the steps run in the order of `ORDER`:
   audit, notifications, report upkeep, cache versions, storage — each given what changed (`Changes`). The
   cache versions come last of the writing steps: their bump is the last statement before COMMIT.
3. **After it commits**, the steps run in the same order (the notifications hand their messages to the sender,
   the cache versions forget what this request remembered, storage checkpoints SQLite's WAL after an erasure).
4. **After it rolls back** (the whole transaction, not a savepoint) every step forgets what it collected.

A transaction committed outside any session (`engine.begin()`, a migration) has no session steps: the steps
with `outside_session` (the cache versions) are called from the connection's commit instead.

A step also reads its own writes: a step that keeps work pending until the commit (the report upkeep) names
the tables that work writes (`reads_own_writes`), and a SELECT of those tables in the same transaction applies
the pending work first.

Also here, because they are hooks too: each new SQLite connection's settings (`storage.configure_sqlite`) and
collations (`collation.register_sqlite_collations`), and the values a model keeps in step with its other
columns whenever it is saved (`keep_on_save`).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.util import find_tables

from outreach import collation, storage

#: The steps, in the order they run before and after each commit (documented above).
ORDER = ("audit", "notifications", "reports", "versions", "storage", "upkeep")

_WRITTEN = "outreach.uow.written"  # on a connection: the tables its open transaction wrote
_MAYBE = "outreach.uow.maybe"  # on a connection: a textual statement ran (may have written)
_CHANGES_AT_BEGIN = "outreach.uow.sqlite_changes"  # on a connection: SQLite's total_changes when it began
_CONNECTIONS = "outreach.uow.connections"  # on a session: the connections of its transaction
_CHANGES = "outreach.uow.changes"  # on a session: what its transaction changed (known at commit)
_EXPLICIT = "outreach.uow.explicit"  # on a connection: tables written by statements that are not a flush
_FLUSHING = "outreach.uow.flushing"  # on a session and its connections: a flush is under way
_ROWS = "outreach.uow.rows"  # on a session: what the flushed rows of described models said they change
#: tables whose writes are bookkeeping, not data anything shows (the versions themselves, the schedule locks)
_UNSEEN = {"scope_version", "schedule_lock"}


@dataclass
class Changes:
    """What a transaction wrote: the tables, and whether a textual statement wrote something unnamed."""

    tables: set[str] = field(default_factory=set)
    unknown: bool = False
    #: the tables written by a statement other than a flush (a Core or bulk statement: any of its rows)
    explicit: set[str] = field(default_factory=set)
    #: per table of a described model (`describe`), what its flushed rows said they change
    rows: dict[str, set[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.tables) or self.unknown

    def merge(self, other: "Changes") -> None:
        self.tables |= other.tables
        self.explicit |= other.explicit
        self.unknown = self.unknown or other.unknown
        for table, scopes in other.rows.items():
            self.rows.setdefault(table, set()).update(scopes)


@dataclass
class Step:
    """One participant of every transaction; each callable is optional."""

    name: str
    before_commit: Callable[[Session, Changes], None] | None = None
    after_commit: Callable[[Session, Changes], None] | None = None
    after_rollback: Callable[[Session], None] | None = None
    #: a transaction committed outside any session wrote these changes (called with the Connection)
    outside_session: Callable[[Connection, Changes], None] | None = None
    #: (tables, has_pending(session), apply(session)): a read of these tables applies the pending work first
    reads_own_writes: tuple[frozenset, Callable[[Session], bool], Callable[[Session], None]] | None = None


_steps: dict[str, Step] = {}


def register(step: Step) -> None:
    """Take part in every transaction, at the place `ORDER` gives the step's name."""
    if step.name not in ORDER:
        raise ValueError(f"{step.name!r} is not a step of the unit of work: add it to ORDER, in its place")
    _steps[step.name] = step


def _in_order() -> list[Step]:
    return [_steps[name] for name in ORDER if name in _steps]


# -- what changed -----------------------------------------------------------------------------------------------

def _connection_changes(conn: Connection) -> Changes:
    return Changes(set(conn.info.get(_WRITTEN, ())), bool(conn.info.get(_MAYBE)), set(conn.info.get(_EXPLICIT, ())))


def _forget_connection(conn: Connection) -> None:
    conn.info.pop(_WRITTEN, None)
    conn.info.pop(_MAYBE, None)
    conn.info.pop(_EXPLICIT, None)


def _on_begin(conn: Connection) -> None:
    _forget_connection(conn)
    conn.info.pop(_FLUSHING, None)
    dbapi = conn.connection.dbapi_connection
    if isinstance(dbapi, sqlite3.Connection):
        conn.info[_CHANGES_AT_BEGIN] = dbapi.total_changes


def _on_execute(conn: Connection, clauseelement: Any, multiparams: Any, params: Any, _options: Any):
    if getattr(clauseelement, "is_dml", False):
        name = clauseelement.table.name
        if name not in _UNSEEN:
            conn.info.setdefault(_WRITTEN, set()).add(name)
            if not conn.info.get(_FLUSHING):
                conn.info.setdefault(_EXPLICIT, set()).add(name)
    elif isinstance(clauseelement, TextClause):
        conn.info[_MAYBE] = True
    return clauseelement, multiparams, params


def _confirm(conn: Connection, changes: Changes) -> Changes:
    """A textual statement ran: did the transaction write? The database knows (before the commit)."""
    if not changes.unknown:
        return changes
    dbapi = conn.connection.dbapi_connection
    if isinstance(dbapi, sqlite3.Connection):
        wrote = dbapi.total_changes != conn.info.get(_CHANGES_AT_BEGIN)
    else:
        cursor = dbapi.cursor()
        try:
            cursor.execute("SELECT txid_current_if_assigned() IS NOT NULL")
            wrote = bool(cursor.fetchone()[0])
        finally:
            cursor.close()
    return Changes(changes.tables, wrote, changes.explicit, changes.rows)


def _on_engine_commit(conn: Connection) -> None:
    """The connection commits: what no session's steps have taken yet was written outside a session."""
    changes = _connection_changes(conn)
    _forget_connection(conn)
    if not changes:
        return
    changes = _confirm(conn, changes)
    if changes:
        for step in _in_order():
            if step.outside_session:
                step.outside_session(conn, changes)


def _on_engine_rollback(conn: Connection) -> None:
    _forget_connection(conn)


def written(session: Session) -> bool:
    """This session's transaction has written and not committed yet (what it reads is its own, uncommitted)."""
    return any(_connection_changes(conn) for conn in session.info.get(_CONNECTIONS, ()))


# -- the session's transaction --------------------------------------------------------------------------------

def _after_begin(session: Session, _transaction: Any, connection: Connection) -> None:
    connections = session.info.setdefault(_CONNECTIONS, [])
    if connection not in connections:
        connections.append(connection)
    if session.info.get(_FLUSHING):
        connection.info[_FLUSHING] = True


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    session.info[_FLUSHING] = True
    for conn in session.info.get(_CONNECTIONS, ()):
        conn.info[_FLUSHING] = True


def _after_flush(session: Session, _context: Any) -> None:
    """What the flushed rows of described models change (read while they are still new, dirty or deleted)."""
    rows = session.info.setdefault(_ROWS, {})
    for kind, instances in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for instance in instances:
            describe_row = _describers.get(type(instance))
            if describe_row is not None:
                rows.setdefault(type(instance).__table__.name, set()).update(describe_row(instance, kind))


def _after_flush_postexec(session: Session, _context: Any) -> None:
    session.info.pop(_FLUSHING, None)
    for conn in session.info.get(_CONNECTIONS, ()):
        conn.info.pop(_FLUSHING, None)


_describers: dict[type, Callable[[Any, str], set[str]]] = {}


def describe(model: type, what: Callable[[Any, str], set[str]]) -> None:
    """A flushed row of this model changes what(instance, "new" | "dirty" | "deleted") says (names of scopes;
    an empty set: nothing any page shows). A statement other than a flush writing the table says nothing about
    its rows: the steps then take the whole table as changed."""
    _describers[model] = what


def _before_commit(session: Session) -> None:
    session.flush()
    changes = session.info.setdefault(_CHANGES, Changes())
    for step in _in_order():
        for table, scopes in session.info.pop(_ROWS, {}).items():
            changes.rows.setdefault(table, set()).update(scopes)
        # what the steps before this one wrote (the report upkeep's counts) is part of what changed
        for conn in session.info.get(_CONNECTIONS, ()):
            changes.merge(_confirm(conn, _connection_changes(conn)))
            _forget_connection(conn)
        if step.before_commit:
            step.before_commit(session, changes)


def _after_commit(session: Session) -> None:
    changes = session.info.pop(_CHANGES, None) or Changes()
    session.info.pop(_CONNECTIONS, None)
    session.info.pop(_ROWS, None)
    session.info.pop(_FLUSHING, None)
    for step in _in_order():
        if step.after_commit:
            step.after_commit(session, changes)


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the transaction goes on
        return
    session.info.pop(_CHANGES, None)
    session.info.pop(_CONNECTIONS, None)
    session.info.pop(_ROWS, None)
    session.info.pop(_FLUSHING, None)
    for step in _in_order():
        if step.after_rollback:
            step.after_rollback(session)


def _before_reading(state: ORMExecuteState) -> None:
    """A transaction reads its own writes: pending work on the tables a SELECT reads is applied first."""
    if not state.is_select:
        return
    session = state.session
    pending = [step.reads_own_writes for step in _in_order()
               if step.reads_own_writes and step.reads_own_writes[1](session)]
    if not pending:
        return
    tables = set(find_tables(state.statement, include_joins=True))
    for watched, _has_pending, apply in pending:
        if watched.intersection(tables):
            apply(session)


# -- models and connections -----------------------------------------------------------------------------------

def keep_on_save(model: type, keep: Callable[[Any], None]) -> None:
    """Call keep(instance) before each INSERT and UPDATE of the model (columns derived from other columns)."""
    def hook(_mapper: Any, _connection: Any, instance: Any) -> None:
        keep(instance)

    event.listen(model, "before_insert", hook)
    event.listen(model, "before_update", hook)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        collation.register_sqlite_collations(dbapi_connection)


def install(engine: Engine) -> None:
    """Watch this engine's connections (once); SQLite gets its settings and private files."""
    if getattr(engine, "_outreach_uow", False):
        return
    engine._outreach_uow = True  # type: ignore[attr-defined]
    if engine.dialect.name == "sqlite":
        on_disk = storage.prepare_sqlite_files(engine.url.database)
        event.listen(engine, "connect", lambda dbapi, _record: storage.configure_sqlite(dbapi, on_disk))
    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "before_execute", _on_execute, retval=True)
    event.listen(engine, "commit", _on_engine_commit)
    event.listen(engine, "rollback", _on_engine_rollback)


register(Step("storage", after_commit=storage.checkpoint_after_erasure, after_rollback=storage.forget_checkpoint))

event.listen(Engine, "connect", _on_connect)  # every engine: SQLite's collations on every new connection
event.listen(Session, "after_begin", _after_begin)
event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "after_flush_postexec", _after_flush_postexec)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_soft_rollback", _after_soft_rollback)
event.listen(Session, "do_orm_execute", _before_reading)
