"""Data versions per scope, and what is cached on them: rendered pages, ETags, report figures, the signed-in user.

A **scope** names a part of the data that pages show: a group of tables (`TABLE_SCOPES`: "workshops",
"signups", "impact" ...), or one school's roster (`school:<id>`, which every change to a student or a
guardian's consent of that school bumps, with "students" for the pages that show every school's students).
Each scope has a version, `scope_version`: the sum of its shards' counters. The unit of work's "versions" step
(`outreach/unitofwork.py`) knows what each transaction wrote and, as the last statement before COMMIT, adds one
to the scopes it changed — in the shard of its own connection, so that concurrent writers do not queue behind
one row. A textual statement that wrote, or a write outside the session (a migration), bumps "all", which every
page depends on. Tables no page shows (the audit trail, the outbox, API tokens, invitations, the schedule locks)
change no version, and nor does a sign-in (a user's last-login time and password hash).

A cache entry is keyed on the versions of the scopes it depends on, so a write makes the entries that show
what it changed unreachable the moment it commits, in every worker and on every app server (the versions
are read from the database, once per request); a worker that sees a scope's version move drops its entries
of that scope from memory (no page of an erased child lingers). Nothing in a key or an ETag follows the clock:
what depends on "now" (what is upcoming, delivered, today) is valid until the next workshop starts or ends, or
the next local midnight, whichever comes first — each entry's explicit expiry.

What a page shows depends on who asks: a page's key holds the user (id and session token), the
session's CSRF secret (the page carries its token), the language and the full URL, so an entry is
only ever served to the session that rendered it. A school representative's pages depend on their own school's
roster, not on the others'.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Callable, Hashable, Iterable

from flask import current_app, g, has_request_context, make_response, request, session
from flask_login import current_user
from sqlalchemy import BigInteger, SmallInteger, String, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from outreach import unitofwork
from outreach.dbtypes import local_tz, utcnow
from outreach.extensions import db
from outreach.i18n import current_language

#: what a write to each table changes, as a scope (None: no page shows the table; a table not named: "all")
TABLE_SCOPES: dict[str, str | None] = {
    "workshop": "workshops", "workshop_series": "workshops", "venue": "workshops", "artist": "workshops",
    "artist_unavailable": "workshops",
    "signup": "signups", "attendance": "attendance", "attendance_batch": None,
    "student": "students", "guardian_consent": "students", "import_preview": None, "held_search": None,
    "school": "schools", "school_language": "schools", "region": "schools",
    "initiative": "programme", "funder": "programme", "initiative_funder": "programme", "system": "programme",
    "user": "users", "api_token": None, "invitation": None, "password_reset": None,
    "audit_event": None, "outbox_message": None, "notice_sent": None, "schedule_lock": None,
    "questionnaire": "outcomes", "question": "outcomes", "response": "outcomes", "teacher_link": "outcomes",
    "impact_fact": "impact", "impact_workshop": "impact", "impact_reach": "impact", "impact_scope": "impact",
    "impact_school": "impact", "impact_pending": None,
}
ALL = "all"
STUDENTS = "students"
#: every scope of the tables above, and "all"
CONTENT = tuple(sorted({scope for scope in TABLE_SCOPES.values() if scope} | {ALL}))
#: what a page of one school's own people depends on: everything but the other schools' rosters
SHARED = tuple(scope for scope in CONTENT if scope != STUDENTS)
SHARDS = 16


def school_scope(school_id: int) -> str:
    return f"school:{school_id}"


class ScopeVersion(db.Model):
    """A scope's counter in one shard (a scope's version is the sum of its shards)."""

    __tablename__ = "scope_version"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


_READ = (select(ScopeVersion.scope, func.sum(ScopeVersion.version))
         .where(ScopeVersion.scope.in_(bindparam("scopes", expanding=True))).group_by(ScopeVersion.scope))


def _read_versions(scopes: Iterable[str]) -> dict[str, int]:
    # straight to the connection: this runs on every request, the ORM's machinery is not needed
    wanted = sorted(set(scopes))
    found = dict(db.session.connection().execute(_READ, {"scopes": wanted}).all())
    return {scope: int(found.get(scope) or 0) for scope in wanted}


def scopes_changed(changes: unitofwork.Changes) -> set[str]:
    """The scopes a transaction's changes touch."""
    if changes.unknown:
        return {ALL}
    scopes: set[str] = set()
    for table in changes.tables:
        if table in changes.rows and table not in changes.explicit:
            scopes |= changes.rows[table]
        else:
            scope = TABLE_SCOPES.get(table, ALL)
            if scope:
                scopes.add(scope)
    return scopes


# -- bumping: the unit of work's "versions" step --------------------------------------------------------------

def _shard(connection: Any) -> int:
    return hash((os.getpid(), id(connection.connection.dbapi_connection))) % SHARDS


