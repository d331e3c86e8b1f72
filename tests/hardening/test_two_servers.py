"""Several app servers: two app processes (gunicorn), each with its own instance/ folder, on one PostgreSQL
database behind an imagined load balancer. An import preview made on one is confirmed on the other (the preview
lives in the database, not on a server's disk). Skipped on SQLite: one SQLite file is one machine."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from outreach.app import create_app
from outreach.extensions import db
from tests.conftest import PASSWORD, TEST_CONFIG
from tests.servers import csrf_token as _csrf, gunicorn, scratch_postgres
from tests.students.helpers import HEADERS, ROWS, csv_bytes
from tests.clock import programme_today

pytestmark = pytest.mark.slow


@pytest.fixture
def shared_database():
    with scratch_postgres("servers") as url:  # several app servers share one PostgreSQL database
        yield url


def _server(url: str, instance: Path):
    """One app server: gunicorn with its own instance/ folder; the secret key is the same on every server."""
    env = {"DATABASE_URL": url, "SECRET_KEY": "shared-by-every-server", "OUTREACH_ENV": "development",
           "OUTREACH_INSTANCE_PATH": str(instance)}
    return gunicorn(env, ["--workers", "1"], "/login", log_dir=instance.parent)




def test_a_preview_made_on_one_server_is_confirmed_on_another(shared_database, tmp_path):
    from flask_migrate import upgrade

    from tests.factories import make_school, make_user

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": shared_database})
    with app.app_context():
        upgrade()
        school = make_school()
        user = make_user("school", school=school, locale="en")
        db.session.commit()
        email, school_id = user.email, school.id
        db.session.remove()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    try:
        with _server(shared_database, tmp_path / "a" / "instance") as first, \
                _server(shared_database, tmp_path / "b" / "instance") as second:
            # each server has its own instance/ folder (nothing there is shared)
            assert (tmp_path / "a" / "instance").is_dir() and (tmp_path / "b" / "instance").is_dir()
            browser = requests.Session()  # cookies of 127.0.0.1 go to both ports, as behind one host name
            response = browser.post(f"{first}/login", data={"email": email, "password": PASSWORD,
                                                            "csrf_token": _csrf(browser, f"{first}/login")},
                                    allow_redirects=False, timeout=30)
            assert response.status_code == 302
            response = browser.post(f"{first}/students/import", timeout=60, data={
                "csrf_token": _csrf(browser, f"{first}/students/import"), "step": "preview"},
                files={"file": ("roster.csv", csv_bytes(HEADERS["ru"], ROWS), "text/csv")})
            assert response.status_code == 200, response.text[:2000]
            token = re.search(r'name="token" type="hidden" value="([^"]+)"', response.text).group(1)

            # the load balancer sends the confirmation to the other server
            response = browser.post(f"{second}/students/import", allow_redirects=False, timeout=60, data={
                "csrf_token": _csrf(browser, f"{second}/students/import"), "step": "confirm", "token": token,
                "method": "paper", "given_on": (programme_today() - timedelta(days=1)).isoformat(), "confirmed": "y"})
            assert response.status_code == 302 and response.headers["Location"].endswith("/students")
            assert "3 students were added" in browser.get(f"{second}/students", timeout=30).text
            # and the first server sees the students too, and the preview is gone for both
            assert browser.get(f"{first}/students", timeout=30).text.count("/students/") >= 3
            assert not list((tmp_path / "a" / "instance").rglob("*.json"))
    finally:
        with app.app_context():
            from outreach.students.models import ImportPreview, Student

            assert db.session.scalar(select(func.count()).select_from(Student).where(
                Student.school_id == school_id)) == 3
            assert db.session.scalar(select(func.count()).select_from(ImportPreview)) == 0
            db.session.remove()
            db.engine.dispose()
