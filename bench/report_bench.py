"""The impact report at national scale: generate a synthetic country, then time the report and its exports.

    .venv/bin/python bench/report_bench.py                 # SQLite file bench/out/national.sqlite
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/report_bench.py
    .venv/bin/python bench/report_bench.py --scale 0.02    # a small country, for a quick look

The data: all 20 regions, 7,500 schools, 300,000 students, 40,000 workshops over two school years
and 1,000,000 sign-ups with attendance (deterministic seed; bulk inserts with SQLAlchemy Core). A
database that already holds the generated data is reused (--regenerate starts again). The impact
facts are then built by the application's own `rollups.rebuild()`.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

OUT = ROOT / "bench" / "out"
SEED = 2027
COUNTS = {"schools": 7500, "students": 300_000, "workshops": 40_000, "signups": 1_000_000}
FUNDERS = 12
INITIATIVES = 40
# rough share of the country's schools per region
REGION_WEIGHTS = {
    "KZ-61": 12, "KZ-19": 8, "KZ-31": 6, "KZ-63": 5, "KZ-10": 3, "KZ-35": 6, "KZ-75": 6, "KZ-71": 4,
    "KZ-79": 4, "KZ-43": 4, "KZ-15": 5, "KZ-11": 5, "KZ-39": 6, "KZ-55": 4, "KZ-59": 5, "KZ-27": 4,
    "KZ-23": 3, "KZ-47": 2, "KZ-33": 3, "KZ-62": 1,
}
CITIES = {"KZ-71", "KZ-75", "KZ-79"}
ART_FORMS = ["ballet", "folk_dance", "music", "theatre", "visual_arts", "other"]


def log(message: str) -> None:
    print(message, flush=True)


def make_app(database_url: str):
    from outreach.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "TESTING": False,
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


def generated(db) -> bool:
    from outreach.signups.models import Signup

    try:
        return (db.session.scalar(select(func.count()).select_from(Signup)) or 0) > 0
    except Exception:
        db.session.rollback()
        return False


def reset(db, url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        db.session.remove()
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def chunks(rows, size=20000):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(db, scale: float) -> dict[str, int]:
    """Fill an empty, migrated database with a synthetic national year."""
    from outreach.attendance.models import Attendance
    from outreach.auth.models import User
    from outreach.auth.passwords import hash_password
    from outreach.collation import stored_key
    from outreach.funders.models import Funder
    from outreach.initiatives.models import Initiative, initiative_funder
    from outreach.schools.models import School, SchoolLanguage
    from outreach.signups.models import Signup
    from outreach.students.models import Student
    from outreach.artists.models import Artist
    from outreach.naming import fold
    from outreach.venues.models import Venue
    from outreach.workshops.models import Workshop

    rng = random.Random(SEED)
    tz = ZoneInfo("Asia/Almaty")
    now = datetime.now(timezone.utc)
    today = now.astimezone(tz).date()
    n_schools = max(int(COUNTS["schools"] * scale), 40)
    n_students = max(int(COUNTS["students"] * scale), 1600)
    n_workshops = max(int(COUNTS["workshops"] * scale), 200)
    n_signups = max(int(COUNTS["signups"] * scale), 5000)
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
    created = datetime(2025, 6, 1, tzinfo=timezone.utc)

    def put(table, rows):
        for batch in chunks(rows):
            conn.execute(insert(table), batch)

    # funders, initiatives over two school years, some archived, a few without a target
    put(Funder.__table__, [{"id": i, "name": f"Қор №{i}", "created_at": created} for i in range(1, FUNDERS + 1)])
    first_day = today - timedelta(days=600)
    initiatives = []
    for i in range(1, INITIATIVES + 1):
        starts = first_day + timedelta(days=rng.randint(0, 200))
        ends = min(starts + timedelta(days=rng.randint(300, 640)), today + timedelta(days=120))
        initiatives.append({"id": i, "title": {"kk": f"Бастама №{i}", "ru": f"Инициатива №{i}", "en": f"Initiative {i}"},
                            "description": {}, "art_form": ART_FORMS[i % len(ART_FORMS)], "starts_on": starts,
                            "ends_on": ends, "target_students": None if i % 9 == 0 else rng.choice([2000, 5000, 10000]),
                            "status": "archived" if ends < today - timedelta(days=30) else "active",
                            "created_at": created})
    put(Initiative.__table__, initiatives)
    put(initiative_funder, [{"initiative_id": i, "funder_id": f}
                            for i in range(1, INITIATIVES + 1)
                            for f in sorted({(i - 1) % FUNDERS + 1, rng.randint(1, FUNDERS)})])

    # schools, in proportion to the regions' size
    regions = list(REGION_WEIGHTS)
    weights = [REGION_WEIGHTS[r] for r in regions]
    schools, languages, by_region = [], [], {r: [] for r in regions}
    for sid in range(1, n_schools + 1):
        region = rng.choices(regions, weights)[0]
        settlement = "urban" if region in CITIES or rng.random() < 0.35 else "rural"
        schools.append({"id": sid, "name": f"№{sid} мектеп", "name_folded": f"№{sid} мектеп",
                        "sort_kk": stored_key("kk", f"№{sid} мектеп"), "sort_ru": stored_key("ru", f"№{sid} мектеп"),
                        "region_code": region, "locality": "Елді мекен", "settlement_type": settlement,
                        "created_at": created})
        languages.append({"school_id": sid, "language": rng.choice(["kk", "kk", "ru"])})
        by_region[region].append(sid)
    put(School.__table__, schools)
    put(SchoolLanguage.__table__, languages)
    log(f"  {n_schools:,} schools")

    # students: the same number in every school, grades 0-11; 1% erased (no name, kept for the figures)
    per_school = n_students // n_schools
    students_of: dict[int, list[tuple[int, int]]] = {}
    student_rows = []
    sid = 0
    for school in range(1, n_schools + 1):
        for _ in range(per_school):
            sid += 1
            grade = rng.randint(0, 11)
            erased = rng.random() < 0.01
            student_rows.append({"id": sid, "school_id": school, "first_name": None if erased else "Оқушы",
                                 "last_name": None if erased else f"№{sid}",
                                 "name_folded": None if erased else f"№{sid} оқушы", "grade": grade,
                                 "sort_kk": None if erased else stored_key("kk", f"№{sid}", "Оқушы"),
                                 "sort_ru": None if erased else stored_key("ru", f"№{sid}", "Оқушы"),
                                 "gender": rng.choices(["female", "male", "unspecified"], [49, 49, 2])[0],
                                 "created_at": created, "erased_at": now if erased else None})
            students_of.setdefault(school, []).append((sid, grade))
    put(Student.__table__, student_rows)
    del student_rows
    log(f"  {sid:,} students")

    users = [{"email": "coordinator@bench", "email_normalized": "coordinator@bench", "name": "Coordinator",
              "role": "coordinator", "locale": "kk"},
             {"email": "funder@bench", "email_normalized": "funder@bench", "name": "Funder", "role": "funder",
              "funder_id": 1, "locale": "ru"}]
    password = hash_password("bench-password")
    put(User.__table__, [{**u, "password_hash": password, "active": True, "session_token": f"s{i}",
                          "feed_token": f"f{i}", "created_at": created, "school_id": None,
                          "funder_id": u.get("funder_id")} for i, u in enumerate(users)])

    # teaching artists and venues: 1,500 artists, ~1,000 venues (one region each)
    n_artists, n_venues = max(int(1500 * scale), 30), max(int(1000 * scale), 20)
    put(Artist.__table__, [{"id": a, "name": f"Педагог {a}", "name_folded": fold(f"Педагог {a}"),
                            "art_forms": [rng.choice(ART_FORMS)], "languages": ["kk", "ru"],
                            "home_region": rng.choices(regions, weights)[0], "created_at": created}
                           for a in range(1, n_artists + 1)])
    venue_region = {v: rng.choices(regions, weights)[0] for v in range(1, n_venues + 1)}
    venues_of: dict[str, list[int]] = {}
    for v, region in venue_region.items():
        venues_of.setdefault(region, []).append(v)
    put(Venue.__table__, [{"id": v, "name": f"Зал {v}", "name_folded": fold(f"Зал {v}"), "region": region,
                           "created_at": created} for v, region in venue_region.items()])

    # workshops and their sign-ups: each workshop in one region, its students from 2-3 schools there
    per_workshop = n_signups / n_workshops * 1.05  # some pools are small; stop at exactly n_signups
    workshops, signups, attendance = [], [], []
    signup_id = 0
    grade_ranges = [(0, 4), (1, 6), (3, 9), (5, 9), (5, 11), (7, 11), (0, 11)]
    for wid in range(1, n_workshops + 1):
        initiative = initiatives[rng.randrange(INITIATIVES)]
        span = (min(initiative["ends_on"], today + timedelta(days=60)) - initiative["starts_on"]).days
        day = initiative["starts_on"] + timedelta(days=rng.randint(0, max(span, 0)))
        starts = datetime.combine(day, dtime(rng.choice([10, 11, 14, 15, 16]), 0), tz).astimezone(timezone.utc)
        minutes = rng.choice([45, 60, 90, 90, 120])
        low, high = rng.choice(grade_ranges)
        capacity = rng.randint(20, 32)
        started = starts <= now
        cancelled = rng.random() < 0.02
        recorded = started and not cancelled and rng.random() < 0.95
        region = rng.choices(regions, weights)[0]
        pool = [s for school in rng.sample(by_region[region], min(3, len(by_region[region])))
                for s, grade in students_of[school] if low <= grade <= high]
        if rng.random() < 0.1:  # some come from anywhere
            other = rng.randint(1, n_schools)
            pool += [s for s, grade in students_of[other] if low <= grade <= high]
        pool = list(dict.fromkeys(pool))
        artist = rng.randint(1, n_artists)
        venue = rng.choice(venues_of.get(region) or list(venue_region))
        rng.shuffle(pool)
        wanted = min(len(pool), max(int(rng.gauss(per_workshop, 4)), 1), n_signups - signup_id)
        confirmed = waitlisted = 0
        for student in pool[:wanted]:
            signup_id += 1
            status = "confirmed" if confirmed < capacity else "waitlisted"
            if status == "confirmed" and rng.random() < 0.04:
                status = "cancelled"
            position = None
            if status == "confirmed":
                confirmed += 1
            elif status == "waitlisted":
                waitlisted += 1
                position = waitlisted
            signups.append({"id": signup_id, "workshop_id": wid, "student_id": student, "status": status,
                            "waitlist_position": position, "created_at": starts - timedelta(days=10),
                            "created_by_id": None, "confirmed_at": starts - timedelta(days=10)
                            if status == "confirmed" else None,
                            "cancelled_at": starts - timedelta(days=5) if status == "cancelled" else None,
                            "cancelled_by_id": None})
            if recorded and status == "confirmed":
                mark = rng.random()
                status = ("present" if mark < 0.80 else "late" if mark < 0.85 else "excused" if mark < 0.90
                          else "absent")
                attendance.append({"signup_id": signup_id, "status": status,
                                   "minutes": rng.randint(1, minutes) if status == "late" else None,
                                   "recorded_at": starts + timedelta(minutes=minutes), "recorded_by_id": None})
        workshops.append({"id": wid, "initiative_id": initiative["id"], "series_id": None,
                          "title": {"kk": f"Шеберлік сабағы №{wid}", "ru": f"Мастер-класс №{wid}",
                                    "en": f"Workshop {wid}"},
                          "starts_at": starts, "ends_at": starts + timedelta(minutes=minutes),
                          "duration_minutes": minutes, "capacity": capacity, "seats_taken": confirmed,
                          "waitlist_length": waitlisted, "venue": f"Зал {venue}", "venue_id": venue,
                          "instructor": f"Педагог {artist}", "artist_id": artist, "language": rng.choices(["kk", "ru", "en"], [6, 4, 1])[0],
                          "min_grade": low, "max_grade": high,
                          "status": "cancelled" if cancelled else ("completed" if recorded else "scheduled"),
                          "attendance_recorded_at": starts + timedelta(minutes=minutes) if recorded else None,
                          "created_at": created, "updated_at": created})
    put(Workshop.__table__, workshops)
    log(f"  {len(workshops):,} workshops")
    put(Signup.__table__, signups)
    log(f"  {len(signups):,} sign-ups")
    put(Attendance.__table__, attendance)
    log(f"  {len(attendance):,} attendance records")
    db.session.commit()
    return {"schools": n_schools, "students": sid, "workshops": len(workshops), "signups": len(signups),
            "attendance": len(attendance)}


def timed(fn, repeat: int = 1):
    """(seconds of the first run, median of all runs, result)."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times), result


