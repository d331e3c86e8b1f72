"""A real app server for the tests that need one: gunicorn on a free loopback port, stopped with its process group;
a PostgreSQL database of its own for such a server; a Redis server and a PostgreSQL cluster of a test's own, to
stop and start again (and to freeze)."""
from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, Sequence

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    import requests

ROOT = Path(__file__).resolve().parents[1]


def csrf_token(session: "requests.Session", url: str) -> str:
    """The CSRF token of the form on the page at `url`, as a browser (a requests session) sees it."""
    html = session.get(url, timeout=30).text
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


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


class RedisServer:
    """Debian's `redis-server` on a free loopback port, nothing kept on disk; `stop()` and `start()` again on the
    same port (Redis down, then back). Skipped without the binary, except in CI (.ci/run installs it)."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        if not self.binary:
            if os.environ.get("CI"):
                pytest.fail("redis-server is missing: .ci/run installs the Debian package redis-server")
            pytest.skip("needs redis-server (Debian package redis-server)")
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        log = open(self.directory / f"redis-{self.port}.log", "a")
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start (see {log.name})")
            time.sleep(0.1)

    def freeze(self) -> None:
        """A hung Redis: the port still accepts connections, nothing answers."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)  # a frozen server cannot end
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory).start()
    try:
        yield server
    finally:
        server.stop()


class DedicatedPostgres:
    """A PostgreSQL cluster of the test's own (initdb on a free loopback port, no fsync): stopped and started
    again, frozen (SIGSTOP of every process of the cluster, as a hung server or a paused machine) and thawed.
    Skipped without PostgreSQL's binaries (Debian package postgresql; .ci/run installs it)."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
        initdb = found[-1] if found else shutil.which("initdb")
        if not initdb:
            pytest.skip("needs PostgreSQL's binaries (initdb, pg_ctl)")
        self.bin = Path(initdb).parent
        self.root = os.geteuid() == 0  # PostgreSQL refuses to run as root: then as the user postgres
        self.directory = Path(tempfile.mkdtemp(prefix="outreach-pg-"))
        self.data = self.directory / "data"
        if self.root:
            shutil.chown(self.directory, "postgres", "postgres")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> "DedicatedPostgres":
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.directory / "log"), "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.data} "
                  "-c fsync=off", "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def _postmaster(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _processes(self) -> dict[int, str]:
        """The cluster's processes (the postmaster and its children) and their states (T: stopped)."""
        postmaster = self._postmaster()
        found: dict[int, str] = {}
        try:  # only this cluster's postmaster (a pid file left behind may name another process by now)
            if postmaster is None or str(self.data) not in Path(f"/proc/{postmaster}/cmdline").read_text():
                return found
        except OSError:
            return found
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            pid = int(Path(stat).parent.name)
            if pid == postmaster or int(fields[1]) == postmaster:
                found[pid] = fields[0]
        return found

    def _signal(self, signum: int, pids: Iterable[int]) -> None:
        for pid in pids:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:  # a backend that has just ended
                pass

    def freeze(self) -> None:
        self._signal(signal.SIGSTOP, self._processes())

    def thaw(self) -> None:
        for _ in range(50):  # until no process of the cluster is stopped any more
            stopped = [pid for pid, state in self._processes().items() if state == "T"]
            if not stopped:
                return
            self._signal(signal.SIGCONT, stopped)
            time.sleep(0.05)

    def remove(self) -> None:
        self.thaw()
        if self._processes():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "20", "stop")
            except subprocess.CalledProcessError:
                pass
        self._signal(signal.SIGKILL, self._processes())  # whatever did not stop
        shutil.rmtree(self.directory, ignore_errors=True)
