"""Beyond one machine: two app servers (gunicorn, each with its own instance/ folder) on one PostgreSQL database
and one Redis, as behind a load balancer. Failed sign-ins are counted across both; two sign-ups for the last seat
sent to the two servers at the same instant give one seat and one waitlist place; a change made through one is
on the next page of the other (no stale cache). The outbox workers' exactly-once delivery is
tests/notifications/test_worker.py. Skipped on SQLite: one SQLite file is one machine."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import select

from outreach.app import create_app
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups.models import Signup
from tests.conftest import PASSWORD, TEST_CONFIG
from tests.factories import make_initiative, make_school, make_student, make_user, make_workshop
from tests.servers import csrf_token, gunicorn, redis_server, scratch_postgres

pytestmark = pytest.mark.slow


@pytest.fixture
def shared_database():
    with scratch_postgres("redis2") as url:
        yield url


def _server(url: str, redis_url: str, instance: Path):
    env = {"DATABASE_URL": url, "SECRET_KEY": "shared-by-every-server-" + "x" * 16, "OUTREACH_ENV": "development",
           "OUTREACH_INSTANCE_PATH": str(instance), "RATELIMIT_STORAGE_URI": redis_url,
           "LOGIN_RATE_LIMIT": "4 per 5 minutes"}
    return gunicorn(env, ["--workers", "1", "--threads", "4"], "/healthz", log_dir=instance.parent)


def _token(base: str, email: str) -> str:
    response = requests.post(f"{base}/api/v1/tokens", json={"email": email, "password": PASSWORD}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def test_two_servers_share_the_limits_the_seats_and_what_pages_show(shared_database, tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": shared_database})
    with app.app_context():
        upgrade()
        coordinator = make_user("coordinator", locale="en")
        victim = make_user("coordinator", locale="en")  # the account an attacker guesses the password of
        schools = [make_school(), make_school()]
        reps = [make_user("school", school=school, locale="en") for school in schools]
        pupils = [make_student(school) for school in schools]
        initiative = make_initiative()
        workshop = make_workshop(initiative=initiative, starts_at=utcnow() + timedelta(days=5), capacity=1,
                                 title={"en": "Swan Lake class", "kk": "Сабақ", "ru": "Занятие"})
        db.session.commit()
        emails = [coordinator.email, *(rep.email for rep in reps)]
        guessed = victim.email
        pupil_ids, workshop_id = [p.id for p in pupils], workshop.id
        db.session.remove()
    for name in ("a", "b", "redis"):
        (tmp_path / name).mkdir()
    try:
        with redis_server(tmp_path / "redis") as store, \
                _server(shared_database, store.url, tmp_path / "a" / "instance") as first, \
                _server(shared_database, store.url, tmp_path / "b" / "instance") as second:
            servers = (first, second)

            # 1. failed sign-ins for one account, alternating between the servers: the fifth is refused (429),
            #    wherever it lands, because both count in the same Redis
            browser = requests.Session()
            statuses = []
            for attempt in range(6):
                base = servers[attempt % 2]
                statuses.append(browser.post(f"{base}/login", allow_redirects=False, timeout=30, data={
                    "email": guessed, "password": "wrong password",
                    "csrf_token": csrf_token(browser, f"{base}/login")}).status_code)
            assert all(s in (200, 422) for s in statuses[:4]), statuses
            assert statuses[4:] == [429, 429], statuses

            # 2. the last seat: two schools' sign-ups reach the two servers at the same instant
            tokens = [_token(first, emails[1]), _token(second, emails[2])]
            barrier = threading.Barrier(2)
            answers: list[int] = [0, 0]

            def sign_up(i: int) -> None:
                barrier.wait()
                answers[i] = requests.post(f"{servers[i]}/api/v1/workshops/{workshop_id}/signups", timeout=60,
                                           headers={"Authorization": f"Bearer {tokens[i]}"},
                                           json={"student_ids": [pupil_ids[i]]}).status_code

            threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert answers == [201, 201], answers
            with app.app_context():
                statuses_now = sorted(db.session.scalars(select(Signup.status).where(
                    Signup.workshop_id == workshop_id)))
                db.session.remove()
            assert statuses_now == ["confirmed", "waitlisted"]

            # 3. a change through one server is on the next page of the other (page caches keyed by data
            #    versions in the database, not by the server's clock)
            staff = requests.Session()
            staff.post(f"{second}/login", allow_redirects=False, timeout=30, data={
                "email": emails[0], "password": PASSWORD, "csrf_token": csrf_token(staff, f"{second}/login")})
            before = staff.get(f"{second}/workshops?lang=en", timeout=30).text
            assert "Swan Lake class" in before and "Swan Lake rehearsal" not in before
            token = _token(first, emails[0])
            changed = requests.patch(f"{first}/api/v1/workshops/{workshop_id}", timeout=30,
                                     headers={"Authorization": f"Bearer {token}"},
                                     json={"title": {"en": "Swan Lake rehearsal", "kk": "Сабақ", "ru": "Занятие"}})
            assert changed.status_code == 200, changed.text
            assert "Swan Lake rehearsal" in staff.get(f"{second}/workshops?lang=en", timeout=30).text
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
