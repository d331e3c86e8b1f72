from __future__ import annotations

import pytest
from flask_migrate import upgrade

from outreach.app import create_app
from outreach.extensions import db
from tests.conftest import TEST_CONFIG, IsolatedClient


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file of its own (in a folder of its own, to take away), with a short busy timeout."""
    folder = tmp_path / "data"
    folder.mkdir()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'outreach.sqlite'}",
                      "DATABASE_BUSY_TIMEOUT": 0.3})
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
        yield app, folder
        db.session.remove()
        db.engine.dispose()
