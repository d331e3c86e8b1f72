"""Fixtures for the roster tests: stored imports go to a temporary directory."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def imports_dir(app, tmp_path, monkeypatch):
    """Rows kept between preview and confirmation land in tmp_path, not in instance/."""
    directory = tmp_path / "imports"
    monkeypatch.setitem(app.config, "IMPORTS_DIR", str(directory))
    return directory
