"""The data version, and what is cached on it: rendered pages, ETags, report figures.

Every transaction that writes anything bumps one counter, `data_version.version`, in the same
transaction (a session hook: any INSERT, UPDATE or DELETE seen on the connection marks it; the
bump is the last statement before COMMIT). A cache entry is keyed on the version it was computed
at, so a write makes every entry unreachable at the moment it commits, in every worker process.

Pages also depend on the clock (what is upcoming, what is delivered): an entry is valid only until
the next workshop starts or ends, and at most `PAGE_CACHE_SECONDS` (60 s).

What a page shows depends on who asks: a page's key holds the user (id and session token), the
session's CSRF secret (the page carries its token), the language and the full URL, so an entry is
only ever served to the session that rendered it.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Callable, Hashable

from flask import current_app, g, has_request_context, make_response, request, session
from flask_login import current_user
from sqlalchemy import BigInteger, Integer, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.i18n import current_language
from outreach.workshops.models import Workshop

PAGE_CACHE_SECONDS = 60
_DML = ("INSERT", "UPDATE", "DELETE")
_DIRTY = "outreach_data_written"


class DataVersion(db.Model):
    """One row: a counter that every committed write increases."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


_VERSION = "SELECT version FROM data_version WHERE id = 1"


def _read_version() -> int | None:
    # straight to the connection: this runs on every request, the ORM's machinery is not needed
    return db.session.connection().exec_driver_sql(_VERSION).scalar()


# -- bumping --------------------------------------------------------------------------------------

