"""Key pages: CPU per page in-process, and requests per second under gunicorn next to a hello-world.

    .venv/bin/python bench/pages.py                    # both parts, on bench/out/pages.sqlite (demo data)
    .venv/bin/python bench/pages.py --inprocess-only   # only the ms of CPU per page (seconds)
    .venv/bin/python bench/pages.py --profile workshops --profile-sort tottime   # cProfile one page
    PAGES_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/pages.py   # demo data there

The database holds the demo data (`flask seed-demo`); a database that already holds data is
reused. Under gunicorn (`-w 2 --threads 4`, as `make run` serves) the same server also answers a
Flask hello-world at /__hello; `wrk -t2 -c16` (Debian's wrk; a Python thread client when wrk is
missing) loads the hello-world and each page in turn, so every page's figure is a ratio to a
hello-world measured seconds before it, on the same machine under the same load. The goal is a
ratio of at least 0.10 for every page. Results go to bench/out/pages.json.
"""
from __future__ import annotations

import argparse
import cProfile
import http.cookiejar
import json
import os
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
GOAL_RATIO = 0.10
PASSWORD = "outreach-demo"

# (key, what, role's demo account, path; {pick} is an upcoming workshop the school may sign up to)
PAGES = [
    ("dashboard-coordinator", "coordinator's dashboard", "coordinator@example.org", "/"),
    ("dashboard-school", "school's dashboard", "school@example.org", "/"),
    ("dashboard-funder", "funder's dashboard", "funder@example.org", "/"),
    ("workshops", "workshops list", "coordinator@example.org", "/workshops"),
    ("calendar", "calendar", "coordinator@example.org", "/calendar"),
    ("schools", "schools", "coordinator@example.org", "/schools"),
    ("roster", "roster (school's students)", "school@example.org", "/students"),
    ("browse", "browse workshops (school)", "school@example.org", "/signups/browse"),
    ("pick", "pick students for a workshop", "school@example.org", "/signups/workshops/{pick}"),
    ("report", "impact report (coordinator)", "coordinator@example.org", "/reports/impact"),
    ("report-funder", "impact report (funder)", "funder@example.org", "/reports/impact"),
]


def log(message: str = "") -> None:
    print(message, flush=True)


def database_url(args) -> str:
    return args.database_url or f"sqlite:///{OUT / 'pages.sqlite'}"


def config(url: str) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-pages", "RATELIMIT_ENABLED": False,
            "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024}


