"""The plan of the house (ARCHITECTURE.md) that a reader cannot see in one file."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "outreach"


def _local_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for function in ast.walk(ast.parse(path.read_text())):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                found += [(node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def test_no_function_local_import_of_the_apps_own_modules():
    """Imports of outreach.* are at the top of the module (the factory in outreach/app.py removed the cycle)."""
    own = [f"{path.relative_to(PACKAGE.parent)}:{line} {module}"
           for path in sorted(PACKAGE.rglob("*.py"))
           for line, module in _local_imports(path)
           if module.startswith(("outreach", "."))]
    assert own == []


def test_lazy_imports_are_heavy_libraries_and_say_why():
    """Only openpyxl, WeasyPrint, brotli and defusedxml load inside a function, each with its reason beside it."""
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text().splitlines()
        for line, module in _local_imports(path):
            assert module.split(".")[0] in {"openpyxl", "weasyprint", "brotli", "defusedxml"}, (path, line, module)
            start = line - 1  # the group of imports this one belongs to, and the comment line above it
            while start > 0 and lines[start - 1].strip().startswith(("import ", "from ", "try:")):
                start -= 1
            group = lines[max(0, start - 1):line]
            assert any("#" in text for text in group), f"{path}:{line} {module}: say in a comment why it is here"


def test_only_the_unit_of_work_registers_sqlalchemy_hooks():
    """One module owns the transaction's life (outreach/unitofwork.py); nothing else listens to SQLAlchemy,
    reads SQL text to guess what a statement does, or reaches into SQLAlchemy's private state."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "unitofwork.py" and path.parent == PACKAGE:
            continue
        source = path.read_text()
        for needle in ("listens_for", "event.listen", "from sqlalchemy import event", "_connections",
                       "before_cursor_execute"):
            assert needle not in source, f"{path.relative_to(PACKAGE.parent)}: {needle}"
