"""The migrations as files: dated names in revision order, one head, none importing the application."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.config import Config

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
