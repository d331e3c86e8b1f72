"""What /healthz and /readyz say: is this process alive, and is this server ready for traffic.

Ready means: the database answers `SELECT 1` within READY_TIMEOUT seconds, its schema is at the migrations'
head, and the rate-limit store (Redis) answers when one is configured. The outbox's backlog (how many messages
wait and how old the oldest is) is reported for monitoring but never makes a server unready: a slow mail server
is no reason to stop serving pages. Nothing here names a host, a user or a secret.
"""
from __future__ import annotations

import threading
import time
from datetime import timezone
from functools import lru_cache
from typing import Any, Callable

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import func, select, text

from outreach.config import REDIS_SCHEMES
from outreach.dbtypes import utcnow
from outreach.errors import is_database_outage
from outreach.extensions import db, limiter
from outreach.notifications.models import OutboxMessage

#: seconds the database may take to answer the readiness check
READY_TIMEOUT = 2.0


def liveness() -> dict[str, Any]:
    """The process serves requests (nothing else is asked: no database)."""
    return {"status": "alive"}


@lru_cache(maxsize=4)
def migration_heads(directory: str) -> tuple[str, ...]:
    """The head revisions of the migrations shipped with this release (read once per process)."""
    config = Config()
    config.set_main_option("script_location", directory)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def _within(seconds: float, work: Callable[[], Any]) -> Any:
    """work() in a thread of its own, given up after `seconds` (a frozen server never answers: the thread waits
    for it, the answer does not)."""
    app = current_app._get_current_object()
    outcome: dict[str, Any] = {}

    def run() -> None:
        with app.app_context():
            try:
                outcome["value"] = work()
            except Exception as error:  # reported as the check's failure
                outcome["error"] = error
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name="readiness", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _database_facts() -> dict[str, Any]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(READY_TIMEOUT * 1000)}")
        connection.exec_driver_sql("SELECT 1")
        revisions = sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
        unsent, oldest = connection.execute(
            select(func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))).one()
    return {"revisions": revisions, "unsent": unsent, "oldest": oldest}


def _error(error: BaseException) -> str:
    """What went wrong, in a word or two (never a connection string)."""
    if isinstance(error, TimeoutError):
        return "timeout"
    return "unavailable" if is_database_outage(error) else type(error).__name__


def _database_checks(app: Flask) -> dict[str, dict[str, Any]]:
    probe = app.extensions.get("database_probe")
    if probe is not None and probe.is_open:
        failed = {"ok": False, "error": "unavailable"}
        return {"database": failed, "migrations": {"ok": False}, "outbox": {"ok": False}}
    started = time.monotonic()
    try:
        facts = _within(READY_TIMEOUT, _database_facts)
    except Exception as error:  # the database did not answer (or answered with an error)
        return {"database": {"ok": False, "error": _error(error)}, "migrations": {"ok": False},
                "outbox": {"ok": False}}
    heads = list(migration_heads(str(app.extensions["migrate"].directory)))
    oldest = facts["oldest"]
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return {
        "database": {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)},
        "migrations": {"ok": facts["revisions"] == heads, "current": facts["revisions"], "head": heads},
        "outbox": {"ok": True, "unsent": facts["unsent"],
                   "oldest_unsent_seconds": None if oldest is None else int((utcnow() - oldest).total_seconds())},
    }


def _rate_limit_store(app: Flask) -> dict[str, Any]:
    if not str(app.config.get("RATELIMIT_STORAGE_URI") or "").startswith(REDIS_SCHEMES):
        return {"ok": True, "configured": False}
    try:
        answered = bool(limiter.storage.check())
    except Exception:  # Redis down: check() may raise instead of answering False
        answered = False
    return {"ok": answered, "configured": True} if answered else {"ok": False, "configured": True,
                                                                   "error": "unavailable"}


def readiness(app: Flask) -> tuple[bool, dict[str, Any]]:
    """(ready, the report): every check but the outbox's backlog must hold."""
    checks = _database_checks(app)
    checks["rate_limit_store"] = _rate_limit_store(app)
    ready = all(check["ok"] for name, check in checks.items() if name != "outbox")
    return ready, {"status": "ready" if ready else "not_ready", "checks": checks}
