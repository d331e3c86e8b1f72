"""App factory, configuration, and migrations matching the models."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from outreach.app import create_app
from outreach.config import SettingsError, load_settings
from outreach.extensions import db
from outreach.schools.models import Region

ROOT = Path(__file__).resolve().parent.parent


def test_production_requires_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_settings(tmp_path)


@pytest.mark.parametrize("typo", ["prod", "prodution", "staging", ""])
def test_an_unknown_environment_refuses_to_start(monkeypatch, tmp_path, typo):
    monkeypatch.setenv("OUTREACH_ENV", typo)
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    with pytest.raises(SettingsError, match="OUTREACH_ENV") as refused:
        load_settings(tmp_path)
    assert "development, production" in str(refused.value)
    assert not (tmp_path / "secret_key").exists()  # no key generated for a server that does not start


def test_production_needs_a_long_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(SettingsError, match="SECRET_KEY has 5 bytes; production needs at least 32"):
        load_settings(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "é" * 16)  # 32 bytes in UTF-8
    monkeypatch.setenv("OUTREACH_BASE_URL", "https://outreach.example.kz")
    assert load_settings(tmp_path)["OUTREACH_ENV"] == "production"


def test_every_wrong_setting_is_named_at_once(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("OUTREACH_BASE_URL", raising=False)
    with pytest.raises(SettingsError) as refused:
        load_settings(tmp_path)
    assert "SECRET_KEY must be set" in str(refused.value)
    assert "OUTREACH_BASE_URL must be set" in str(refused.value)


def test_a_wrong_setting_stops_the_command_with_one_clear_line(tmp_path):
    env = {**os.environ, "OUTREACH_ENV": "prod", "OUTREACH_INSTANCE_PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "routes"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert "OUTREACH_ENV='prod' is not known: set it to one of development, production" in done.stderr
    assert "Traceback" not in done.stderr


def test_local_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTREACH_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_settings(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32
    assert load_settings(tmp_path)["SECRET_KEY"] == first


def test_database_url_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@localhost/outreach")
    assert load_settings(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/outreach"
    monkeypatch.delenv("DATABASE_URL")
    assert load_settings(tmp_path)["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_factory_takes_a_config_mapping():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["TESTING"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_migrations_at_head_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_regions_are_reference_data_from_the_migration(app):
    regions = db.session.scalars(select(Region)).all()
    assert len(regions) == 20
    cities = {r.code: r.name_kk for r in regions if r.kind == "city"}
    assert cities == {"KZ-71": "Астана", "KZ-75": "Алматы", "KZ-79": "Шымкент"}
    assert all(r.name_kk and r.name_ru and r.name_en for r in regions)


def test_database_refuses_overbooking_even_without_the_service(app):
    """CHECK (seats_taken BETWEEN 0 AND capacity) is in the database itself."""
    from sqlalchemy.exc import IntegrityError
    from tests.factories import make_workshop

    workshop = make_workshop(capacity=2)
    db.session.commit()
    workshop.seats_taken = 3
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_readme_lists_every_setting_read_from_the_environment():
    source = (ROOT / "outreach" / "config.py").read_text()
    names = set(re.findall(r'(?:os\.environ\.get|_bool)\("([A-Z][A-Z0-9_]*)"', source))
    readme = (ROOT / "README.md").read_text()
    assert names and not sorted(n for n in names if f"`{n}`" not in readme)