def _mark_writes(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    head = statement.lstrip()[:6].upper()
    if head in _DML and "data_version" not in statement[:40]:
        conn.info[_DIRTY] = True


def _forget(conn) -> None:
    conn.info.pop(_DIRTY, None)


def _bump_on_engine_commit(conn) -> None:
    """Writes committed outside the session (engine.begin(), a migration): bump through the DBAPI cursor."""
    if not conn.info.pop(_DIRTY, False):
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            cursor.execute("SELECT to_regclass('data_version') IS NOT NULL")
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'data_version'")
        if not cursor.fetchone()[0]:  # a migration before the table exists
            return
        cursor.execute("UPDATE data_version SET version = version + 1 WHERE id = 1")
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO data_version (id, version) VALUES (1, {time.time_ns() // 1000})")
    finally:
        cursor.close()


def _bump_before_commit(session: Session) -> None:
    """The last statement of a writing transaction: the version goes up with the data, atomically."""
    transaction = session.get_transaction()
    if transaction is None:
        return
    for conn in list(transaction._connections.values()):  # (connection, transaction, ...) per bind
        connection = conn[0]
        if connection.info.pop(_DIRTY, False):
            bump(connection)


def bump(connection) -> None:
    """Increase the version (the row is made again, from a fresh random start, if it was removed)."""
    updated = connection.execute(text("UPDATE data_version SET version = version + 1 WHERE id = 1"))
    if updated.rowcount == 0:
        # a fresh start unlike any earlier one: entries cached before the row vanished stay unreachable
        connection.execute(text("INSERT INTO data_version (id, version) VALUES (1, :v)"),
                           {"v": time.time_ns() // 1000})
    connection.info.pop(_DIRTY, None)


def _forget_version(_session: Session) -> None:
    if has_request_context():
        g.pop("data_version", None)


def written_uncommitted() -> bool:
    """This transaction has written and not committed yet: what it reads is not any version's data."""
    transaction = db.session().get_transaction()
    if transaction is None:
        return False
    return any(conn[0].info.get(_DIRTY) for conn in transaction._connections.values())


def install(engine: Engine) -> None:
    """Watch this engine for writes; bump the version before each commit that follows one."""
    if getattr(engine, "_outreach_versioned", False):
        return
    engine._outreach_versioned = True  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", _mark_writes)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "commit", _bump_on_engine_commit)
    if not event.contains(Session, "before_commit", _bump_before_commit):
        event.listen(Session, "before_commit", _bump_before_commit)
        event.listen(Session, "after_commit", _forget_version)
        event.listen(Session, "after_rollback", _forget_version)


def current_version() -> int | None:
    """The committed version as this transaction sees it (once per request); None when unknown."""
    if has_request_context() and "data_version" in g:
        return g.data_version
    value = _read_version()
    if has_request_context():
        g.data_version = value
    if value != _last_seen[0]:
        # entries of older versions can never be served again: let them go now rather than when evicted
        # (no page of an erased child lingers in a worker's memory after the erasure is committed)
        _last_seen[0] = value
        for store in (pages, figures, users):
            store.clear()
    return value


_last_seen: list[int | None] = [None]


def next_clock_change(now: datetime) -> datetime:
    """The next instant at which a workshop starts or ends: until then, the clock changes nothing shown.

    Remembered per data version until that instant (only a write or the instant itself changes it)."""
    version = current_version() if enabled() and not written_uncommitted() else None
    if version is None:
        return _next_clock_change(now)
    boundary = figures.get(("clock", version))
    if boundary is None or boundary <= now:
        boundary = _next_clock_change(now)
        figures.put(("clock", version), boundary, boundary.timestamp())
    return boundary


def _next_clock_change(now: datetime) -> datetime:
    starts = select(func.min(Workshop.starts_at)).where(Workshop.starts_at > now).scalar_subquery()
    ends = select(func.min(Workshop.ends_at)).where(Workshop.ends_at > now).scalar_subquery()
    row = db.session.execute(select(starts, ends)).one()
    candidates = [value for value in row if value is not None]
    return min(candidates) if candidates else now + timedelta(days=365)


# -- a small cache per process -------------------------------------------------------------------

class LRU:
    """Entries (value, valid until as a Unix time), the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, tuple[Any, float]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self.lock:
            entry = self.items.get(key)
            if entry is None:
                return None
            if entry[1] <= time.time():
                del self.items[key]
                return None
            self.items.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: Any, until: float) -> None:
        with self.lock:
            self.items[key] = (value, until)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


pages = LRU(500)
figures = LRU(500)


users = LRU(1000)


def signed_in_user(model: Any, user_id: int) -> Any:
    """The signed-in user, without a query while the data version is unchanged (any write bumps it).

    The cached copy stays detached; each request gets its own instance merged without loading."""
    version = current_version() if enabled() else None
    if version is None:
        return db.session.get(model, user_id)
    cached = users.get((user_id, version))
    if cached is None:
        if written_uncommitted():
            return db.session.get(model, user_id)
        # loaded by a throw-away session on the same connection, so the copy is detached from the start
        with Session(bind=db.session.connection()) as loader:
            cached = loader.get(model, user_id)
        if cached is None:
            return None
        users.put((user_id, version), cached, time.time() + 3600)
    return db.session.merge(cached, load=False)


def enabled() -> bool:
    return bool(current_app.config.get("OUTREACH_CACHE", True))


def cached_figures(key: Hashable, now: datetime, compute: Callable[[], Any]) -> Any:
    """A value computed from the data (report figures), reused while the data version and the clock allow."""
    version = current_version() if enabled() and not written_uncommitted() else None
    if version is None:
        return compute()
    full_key = (key, version)
    value = figures.get(full_key)
    if value is not None:
        return value
    value = compute()
    # stored only when no write committed meanwhile (PostgreSQL reads each statement afresh)
    if _version_unchanged(version) and not written_uncommitted():
        until = min(next_clock_change(now).timestamp(), time.time() + 3600)
        figures.put(full_key, value, until)
    return value


def _version_unchanged(version: int) -> bool:
    # each SELECT of a reading request sees the latest commit (PostgreSQL's READ COMMITTED, pysqlite
    # outside a write transaction): what was read between two equal versions is that version's data
    fresh = _read_version()
    return fresh == version


# -- pages ---------------------------------------------------------------------------------------

def _page_key(version: int, public: bool) -> tuple | None:
    """Who asks, for what, in which language, at which data version and minute; None: not cacheable."""
    # the minute: any wording that follows the clock (today, upcoming) is at most a minute old
    minute = int(time.time() // PAGE_CACHE_SECONDS)
    if request.method != "GET":
        return None
    if public:  # the URL says everything (a calendar feed: its secret token is in the path)
        return (request.full_path, version, minute)
    if session.get("_flashes") or not current_user.is_authenticated:
        return None
    return (request.full_path, current_language(), current_user.id, current_user.session_token, version, minute)


def etag_of(key: tuple) -> str:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16, key=str(current_app.secret_key).encode()[:64])
    return digest.hexdigest()


def cached_page(etag: bool = False, public: bool = False) -> Callable:
    """Serve a GET page from the cache while the data version, the user's session and the clock allow.

    The page carries the session's CSRF token, so the session's CSRF secret is part of the key (read
    after rendering: a first page may create it). With etag=True the page also has an ETag and
    `Cache-Control: private, no-cache`; a browser that sends that ETag back gets 304 Not Modified
    without the page being rendered. public=True: the page depends on its URL alone (the ICS feed).
    """
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            version = current_version() if enabled() and not written_uncommitted() else None
            base = _page_key(version, public) if version is not None else None
            if base is None:
                return view(*args, **kwargs)
            key = base if public else (*base, session.get("csrf_token"))
            tag = None
            if etag:
                tag = etag_of((*key, next_clock_change(utcnow())))
                if tag in request.if_none_match:
                    return _not_modified(tag)
            entry = pages.get(key)
            if entry is None:
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.is_streamed or session.get("_flashes"):
                    return response
                entry = (response.get_data(), response.mimetype, dict(response.headers))
                if _version_unchanged(version) and not written_uncommitted():
                    until = next_clock_change(utcnow()).timestamp()
                    pages.put(base if public else (*base, session.get("csrf_token")), entry, until)
            body, mimetype, headers = entry
            response = current_app.response_class(body, mimetype=mimetype)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "content-type", "set-cookie"):
                    response.headers[name] = value
            if tag is not None:
                response.set_etag(tag)
                response.headers["Cache-Control"] = "private, no-cache"
            return response

        return wrapped

    return decorator


def _not_modified(tag: str):
    response = current_app.response_class(status=304)
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