def _bump_on_engine_commit(conn, _changes: unitofwork.Changes) -> None:
    """Writes committed outside the session (engine.begin(), a migration): bump "all" through the DBAPI cursor."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            cursor.execute("SELECT to_regclass('scope_version') IS NOT NULL")
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'scope_version'")
        if not cursor.fetchone()[0]:  # a migration before the table exists
            return
        cursor.execute(f"INSERT INTO scope_version (scope, shard, version) VALUES ('{ALL}', {_shard(conn)}, "
                       f"{time.time_ns() // 1000}) ON CONFLICT (scope, shard) DO UPDATE SET "
                       "version = scope_version.version + 1")
    finally:
        cursor.close()


def _bump_before_commit(session: Session, changes: unitofwork.Changes) -> None:
    """The last statement of a writing transaction: the versions go up with the data, atomically."""
    scopes = scopes_changed(changes)
    if scopes:
        bump(session.connection(), scopes)


def bump(connection: Any, scopes: Iterable[str]) -> None:
    """Increase these scopes' versions in this connection's shard (a new row starts from the clock's
    microseconds: unlike any version before, should the rows ever be removed)."""
    table = ScopeVersion.__table__
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    start, shard = time.time_ns() // 1000, _shard(connection)
    statement = module.insert(table).values([{"scope": scope, "shard": shard, "version": start}
                                             for scope in sorted(set(scopes))])
    connection.execute(statement.on_conflict_do_update(index_elements=["scope", "shard"],
                                                       set_={"version": table.c.version + 1}))


def _forget_versions(_session: Session, *_args: Any) -> None:
    if has_request_context():
        g.pop("scope_versions", None)


def written_uncommitted() -> bool:
    """This transaction has written and not committed yet: what it reads is not any version's data."""
    return unitofwork.written(db.session())


unitofwork.register(unitofwork.Step("versions", before_commit=_bump_before_commit, after_commit=_forget_versions,
                                    after_rollback=_forget_versions, outside_session=_bump_on_engine_commit))


def versions(scopes: Iterable[str] = CONTENT) -> tuple[tuple[str, int], ...] | None:
    """The committed versions of these scopes as this request sees them (read once per request, the shared
    scopes together); None when the cache is off or this transaction has written."""
    if not enabled() or written_uncommitted():
        return None
    wanted = set(scopes)
    known: dict[str, int] = g.setdefault("scope_versions", {}) if has_request_context() else {}
    missing = wanted - known.keys()
    if missing:
        if set(CONTENT) & missing:
            missing |= set(CONTENT)
        fresh = _read_versions(missing)
        known.update(fresh)
        _forget_older(fresh)
    return tuple(sorted((scope, known[scope]) for scope in wanted))


_last_seen: dict[str, int] = {}
_last_seen_lock = threading.Lock()


def _forget_older(fresh: dict[str, int]) -> None:
    """Entries of older versions of a scope can never be served again: let them go now rather than when evicted
    (no page of an erased child lingers in a worker's memory after the erasure is committed)."""
    with _last_seen_lock:
        moved = {scope for scope, version in fresh.items() if _last_seen.get(scope, version) != version}
        _last_seen.update(fresh)
    if moved:
        for store in (pages, figures, users):
            store.drop(moved)


def _still(seen: tuple[tuple[str, int], ...]) -> bool:
    # each SELECT of a reading request sees the latest commit (PostgreSQL's READ COMMITTED, pysqlite
    # outside a write transaction): what was read between two equal versions is that version's data
    return not written_uncommitted() and tuple(sorted(_read_versions(dict(seen)).items())) == seen


def _scopes_of(seen: tuple[tuple[str, int], ...]) -> frozenset[str]:
    return frozenset(scope for scope, _version in seen)


_CLOCK_SCOPES = (ALL, "workshops")


def next_clock_change(now: datetime) -> datetime:
    """The next instant at which a workshop starts or ends, or the local day changes: until then, the clock
    changes nothing shown. Remembered per version of the workshops until that instant."""
    seen = versions(_CLOCK_SCOPES)
    if seen is None:
        return _next_clock_change(now)
    boundary = figures.get(("clock", seen))
    if boundary is None or boundary <= now:
        boundary = _next_clock_change(now)
        figures.put(("clock", seen), boundary, boundary.timestamp(), _scopes_of(seen))
    return boundary


#: the domains whose pages change with the clock, each giving the next instant it changes something shown
#: (the workshops: the next start or end; outreach/workshops/queries.py), registered by create_app
_clock_sources: dict[str, Callable[[datetime], datetime | None]] = {}


def register_clock_source(name: str, next_change: Callable[[datetime], datetime | None]) -> None:
    """`next_change(now)`: the next instant after `now` at which this domain's pages change, or None."""
    _clock_sources[name] = next_change