HEADER = (f"{'what':54} {'first':>8} {'computed':>9} {'cached':>8} {'goal':>8}\n"
          f"{'':54} {'':>8} {'(median)':>9} {'(median)':>8}")


def clear_caches() -> None:
    from outreach import cache

    for store in (cache.pages, cache.figures, cache.users):
        store.clear()


def measure(app, label: str, fn, repeat: int, goal: int | None) -> dict[str, object]:
    """First run (empty caches), median computed every time (cache off), median at an unchanged data version."""
    app.config["OUTREACH_CACHE"] = False
    clear_caches()
    first, computed, _result = timed(fn, repeat)
    app.config["OUTREACH_CACHE"] = True
    clear_caches()
    cold, _median, _result = timed(fn, 1)
    cached = statistics.median(_times_after_first(fn, repeat))
    first = max(first, cold)  # the slower of the two first runs (cache off, cache on and empty)
    verdict = ""
    if goal is not None:
        verdict = "ok" if first * 1000 < goal and cached * 1000 < goal else "MISSED"
        verdict += " (first run)" if verdict == "MISSED" and cached * 1000 < goal else ""
    log(f"{label:54} {first * 1000:>6,.0f}ms {computed * 1000:>7,.0f}ms {cached * 1000:>6,.1f}ms "
        f"{'< ' + str(goal) + ' ms' if goal else '':>8} {verdict}")
    return {"first_ms": round(first * 1000), "computed_median_ms": round(computed * 1000),
            "cached_median_ms": round(cached * 1000, 1), "goal_ms": goal, "verdict": verdict}


