"""A real app server for the tests that need one: gunicorn on a free loopback port, stopped with its process group;
and a PostgreSQL database of its own for such a server."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: Mapping[str, str], args: Sequence[str], ready_path: str, log_dir: Path | None = None) -> Iterator[str]:
    """Serve wsgi:app with `args`, wait until `ready_path` answers 200, yield the base URL; stop it afterwards."""
    port = free_port()
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log = open(log_dir / f"gunicorn-{port}.log", "w+")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), *args, "--bind", f"127.0.0.1:{port}", "--timeout", "120",
         "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}{ready_path}", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail("gunicorn did not start:\n" + log.read()[-3000:])
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@contextmanager
def scratch_postgres(suffix: str) -> Iterator[str]:
    """An empty PostgreSQL database next to TEST_DATABASE_URL's (named <its name>_<suffix>), dropped afterwards;
    the test is skipped when TEST_DATABASE_URL names no PostgreSQL server."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        pytest.skip("needs a PostgreSQL server: set TEST_DATABASE_URL")
    url = make_url(base)
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
