"""The migrations: dated names in revision order, one head, none importing the application; and every revision
upgrades to the head with its data, and downgrades with data in the tables."""
from __future__ import annotations

import ast
import os
import re
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Iterator

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from outreach import demo
from outreach.app import create_app
from outreach.artists.models import Artist, Unavailability
from outreach.attendance.models import AttendanceBatch
from outreach.auth.models import ApiToken, Invitation, PasswordReset, User
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.notifications.models import NoticeSent, OutboxMessage
from outreach.reports.models import ImpactPending
from outreach.schools.models import School
from outreach.students.models import HeldSearch, ImportPreview
from tests.conftest import TEST_CONFIG
from tests.servers import scratch_postgres

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
DATED = re.compile(r"(\d{4})_(\d{2})_(\d{2})_(?:\d{2}_)?[a-z0-9_]+\.py")


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(VERSIONS.parent))
    return ScriptDirectory.from_config(config)


def test_one_head_and_file_names_dated_in_revision_order():
    scripts = _scripts()
    assert len(scripts.get_heads()) == 1
    chain = list(reversed(list(scripts.walk_revisions())))  # base first
    names = [Path(revision.path).name for revision in chain]
    assert all(DATED.fullmatch(name) for name in names), names
    # a directory listing is the chain: dates never go back, and a day with several is numbered in chain order
    assert names == sorted(names)


def test_no_migration_imports_the_application():
    for path in VERSIONS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m == "outreach" or m.startswith("outreach.") for m in modules), (path.name, modules)


@contextmanager
def _scratch_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own: SQLite in tmp_path, or a scratch PostgreSQL database beside TEST_DATABASE_URL's."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        with scratch_postgres("revisions") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'revisions.sqlite'}"


def _rows() -> dict[str, set[tuple]]:
    """Every table's primary keys (the alembic bookkeeping left out)."""
    found: dict[str, set[tuple]] = {}
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            key = inspector.get_pk_constraint(table)["constrained_columns"]
            columns = ", ".join(f'"{c}"' for c in key) or "*"
            found[table] = set(map(tuple, conn.execute(text(f'SELECT {columns} FROM "{table}"'))))
    return found


def _the_rest_of_the_tables() -> None:
    """A row or two in each table the demo programme leaves empty (tokens, links, the outbox, held searches ...)."""
    user = db.session.scalars(select(User).order_by(User.id)).first()
    school = db.session.scalars(select(School).order_by(School.id)).first()
    artist = db.session.scalars(select(Artist).order_by(Artist.id)).first()
    now = utcnow()
    later = now + timedelta(days=1)
    db.session.add_all([
        ApiToken(user_id=user.id, token_hash="a" * 64, expires_at=later),
        Invitation(user_id=user.id, token_hash="b" * 64, expires_at=later),
        PasswordReset(user_id=user.id, token_hash="c" * 64, expires_at=later),
        Unavailability(artist_id=artist.id, starts_at=now, ends_at=later, reason="leave"),
        AttendanceBatch(user_id=user.id, key="batch-1", digest="d" * 64, result={"applied": 0}),
        OutboxMessage(recipient_id=user.id, to_email="a@example.kz", locale="kk", kind="test", subject="s",
                      body="b"),
        NoticeSent(key="test:1"),
        ImportPreview(token="t" * 43, user_id=user.id, school_id=school.id, rows=[], expires_at=later),
        HeldSearch(token="h" * 32, user_id=user.id, text="Ай", expires_at=later),
    ])


def test_upgrade_from_every_revision_with_data(tmp_path):
    """A database at any revision, holding data, upgrades to the head with its rows intact; and every
    downgrade runs with data in the tables, down to an empty schema.

    The data: the demo programme seeded at the head (every table the application fills), then carried down one
    revision at a time by the downgrades; from each revision the database goes up to the head again and every
    row it held at that revision is still there (tables dropped on the way up excepted)."""
    chain = [revision.revision for revision in reversed(list(_scripts().walk_revisions()))]  # base first
    with _scratch_database(tmp_path) as url:
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            try:
                upgrade()
                demo.seed()
                _the_rest_of_the_tables()
                db.session.commit()
                # a change the report's upkeep has not applied yet (in a transaction of its own: the seed's drain
                # after its commit would have applied it)
                db.session.add(ImpactPending(kind="school", ident=1, queued_at=utcnow()))
                db.session.commit()
                empty = sorted(table for table, keys in _rows().items() if not keys)
                assert empty == [], f"a table without a row would prove nothing: {empty}"
                db.session.remove()
                for index in range(len(chain) - 2, -1, -1):  # the revision below the head … the first
                    revision = chain[index]
                    downgrade(revision=revision)
                    held = _rows()
                    assert sum(map(len, held.values())) > 0, revision
                    upgrade()
                    now = _rows()
                    lost = {table: len(keys - now[table]) for table, keys in held.items()
                            if table in now and keys - now[table]}
                    assert lost == {}, f"upgrading from {revision} lost rows: {lost}"
                    downgrade(revision=revision)
                downgrade(revision="base")
                assert set(_rows()) == set(), "the first revision's downgrade leaves tables behind"
            finally:
                db.session.remove()
                db.engine.dispose()
