"""App factory, configuration, and migrations matching the models."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from outreach import create_app
from outreach.config import load_settings
from outreach.extensions import db
from outreach.schools.models import Region


def test_production_requires_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_settings(tmp_path)


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
