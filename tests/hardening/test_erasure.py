"""Erasure leaves no trace on disk: after a child is erased, no byte of the SQLite database files or of
instance/ holds the child's or the guardian's name — not the WAL, not an abandoned import preview."""
from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path

import pytest
from flask_migrate import upgrade

from outreach.app import create_app
from outreach.extensions import db
from tests.conftest import PASSWORD, TEST_CONFIG, Csrf, IsolatedClient
from tests.factories import make_school, make_user
from tests.students.helpers import HEADERS, csv_bytes

CHILD, GUARDIAN = ("Жұлдызайым", "Қарлығашова"), "Бибігүлсім Қарлығашова"


@pytest.fixture
def own_instance(tmp_path, monkeypatch):
    """An app with its own instance/ folder and its own SQLite file in it, as a fresh server would have."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = {key: value for key, value in TEST_CONFIG.items() if key != "SECRET_KEY"}
    app = create_app(config)  # the default database: instance/outreach.sqlite, and a generated secret key
    app.test_client_class = IsolatedClient
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'outreach.sqlite'}"
    with app.app_context():
        upgrade()
    yield app, instance
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _bytes_everywhere(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def _traces(folder: Path, words) -> list[str]:
    found = []
    for name, content in _bytes_everywhere(folder).items():
        for word in words:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if word.encode(encoding) in content:
                    found.append(f"{word!r} ({encoding}) in {name}")
    return found


def test_an_erased_child_leaves_no_trace_in_the_database_files_or_instance(own_instance):
    app, instance = own_instance
    words = [*CHILD, GUARDIAN]
    with app.app_context():
        school = make_school()
        user = make_user("school", school=school)
        db.session.commit()
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": Csrf.token(client)}).status_code == 302
        # the child is added, edited (more old versions of the row), and also sits in an abandoned import preview
        token = Csrf.token(client, "/students/new")
        response = client.post("/students/new", data={
            "csrf_token": token, "last_name": CHILD[1], "first_name": CHILD[0] + "x", "grade": "4",
            "gender": "female", "guardian_name": GUARDIAN, "relationship": "анасы",
            "given_on": "2026-09-01", "method": "paper", "confirmed": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        student_id = int(re.search(r"/students/(\d+)", response.headers["Location"]).group(1))
        token = Csrf.token(client, f"/students/{student_id}/edit")
        response = client.post(f"/students/{student_id}/edit", data={
            "csrf_token": token, "last_name": CHILD[1], "first_name": CHILD[0], "grade": "5",
            "gender": "female", "guardian_name": GUARDIAN, "relationship": "анасы",
            "given_on": "2026-09-01", "method": "paper"})
        assert response.status_code == 302
        upload = csv_bytes(HEADERS["kk"], [[CHILD[1] + "а", CHILD[0] + "ә", "5", "Ж", GUARDIAN + "ы", "анасы"]])
        response = client.post("/students/import", data={
            "csrf_token": Csrf.token(client, "/students/import"), "step": "preview",
            "file": (io.BytesIO(upload), "roster.csv")}, content_type="multipart/form-data")
        assert response.status_code == 200
        assert _traces(instance, words), "the test must see the names before the erasure"

        response = client.post(f"/students/{student_id}/erase",
                               data={"csrf_token": Csrf.token(client, f"/students/{student_id}/erase")})
        assert response.status_code == 302
        assert _traces(instance, words) == []

    # every file the app made under instance/ is the app user's only
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in instance.rglob("*") if path.is_file()}
    assert "outreach.sqlite" in modes and "secret_key" in modes
    assert {name: oct(mode) for name, mode in modes.items() if mode & 0o077} == {}
    assert stat.S_IMODE(instance.stat().st_mode) & 0o077 == 0