def _times_after_first(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def measure_write(db, coordinator) -> dict[str, object]:
    """What a write costs with everything kept on the facts: a coordinator corrects one delivered workshop's
    attendance (one student marked absent, then present again: the data ends as it began), commit included."""
    from outreach.attendance import services as attendance
    from outreach.signups.models import Signup
    from outreach.workshops.models import Workshop

    from outreach.attendance.models import Attendance

    workshop_id = db.session.scalar(
        select(Workshop.id).join(Signup, Signup.workshop_id == Workshop.id)
        .join(Attendance, Attendance.signup_id == Signup.id)
        .where(Workshop.status != "cancelled", Signup.status == "confirmed", Attendance.status == "present")
        .order_by(Workshop.id.desc()).limit(1))
    times = []
    for _ in range(3):
        present = {student for student, mark in attendance.recorded(workshop_id).items() if mark.present}
        one = min(present)
        for marked in (present - {one}, present):
            start = time.perf_counter()
            attendance.record(workshop_id, sorted(marked), actor=coordinator)
            db.session.commit()
            times.append(time.perf_counter() - start)
    label = "recording one workshop's attendance (a write, commit included)"
    log(f"{label:54} {times[0] * 1000:>6,.0f}ms {statistics.median(times) * 1000:>7,.0f}ms")
    return {"first_ms": round(times[0] * 1000), "median_ms": round(statistics.median(times) * 1000)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the national counts (default 1)")
    parser.add_argument("--regenerate", action="store_true", help="drop the data and generate it again")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each report (the median is shown)")
    parser.add_argument("--skip-exports", action="store_true", help="only the reports and pages, not the exports")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    name = "national.sqlite" if args.scale == 1 else f"national-{args.scale:g}.sqlite"
    url = args.database_url or f"sqlite:///{OUT / name}"

    app = make_app(url)
    from flask_migrate import upgrade

    from outreach.extensions import db

    with app.app_context():
        if args.regenerate or not generated(db):
            if args.regenerate:
                reset(db, url)
            upgrade()
            if generated(db):
                raise SystemExit("the database holds other data; use --regenerate or another DATABASE_URL")
            log(f"Generating a synthetic country into {url} ...")
            start = time.perf_counter()
            counts = generate(db, args.scale)
            log(f"  generated in {time.perf_counter() - start:.0f} s")
            from outreach.reports import rollups

            start = time.perf_counter()
            facts = rollups.rebuild()
            db.session.commit()
            log(f"  {facts:,} impact facts built by rollups.rebuild() in {time.perf_counter() - start:.0f} s")
            if db.engine.dialect.name == "sqlite":
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
            else:
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE")
            (OUT / "counts.json").write_text(json.dumps(counts))
        else:
            upgrade()
            log(f"Reusing the generated data in {url}")
    run(app, db, args.repeat, args.skip_exports)
    return 0


def run(app, db, repeat: int, skip_exports: bool = False) -> None:
    from outreach.auth.models import User
    from outreach.reports import exports, services
    from outreach.reports.models import ImpactFact
    from outreach.signups.models import Signup

    results: dict[str, str] = {}
    with app.test_request_context("/?lang=ru"):
        coordinator = db.session.scalar(select(User).where(User.role == "coordinator").order_by(User.id))
        funder = db.session.scalar(select(User).where(User.role == "funder").order_by(User.id))
        counts = {
            "sign-ups": db.session.scalar(select(func.count()).select_from(Signup)),
            "impact facts": db.session.scalar(select(func.count()).select_from(ImpactFact)),
        }
        log("Data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f"; database {db.engine.dialect.name}")
        busiest = db.session.execute(select(ImpactFact.initiative_id, func.count()).group_by(
            ImpactFact.initiative_id).order_by(func.count().desc()).limit(1)).one()

        def report(user, **filters):
            return lambda: services.impact_report(user, **filters)

        rows = [
            ("impact report, unfiltered (coordinator)", report(coordinator), 200),
            (f"impact report, one initiative ({busiest[1]:,} sign-ups)", report(coordinator, initiative_id=busiest[0]),
             200),
            ("impact report, a funder's initiatives", report(funder), None),
            ("impact report, one region", report(coordinator, region="KZ-61"), 200),
            ("impact report, one term (period filter)",
             report(coordinator, date_from=date.today() - timedelta(days=200), date_to=date.today() - timedelta(days=80)),
             200),
            ("per-school table, first page", lambda: services.school_table(coordinator), 100),
            ("per-school table, first page, one term",
             lambda: services.school_table(coordinator, date_from=date.today() - timedelta(days=200),
                                           date_to=date.today() - timedelta(days=80)), None),
        ]
        log("")
        log(HEADER)
        for label, fn, goal in rows:
            results[label] = measure(app, label, fn, repeat, goal)
        results["recording one workshop's attendance (a write)"] = measure_write(db, coordinator)
        emails = (coordinator.email, funder.email)
        unfiltered = services.impact_report(coordinator)
        log(f"  (students reached {unfiltered['students_reached']:,}, sign-ups {unfiltered['signups']:,}, "
            f"workshops delivered {unfiltered['workshops_delivered']:,}, student-hours {unfiltered['student_hours']:,})")

        log("")
        for fmt in (() if skip_exports else ("csv", "xlsx", "pdf")):
            first, _median, body = timed(lambda: exports.export_report(coordinator, fmt, {}), 1)
            label = f"export {fmt.upper()}, unfiltered (coordinator, with every school)"
            results[label] = f"{first * 1000:,.0f} ms, {len(body) / 1024:,.0f} KiB"
            log(f"{label:58} {first * 1000:>7,.0f}ms  {len(body) / 1024:>8,.0f} KiB")

        def consume():
            total = 0
            for chunk in exports.signups_csv(coordinator):
                total += len(chunk)
            return total

        if not skip_exports:
            first, _median, size = timed(consume, 1)
            label = "CSV of all sign-ups (streamed)"
            results[label] = f"{first:,.1f} s, {size / 1024 / 1024:,.0f} MiB"
            log(f"{label:58} {first * 1000:>7,.0f}ms  {size / 1024 / 1024:>8,.0f} MiB")
            tracemalloc.start()
            consume()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            results["CSV of all sign-ups, peak traced memory"] = f"{peak / 1024 / 1024:.1f} MiB"
            log(f"  peak Python memory while streaming it (tracemalloc): {peak / 1024 / 1024:.1f} MiB")
    # whole pages through the test client (each request in its own context, as on a server)
    log("")
    log(HEADER)
    term = (f"&from={(date.today() - timedelta(days=200)).isoformat()}"
            f"&to={(date.today() - timedelta(days=80)).isoformat()}")
    for label, email, query, goal in (("report page (HTML), unfiltered, coordinator", emails[0], "", 300),
                                      ("report page (HTML), one term, coordinator", emails[0], term, None),
                                      ("report page (HTML), a funder's initiatives", emails[1], "", 150)):
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": "bench-password"})
        assert response.status_code == 302, response.status_code

        def page():
            response = client.get(f"/reports/impact?lang=ru{query}")
            assert response.status_code == 200, response.status_code
            return response

        results[label] = measure(app, label, page, repeat, goal)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["process peak RSS"] = f"{maxrss:,.0f} MiB"
    log(f"  peak resident memory of this process (getrusage): {maxrss:,.0f} MiB")
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    raise SystemExit(main())
