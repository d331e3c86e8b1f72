"""What a write costs, on the demo data and at national scale side by side, and how writers scale.

    .venv/bin/python bench/write_bench.py                                   # SQLite
    .venv/bin/python bench/write_bench.py --pg-demo URL --pg-national URL   # PostgreSQL too (empty or reused)

The write is a coordinator correcting one delivered workshop's attendance (one student marked absent, then
present again, so the data ends as it began), through the attendance service with the commit, in the
production setting `REPORT_UPKEEP=background`: the figures are brought up to date after the commit by the
process's upkeep thread. Printed per database and scale: the write's median and first time, and how long after
the commit the report counted it ("caught up", median: the upkeep's own transaction).

Then (PostgreSQL, or SQLite with --writers-on-sqlite) W writer processes (default 8), each correcting the
attendance of workshops of its own region for a few seconds, against one: writes per second and the ratio.
The national data is bench/report_bench.py's (generated here if missing); the demo data is `flask seed-demo`.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import func, select  # noqa: E402

import report_bench  # noqa: E402

OUT = ROOT / "bench" / "out"


def log(message: str) -> None:
    print(message, flush=True)


def make_app(url: str):
    app = report_bench.make_app(url)
    app.config["REPORT_UPKEEP"] = "background"
    return app


def prepare(url: str, kind: str) -> None:
    """A migrated database with the demo data or the national data (reused when it is there)."""
    from flask_migrate import upgrade

    from outreach.extensions import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        if report_bench.generated(db):
            return
        log(f"  {kind}: generating into {url} ...")
        if kind == "demo":
            from outreach import demo

            demo.seed()
            db.session.commit()
        else:
            from outreach.reports import rollups

            report_bench.generate(db, 1.0)
            rollups.rebuild()
            db.session.commit()
        db.session.remove()


def _workshops(db, regions: int) -> list[int]:
    """Delivered workshops with present students, each of another region (as far as there are regions)."""
    from outreach.attendance.models import Attendance
    from outreach.schools.models import School
    from outreach.signups.models import Signup
    from outreach.students.models import Student
    from outreach.workshops.models import Workshop

    rows = db.session.execute(
        select(School.region_code, func.max(Workshop.id)).select_from(Workshop)
        .join(Signup, Signup.workshop_id == Workshop.id).join(Attendance, Attendance.signup_id == Signup.id)
        .join(Student, Student.id == Signup.student_id).join(School, School.id == Student.school_id)
        .where(Workshop.status == "completed", Signup.status == "confirmed", Attendance.status == "present")
        .group_by(School.region_code).order_by(School.region_code)).all()
    ids = [workshop_id for _region, workshop_id in rows]
    return (ids * regions)[:regions]


def _coordinator(db):
    from outreach.auth.models import User

    return db.session.scalar(select(User).where(User.role.in_(("coordinator", "admin"))).order_by(User.id))


def _toggle(db, workshop_id: int, actor) -> list[float]:
    """Mark one present student absent, then present again: two writes, each timed with its commit."""
    from outreach.attendance import services as attendance

    present = sorted(s for s, mark in attendance.recorded(workshop_id).items() if mark.present)
    times = []
    for marked in (present[1:], present):
        start = time.perf_counter()
        attendance.record(workshop_id, marked, actor=actor)
        db.session.commit()
        times.append(time.perf_counter() - start)
    return times


def _caught_up(db, timeout: float = 10.0) -> float:
    from outreach.reports.models import ImpactPending

    start = time.perf_counter()
    with db.engine.connect() as conn:
        while conn.execute(select(func.count()).select_from(ImpactPending)).scalar():
            if time.perf_counter() - start > timeout:
                break
            time.sleep(0.002)
            conn.rollback()
    return time.perf_counter() - start


def measure_writes(url: str, writes: int) -> dict[str, float]:
    from outreach.extensions import db

    app = make_app(url)
    with app.test_request_context("/?lang=ru"):
        actor = _coordinator(db)
        workshop_id = _workshops(db, 1)[0]
        times, lags = [], []
        _toggle(db, workshop_id, actor)  # warm: the thread started, the statements compiled
        _caught_up(db)
        for _ in range(max(writes // 2, 1)):
            for took in _toggle(db, workshop_id, actor):
                times.append(took)
            lags.append(_caught_up(db))
        db.session.remove()
    return {"median_ms": statistics.median(times) * 1000, "first_ms": times[0] * 1000,
            "caught_up_ms": statistics.median(lags) * 1000}


def _writer(url: str, workshop_id: int, seconds: float, start_at: float, results) -> None:
    from outreach.extensions import db

    app = make_app(url)
    with app.test_request_context("/?lang=ru"):
        actor = _coordinator(db)
        _toggle(db, workshop_id, actor)
        while time.time() < start_at:
            time.sleep(0.005)
        done, end = 0, start_at + seconds
        while time.time() < end:
            done += len(_toggle(db, workshop_id, actor))
        db.session.remove()
    results.put(done)


def writers_per_second(url: str, writers: int, seconds: float) -> float:
    from outreach.extensions import db

    app = make_app(url)
    with app.app_context():
        workshop_ids = _workshops(db, writers)
        db.session.remove()
        db.engine.dispose()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 8  # every process started and warm before the clock runs
    processes = [context.Process(target=_writer, args=(url, workshop_ids[i], seconds, start_at, results))
                 for i in range(writers)]
    for process in processes:
        process.start()
    total = sum(results.get(timeout=seconds + 120) for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-demo", help="PostgreSQL URL for the demo data (empty or made by this script)")
    parser.add_argument("--pg-national", help="PostgreSQL URL for the national data (report_bench.py's)")
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--writers-on-sqlite", action="store_true", help="run the concurrent writers on SQLite too")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    databases = [("SQLite", f"sqlite:///{OUT / 'writes-demo.sqlite'}", f"sqlite:///{OUT / 'national.sqlite'}")]
    if args.pg_demo and args.pg_national:
        databases.append(("PostgreSQL", args.pg_demo, args.pg_national))
    log(f"{'database':11} {'scale':9} {'write median':>13} {'first':>8} {'caught up':>10}   national / demo")
    for name, demo_url, national_url in databases:
        prepare(demo_url, "demo")
        prepare(national_url, "national")
        demo = measure_writes(demo_url, args.writes)
        national = measure_writes(national_url, args.writes)
        for scale, figures in (("demo", demo), ("national", national)):
            ratio = f"{national['median_ms'] / demo['median_ms']:.2f}x" if scale == "national" else ""
            verdict = ""
            if scale == "national":
                verdict = "ok" if national["median_ms"] <= 30 and national["median_ms"] <= 1.5 * demo["median_ms"] \
                    else "MISSED"
                verdict += " (goal: <= 30 ms and <= 1.5x demo)"
            log(f"{name:11} {scale:9} {figures['median_ms']:>10.1f} ms {figures['first_ms']:>5.0f} ms "
                f"{figures['caught_up_ms']:>7.0f} ms   {ratio} {verdict}")
        if name == "PostgreSQL" or args.writers_on_sqlite:
            one = writers_per_second(national_url, 1, args.seconds)
            many = writers_per_second(national_url, args.writers, args.seconds)
            verdict = "ok" if many >= 1.6 * one else "MISSED"
            log(f"{name:11} national  1 writer {one:.0f} writes/s, {args.writers} writers {many:.0f} writes/s: "
                f"{many / one:.2f}x ({verdict}, goal >= 1.6x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