def _next_clock_change(now: datetime) -> datetime:
    local = now.astimezone(local_tz())
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=local.tzinfo)
    candidates = [next_change(now) for next_change in _clock_sources.values()]
    return min([value for value in candidates if value is not None] + [midnight.astimezone(now.tzinfo)])


# -- a small cache per process -------------------------------------------------------------------

class LRU:
    """Entries (value, valid until as a Unix time, the scopes it depends on), the least recently used dropped
    first; `drop(scopes)` lets go of the entries of these scopes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, tuple[Any, float, frozenset]] = OrderedDict()
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

    def put(self, key: Hashable, value: Any, until: float, scopes: frozenset = frozenset()) -> None:
        with self.lock:
            self.items[key] = (value, until, scopes)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def drop(self, scopes: set[str]) -> None:
        with self.lock:
            for key in [key for key, entry in self.items.items() if entry[2] & scopes]:
                del self.items[key]

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


pages = LRU(500)
figures = LRU(500)


users = LRU(1000)
_USER_SCOPES = (ALL, "users")


def signed_in_user(model: Any, user_id: int) -> Any:
    """The signed-in user, without a query while the users' version is unchanged (a sign-in changes it not).

    The cached copy stays detached; each request gets its own instance merged without loading."""
    seen = versions(_USER_SCOPES) if enabled() else None
    if seen is None:
        return db.session.get(model, user_id)
    cached = users.get((user_id, seen))
    if cached is None:
        # loaded by a throw-away session on the same connection, so the copy is detached from the start
        with Session(bind=db.session.connection()) as loader:
            cached = loader.get(model, user_id)
        if cached is None:
            return None
        users.put((user_id, seen), cached, time.time() + 3600, _scopes_of(seen))
    return db.session.merge(cached, load=False)


def enabled() -> bool:
    return bool(current_app.config.get("OUTREACH_CACHE", True))


#: what the report's figures are made of (not the rosters, nor the users)
FIGURE_SCOPES = tuple(scope for scope in CONTENT if scope not in (STUDENTS, "users"))


def cached_figures(key: Hashable, now: datetime, compute: Callable[[], Any]) -> Any:
    """A value computed from the data (report figures), reused while its scopes' versions and the clock allow."""
    seen = versions(FIGURE_SCOPES)
    if seen is None:
        return compute()
    full_key = (key, seen)
    value = figures.get(full_key)
    if value is not None:
        return value
    value = compute()
    # stored only when no write committed meanwhile (PostgreSQL reads each statement afresh)
    if _still(seen):
        until = min(next_clock_change(now).timestamp(), time.time() + 3600)
        figures.put(full_key, value, until, _scopes_of(seen))
    return value


# -- pages ---------------------------------------------------------------------------------------

#: the one school whose roster a user's pages show, if only one (the access rules say: `register_own_school`)
_own_school: list[Callable[[Any], int | None]] = []


def register_own_school(own_school_id: Callable[[Any], int | None]) -> None:
    """The app factory names the access rule that tells whose roster a user sees (the cache knows no roles)."""
    _own_school[:] = [own_school_id]


def page_scopes() -> tuple[str, ...]:
    """What the asking user's pages depend on: a school's representative sees their own school's roster only."""
    school_id = (_own_school[0](current_user) if _own_school and current_user.is_authenticated else None)
    if school_id:
        return (*SHARED, school_scope(school_id))
    return CONTENT


def _page_key(seen: tuple, public: bool) -> tuple | None:
    """Who asks, for what, in which language, at which versions of what the page shows; None: not cacheable."""
    if request.method != "GET":
        return None
    if public:  # the URL says everything (a calendar feed: its secret token is in the path)
        return (request.full_path, seen)
    if session.get("_flashes") or not current_user.is_authenticated:
        return None
    return (request.full_path, current_language(), current_user.id, current_user.session_token, seen)


def etag_of(key: tuple) -> str:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16, key=str(current_app.secret_key).encode()[:64])
    return digest.hexdigest()


def cached_page(etag: bool = False, public: bool = False) -> Callable:
    """Serve a GET page from the cache while the versions of what it shows, the user's session and the clock
    allow.

    The page carries the session's CSRF token, so the session's CSRF secret is part of the key (read
    after rendering: a first page may create it). With etag=True the page also has an ETag and
    `Cache-Control: private, no-cache`; a browser that sends that ETag back gets 304 Not Modified
    without the page being rendered. public=True: the page depends on its URL alone (the ICS feed).
    """
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            seen = versions(SHARED if public else page_scopes())
            base = _page_key(seen, public) if seen is not None else None
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
                key = base if public else (*base, session.get("csrf_token"))  # a first page may create the secret
                if tag is not None:
                    tag = etag_of((*key, next_clock_change(utcnow())))
                if _still(seen):
                    until = next_clock_change(utcnow()).timestamp()
                    pages.put(key, entry, until, _scopes_of(seen))
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