def prepare(url: str) -> int:
    """Migrate and seed the demo data when empty; return the workshop the school's pick page shows."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from outreach import demo
    from outreach.app import create_app
    from outreach.dbtypes import utcnow
    from outreach.extensions import db
    from outreach.workshops.models import Workshop

    app = create_app(config(url))
    with app.app_context():
        upgrade()
        if demo.database_is_empty():
            log("Seeding the demo data ...")
            demo.seed()
            db.session.commit()
        pick = db.session.scalar(select(Workshop.id).where(Workshop.status == "scheduled", Workshop.starts_at > utcnow())
                                 .order_by(Workshop.starts_at, Workshop.id))
        db.session.remove()
        db.engine.dispose()
    return int(pick)


ONLY: set[str] = set()


def pages(pick: int) -> list[tuple[str, str, str, str]]:
    return [(key, what, email, path.format(pick=pick)) for key, what, email, path in PAGES
            if not ONLY or key in ONLY]


# -- in-process: ms of CPU per page --------------------------------------------------------------

def inprocess(url: str, pick: int, repeat: int, profile: str | None, sort: str) -> dict[str, dict[str, float]]:
    """Median ms of CPU per request: rendered (cache off), and served at an unchanged data version."""
    from outreach.app import create_app

    results: dict[str, dict[str, float]] = {}
    log(f"In-process, ms of CPU per request (median of {repeat} after one warm-up), database {url.split(':')[0]}")
    log(f"  {'page':40} {'path':28} {'rendered':>9} {'cached':>8}")
    apps = {mode: create_app({**config(url), "WTF_CSRF_ENABLED": False, "OUTREACH_CACHE": mode == "cached"})
            for mode in ("rendered", "cached")}
    clients: dict[tuple[str, str], object] = {}
    from bench.hello import hello

    hello_client = hello.test_client()
    hello_client.get("/")
    times = []
    for _ in range(repeat * 5):
        start = time.process_time()
        hello_client.get("/")
        times.append(time.process_time() - start)
    results["hello-world"] = {"rendered": statistics.median(times) * 1000, "cached": statistics.median(times) * 1000}
    log(f"  {'a Flask hello-world (for scale)':40} {'/':28} {results['hello-world']['rendered']:6.2f} ms")
    for key, what, email, path in pages(pick):
        results[key] = {}
        for mode, app in apps.items():
            client = clients.get((mode, email))
            if client is None:
                client = clients[(mode, email)] = app.test_client()
                response = client.post("/login", data={"email": email, "password": PASSWORD})
                assert response.status_code == 302, (email, response.status_code)
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            if profile == key and mode == "rendered":
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(repeat):
                    client.get(path)
                profiler.disable()
                pstats.Stats(profiler).sort_stats(sort).print_stats(45)
            times = []
            for _ in range(repeat):
                start = time.process_time()
                response = client.get(path)
                times.append(time.process_time() - start)
                assert response.status_code == 200
            results[key][mode] = statistics.median(times) * 1000
        log(f"  {what:40} {path:28} {results[key]['rendered']:6.1f} ms {results[key]['cached']:5.1f} ms")
    return results


# -- under gunicorn: requests per second, next to a hello-world ----------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, port: int, cache: bool) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-pages", "OUTREACH_CACHE": "1" if cache else "0",
           "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.pages_wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__hello/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def session_cookie(base: str, email: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": token.group(1) if token else ""}).encode()
    opener.open(f"{base}/login", data=data).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "session=" in cookies, "could not sign in"
    return cookies


def load_wrk(url: str, cookie: str | None, seconds: float) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{seconds:g}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def load_python(url: str, cookie: str | None, seconds: float) -> float:
    """16 threads in a loop (slower than wrk: it measures less precisely, in the same way for both)."""
    count = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    headers = {"Cookie": cookie} if cookie else {}

    def worker() -> None:
        while time.perf_counter() < deadline:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
                response.read()
                assert response.status == 200
            with lock:
                count[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(16)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count[0] / (time.perf_counter() - start)


def under_gunicorn(url: str, pick: int, seconds: float, rounds: int, cache: bool) -> dict[str, dict[str, float]]:
    load = load_wrk if shutil.which("wrk") else load_python
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_gunicorn(url, port, cache)
    results: dict[str, dict[str, float]] = {}
    try:
        cookies = {email: session_cookie(base, email) for email in {p[2] for p in PAGES}}
        log(f"\nUnder gunicorn -w 2 --threads 4, {load.__name__[5:]} 16 connections, {seconds:g} s each, "
            f"hello-world alternated with each page ({rounds} round(s), the median ratio); "
            + ("pages cached on the data version (nothing is written meanwhile)" if cache else "page cache OFF"))
        log(f"  {'page':40} {'hello rps':>10} {'page rps':>9} {'ratio':>6}  goal ≥ {GOAL_RATIO:.2f}")
        load(f"{base}/__hello/", None, 1)  # warm both workers
        for key, what, email, path in pages(pick):
            load(f"{base}{path}", cookies[email], 1)
            hellos, rates, ratios = [], [], []
            for _ in range(rounds):
                hello = load(f"{base}/__hello/", None, seconds)
                if not hello:  # wrk got no answer in time (an overloaded machine): once more
                    hello = load(f"{base}/__hello/", None, seconds)
                rate = load(f"{base}{path}", cookies[email], seconds)
                hellos.append(hello)
                rates.append(rate)
                ratios.append(rate / hello if hello else 0.0)
            # the round with the median ratio (its own hello-world and page figures, so the columns agree)
            middle = sorted(range(rounds), key=lambda i: ratios[i])[rounds // 2]
            ratio = ratios[middle]
            results[key] = {"hello_rps": hellos[middle], "page_rps": rates[middle], "ratio": ratio,
                            "ratios": ratios}
            log(f"  {what:40} {results[key]['hello_rps']:10.0f} {results[key]['page_rps']:9.1f} {ratio:6.3f}  "
                f"{'ok' if ratio >= GOAL_RATIO else 'MISSED'}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("PAGES_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=20, help="in-process requests per page")
    parser.add_argument("--seconds", type=float, default=4, help="seconds of load per measurement")
    parser.add_argument("--rounds", type=int, default=1, help="hello/page pairs per page")
    parser.add_argument("--inprocess-only", action="store_true")
    parser.add_argument("--gunicorn-only", action="store_true")
    parser.add_argument("--only", action="append", default=[], help="only this page (a key; repeatable)")
    parser.add_argument("--no-cache", action="store_true", help="under gunicorn, every request renders its page")
    parser.add_argument("--profile", help="cProfile this page's in-process requests (a key: " +
                        ", ".join(p[0] for p in PAGES) + ")")
    parser.add_argument("--profile-sort", default="cumulative")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = database_url(args)
    ONLY.update(args.only)
    pick = prepare(url)
    results: dict[str, object] = {"database": url.split(":")[0]}
    if not args.gunicorn_only:
        results["cpu_ms"] = inprocess(url, pick, args.repeat, args.profile, args.profile_sort)
    if not args.inprocess_only:
        results["gunicorn"] = under_gunicorn(url, pick, args.seconds, args.rounds, not args.no_cache)
        results["gunicorn_cache"] = not args.no_cache
        missed = [k for k, v in results["gunicorn"].items() if v["ratio"] < GOAL_RATIO]
        log(f"\n{len(results['gunicorn']) - len(missed)} of {len(results['gunicorn'])} pages at ≥ {GOAL_RATIO:.2f} of the hello-world"
            + (f"; missed: {', '.join(missed)}" if missed else ""))
    (OUT / f"pages-{results['database']}{'-nocache' if args.no_cache else ''}{'-some' if ONLY else ''}.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
