"""50 simultaneous sign-ups for 5 seats through the API on a real server (gunicorn, several worker processes
and threads), on SQLite and — when TEST_DATABASE_URL is set — on PostgreSQL: exactly 5 confirmed, 45 waitlisted
at positions 1..45."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from outreach.app import create_app
from outreach.extensions import db
from tests.conftest import TEST_CONFIG
from tests.servers import gunicorn, scratch_postgres

REQUESTS, SEATS = 50, 5


@contextmanager
def _database(backend: str, tmp_path: Path):
    """An empty database of its own for the server."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'concurrency.sqlite'}"
        return
    with scratch_postgres("gunicorn") as url:
        yield url


def _prepare(url: str) -> dict:
    """Schema by the migrations, then a workshop with 5 seats, 50 students and a coordinator's token."""
    from flask_migrate import upgrade

    from outreach.auth.services import issue_api_token
    from tests.factories import make_school, make_student, make_user, make_workshop

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        coordinator = make_user("coordinator")
        school = make_school()
        workshop = make_workshop(capacity=SEATS)
        students = [make_student(school).id for _ in range(REQUESTS)]
        token, _row = issue_api_token(coordinator)
        db.session.commit()
        data = {"workshop_id": workshop.id, "students": students, "token": token}
        db.session.remove()
        db.engine.dispose()
    return data


def _gunicorn(url: str):
    env = {"DATABASE_URL": url, "SECRET_KEY": "concurrency-test", "OUTREACH_ENV": "development"}
    return gunicorn(env, ["--workers", "3", "--threads", "8", "--worker-class", "gthread"], "/api/v1/openapi.json")


def _call(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_fifty_simultaneous_sign_ups_for_five_seats(backend, tmp_path):
    with _database(backend, tmp_path) as url:
        data = _prepare(url)
        with _gunicorn(url) as base:
            endpoint = f"{base}/api/v1/workshops/{data['workshop_id']}/signups"
            start = threading.Barrier(REQUESTS)
            results: list[tuple[int, dict]] = [None] * REQUESTS  # type: ignore[list-item]

            def sign_up(index: int) -> None:
                start.wait()
                results[index] = _call("POST", endpoint, data["token"], {"student_ids": [data["students"][index]]})

            threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(REQUESTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

            assert [status for status, _body in results] == [201] * REQUESTS, [b for s, b in results if s != 201]
            items = [body["items"][0] for _status, body in results]
            assert sorted(i["student_id"] for i in items) == sorted(data["students"])
            confirmed = [i for i in items if i["status"] == "confirmed"]
            waitlisted = [i for i in items if i["status"] == "waitlisted"]
            assert len(confirmed) == SEATS
            assert sorted(i["waitlist_position"] for i in waitlisted) == list(range(1, REQUESTS - SEATS + 1))

            status, workshop = _call("GET", f"{base}/api/v1/workshops/{data['workshop_id']}", data["token"])
            assert (workshop["seats_taken"], workshop["waitlist_length"]) == (SEATS, REQUESTS - SEATS)
            status, listed = _call("GET", f"{endpoint}?per_page=200", data["token"])
            stored = {s["id"]: (s["status"], s["waitlist_position"]) for s in listed["items"]}
            assert stored == {i["id"]: (i["status"], i["waitlist_position"]) for i in items}
