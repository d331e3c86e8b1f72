"""The plan of the house (ARCHITECTURE.md) that a reader cannot see in one file."""
from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
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


def _contracts() -> list[dict]:
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def _layer_modules(layer: str) -> set[str]:
    return {part.strip().strip("()") for part in layer.replace("|", ":").split(":")}


def test_every_package_and_module_is_in_the_contracts():
    """lint-imports checks only what its contracts name: every package under outreach/ is a layer of the house and
    a container whose every module has its layer (exhaustive), and every top-level module is a layer of the house."""
    contracts = {contract["id"]: contract for contract in _contracts()}
    house = set().union(*(_layer_modules(layer) for layer in contracts["house"]["layers"]))
    containers = {name for contract in contracts.values() if contract.get("exhaustive")
                  for name in contract.get("containers", [])}
    packages = sorted(path.parent for path in PACKAGE.glob("*/__init__.py"))
    modules = sorted(path for path in PACKAGE.glob("*.py") if path.name != "__init__.py")
    missing = [f"outreach.{path.name}" for path in packages + modules if f"outreach.{path.stem}" not in house]
    assert missing == [], f"not a layer of the house (pyproject.toml [tool.importlinter]): {missing}"
    unchecked = [f"outreach.{path.name}" for path in packages if f"outreach.{path.name}" not in containers]
    assert unchecked == [], f"not a container of an exhaustive layers contract: {unchecked}"


def test_the_layers_hold():
    """The contracts themselves (what `make test` runs first), so a plain pytest run keeps them too."""
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter), "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_no_module_over_500_lines():
    """A module a reader can hold in mind: split by what the code is about before one passes 500 lines."""
    long = {str(path.relative_to(PACKAGE.parent)): n for path in sorted(PACKAGE.rglob("*.py"))
            if (n := len(path.read_text().splitlines())) > 500}
    assert long == {}
