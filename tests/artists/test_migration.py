"""The data migration: every distinct instructor and venue string of the old free text becomes one record; strings
that are the same once folded (kk/ru letters, a Latin look-alike, case, spaces) become ONE record, on SQLite and on
PostgreSQL (TEST_DATABASE_URL)."""
from __future__ import annotations

import os
from contextlib import contextmanager

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from outreach import naming
from outreach.app import create_app
from outreach.extensions import db
from tests.conftest import TEST_CONFIG
from tests.servers import scratch_postgres

BEFORE = "2026_12_07_attendance_marks"
# (instructor, venue) as coordinators typed them: one person written four ways, one venue written two ways
OLD_ROWS = [
    ("Айгерім Сәрсенова", "«Шабыт» мәдениет үйі"),
    ("Айгерим Сарсенова", "Шабыт мәдениет үйі"),
    ("Aйгерим  Сарсенова", "«Шабыт» мәдениет үйі"),  # a Latin "A" and two spaces
    ("айгерім сәрсенова", "Есік мәдениет үйі"),
    ("Ерлан Қасымов", "Есік мәдениет үйі"),
    ("Ерлан Касымов", "Талғар клубы"),
]


@contextmanager
def _database(tmp_path):
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        with scratch_postgres("migration") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'migration.sqlite'}"


def test_old_free_text_becomes_one_record_per_folded_name(tmp_path):
    with _database(tmp_path) as url:
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            try:
                upgrade(revision=BEFORE)
                with db.engine.begin() as conn:
                    conn.execute(text(
                        "INSERT INTO initiative (id, title, description, art_form, starts_on, ends_on, status, "
                        "created_at) VALUES (1, '{\"kk\": \"Би\"}', '{}', 'ballet', '2027-01-01', '2027-12-31', "
                        "'active', '2026-12-01 00:00:00')"))
                    for n, (instructor, venue) in enumerate(OLD_ROWS, start=1):
                        conn.execute(text(
                            "INSERT INTO workshop (id, initiative_id, title, starts_at, ends_at, duration_minutes, "
                            "capacity, seats_taken, waitlist_length, venue, instructor, language, min_grade, "
                            "max_grade, status, created_at, updated_at) VALUES (:id, 1, '{\"kk\": \"Би\"}', "
                            ":starts, :ends, 60, 10, 0, 0, :venue, :instructor, :lang, 0, 11, 'scheduled', "
                            "'2026-12-01 00:00:00', '2026-12-01 00:00:00')"),
                            {"id": n, "starts": f"2027-03-{n:02d} 05:00:00", "ends": f"2027-03-{n:02d} 06:00:00",
                             "venue": venue, "instructor": instructor, "lang": "kk" if n % 2 else "ru"})
                upgrade()
                with db.engine.connect() as conn:
                    artists = conn.execute(text("SELECT id, name, name_folded FROM artist ORDER BY id")).all()
                    venues = conn.execute(text("SELECT id, name, name_folded FROM venue ORDER BY id")).all()
                    rows = conn.execute(text("SELECT w.id, a.name, v.name, w.instructor, w.venue FROM workshop w "
                                             "JOIN artist a ON a.id = w.artist_id JOIN venue v ON v.id = w.venue_id "
                                             "ORDER BY w.id")).all()
                    languages = conn.execute(text("SELECT languages FROM artist WHERE name_folded = :k"),
                                             {"k": naming.fold("Айгерім Сәрсенова")}).scalar_one()
                # two people, three venues: every spelling of a name joined one record
                assert sorted(a.name for a in artists) == ["Айгерім Сәрсенова", "Ерлан Касымов"] or \
                    sorted(a.name for a in artists) == ["Айгерім Сәрсенова", "Ерлан Қасымов"]
                assert len(venues) == 3
                assert {a.name_folded for a in artists} == {naming.fold("Айгерим Сарсенова"),
                                                            naming.fold("Ерлан Касымов")}
                # every workshop kept, pointing at its record, showing the record's name
                assert len(rows) == len(OLD_ROWS)
                assert [r[1] for r in rows[:4]] == ["Айгерім Сәрсенова"] * 4  # the spelling most workshops used
                assert all(r[1] == r[3] and r[2] == r[4] for r in rows)
                assert [r[2] for r in rows[:3]] == ["«Шабыт» мәдениет үйі"] * 3
                assert sorted(languages if isinstance(languages, list) else __import__("json").loads(languages)) \
                    == ["kk", "ru"]
                downgrade(revision=BEFORE)  # and back: the free text is still there
                with db.engine.connect() as conn:
                    assert conn.execute(text("SELECT count(*) FROM workshop")).scalar_one() == len(OLD_ROWS)
            finally:
                db.session.remove()
                db.engine.dispose()


def test_the_migration_folds_like_the_application():
    """The migration holds a copy of outreach/naming.py's tables (migrations import no application code)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "2026_12_07_02_artists.py"
    spec = importlib.util.spec_from_file_location("artists_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ["Айгерім Сәрсенова", "Aйгерим  Сарсенова", "ҚАЗЫНА «Өнер» — үйі", "Ёлка Һ", "Xi Yo"]:
        assert module.fold(name) == naming.fold(name)
