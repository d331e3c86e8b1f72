"""The database's health probe and the circuit it opens (PostgreSQL).

Timeouts make a stopped database fail fast, but a frozen one (a hung server, a paused virtual machine) never
answers a query already sent: every web thread that asks it waits, and pages that need no database queue
behind them. So a background thread, started lazily at the first request of each process, opens a fresh
connection every DATABASE_PROBE_INTERVAL seconds with a short connect timeout and runs `SELECT 1`. While that
fails, or has not succeeded for a while (the probe itself hangs on a frozen server), the circuit is open: a
request that needs the database gets the 503 page at once (outreach.extensions.Session.get_bind asks
`refuse_if_open`) instead of joining the queue. It closes at the first answer. SQLite is a file on this
machine: it is never frozen apart from the app, so it has no probe.
"""
from __future__ import annotations

import logging
import math
import os
import threading
import time
from typing import Any

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from outreach.errors import database_unavailable

log = logging.getLogger(__name__)


class CircuitOpen(Exception):
    """The request was refused without asking the database (the cause of its 503, for the log)."""


class DatabaseProbe:
    """Asks the database server every `interval` seconds, each time on a fresh connection."""

    def __init__(self, url: Any, interval: float, timeout: float) -> None:
        self.interval = interval
        self.timeout = timeout
        self.engine = create_engine(url, poolclass=NullPool, connect_args={
            "connect_timeout": max(2, math.ceil(timeout)),  # libpq counts whole seconds, at least 2
            "options": f"-c statement_timeout={int(timeout * 1000)}",
            "application_name": "outreach-probe",
        })
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._pid: int | None = None
        self._failing = False
        self._last_ok = 0.0

    def start(self) -> None:
        """Start the probe's thread in this process, once (after a fork the child starts its own)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._failing = False
            self._last_ok = time.monotonic()
            threading.Thread(target=self._run, name="database-probe", daemon=True).start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while not self._stopped.is_set():
            self.check()
            self._stopped.wait(self.interval)

    def stop(self) -> None:
        """End the probe's thread (an app that is thrown away: tests)."""
        self._stopped.set()
        self.engine.dispose()

    def check(self) -> bool:
        """One probe: True when the server answered."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception as error:  # whatever the reason, the server did not answer
            if not self._failing:
                log.warning("database probe: the database does not answer, new requests get 503: %s",
                            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
            self._failing = True
            return False
        if self._failing:
            log.warning("database probe: the database answers again")
        self._failing = False
        self._last_ok = time.monotonic()
        return True

    @property
    def is_open(self) -> bool:
        """The database is known not to answer: failing now, or no answer for longer than a probe may take."""
        if self._pid != os.getpid():
            return False  # not started in this process (commands, or before the first request)
        return self._failing or time.monotonic() - self._last_ok > self.interval + self.timeout + 1

    def refuse_if_open(self) -> None:
        if self.is_open:
            raise database_unavailable(CircuitOpen(
                f"the database has not answered the probe for {time.monotonic() - self._last_ok:.1f} s"))


def init_app(app: Flask) -> None:
    """A probe for a PostgreSQL database (DATABASE_PROBE_INTERVAL > 0), started by the first request."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    interval = float(app.config.get("DATABASE_PROBE_INTERVAL") or 0)
    if url.get_backend_name() != "postgresql" or interval <= 0:
        return
    probe = DatabaseProbe(url, interval, float(app.config.get("DATABASE_PROBE_TIMEOUT") or 2))
    app.extensions["database_probe"] = probe

    @app.before_request
    def _start_probe() -> None:
        probe.start()
