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


# --- who may do what is named once (outreach/access/) ------------------------------------------------------

ROLE_NAMES = {"ADMIN", "COORDINATOR", "SCHOOL", "FUNDER", "ARTIST", "STAFF", "ALL_ROLES", "TAKES_ATTENDANCE", "ROLES"}
ROLE_LITERALS = {"admin", "coordinator", "school", "funder", "artist"}
#: where roles are defined and data about them is kept: the access rules, the account model, the accounts
#: pages (their forms list the roles), the demo data and the commands that create accounts
ROLES_ALLOWED = ("access/", "auth/models.py", "auth/account_forms.py", "demo.py", "cli.py")
ACCESS_ONLY = {"role_required", "require_role", "has_role"}


def _is_role_read(node: ast.AST) -> bool:
    """`x.role`, `role`, or `getattr(x, "role", ...)`."""
    if isinstance(node, ast.Attribute) and node.attr == "role":
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        return len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "role"
    return False


def _role_literals(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in ROLE_LITERALS
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_role_literals(e) for e in node.elts)
    return False


def role_uses(source: str) -> list[tuple[int, str]]:
    """Where a module names a role: role constants imported from or read on outreach.access, role-checking
    helpers that only access/ may use, and `.role` compared with role strings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "outreach.access":
            found += [(node.lineno, alias.name) for alias in node.names if alias.name in ROLE_NAMES | ACCESS_ONLY]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "access" \
                and node.attr in ROLE_NAMES | ACCESS_ONLY:
            found.append((node.lineno, f"access.{node.attr}"))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_role_read(side) for side in sides) and any(_role_literals(side) for side in sides):
                found.append((node.lineno, "a role compared with a role string"))
    return found


def _allowed(path: Path) -> bool:
    relative = path.relative_to(PACKAGE).as_posix()
    return any(relative == allowed or (allowed.endswith("/") and relative.startswith(allowed))
               for allowed in ROLES_ALLOWED)


TEMPLATE_ROLE_CHECK = __import__("re").compile(r"current_user\.role\b|\brole\s*(==|!=|in|not in)\s*[('\"]")


def test_roles_are_named_in_access_only():
    """No module outside access/ (and the account model, accounts pages, demo and commands) names a role or
    compares one, and no template reads the user's role: views declare a capability (`@requires`), code and
    templates ask `can(...)` or access/'s questions."""
    found = [f"{path.relative_to(PACKAGE.parent)}:{line} {what}"
             for path in sorted(PACKAGE.rglob("*.py")) if not _allowed(path)
             for line, what in role_uses(path.read_text())]
    templates = PACKAGE.parent / "templates"
    found += [f"{path.relative_to(PACKAGE.parent)}:{number} {text.strip()[:80]}"
              for path in sorted(templates.rglob("*.html")) if not path.is_relative_to(templates / "accounts")
              for number, text in enumerate(path.read_text().splitlines(), 1) if TEMPLATE_ROLE_CHECK.search(text)]
    assert found == [], f"{len(found)} role uses outside access/:\n" + "\n".join(found)


def test_the_role_check_finds_what_it_looks_for():
    """The counter above can fail: it finds each kind of role use it forbids (the code of before #24)."""
    before = '''
from outreach.access import ADMIN, STAFF, role_required
from outreach import access

@role_required(*STAFF)
def view(): ...

def check(actor):
    if getattr(actor, "role", None) not in ("admin", "coordinator", "school"):
        raise Forbidden()
    return actor.role == access.SCHOOL or actor.role == "funder"
'''
    assert sorted(role_uses(before)) == [
        (2, "ADMIN"), (2, "STAFF"), (2, "role_required"), (9, "a role compared with a role string"),
        (11, "a role compared with a role string"), (11, "access.SCHOOL")]
    assert role_uses("kind = 'artist'\nif clash.kind == ARTIST: pass\nrole = user.role\n") == []
    assert TEMPLATE_ROLE_CHECK.search("{% if current_user.role == 'school' %}")
    assert not TEMPLATE_ROLE_CHECK.search("{% if can('KEEP_ROSTER') %}{{ field(form.role) }}")


def test_every_endpoint_declares_a_capability_or_is_public(app):
    """Each view says what it needs (`@requires(CAPABILITY)`), or is listed in access.PUBLIC."""
    from outreach.access import CAPABILITIES, PUBLIC, capability_of

    undeclared = sorted(endpoint for endpoint, view in app.view_functions.items()
                        if capability_of(view) is None and endpoint not in PUBLIC)
    assert undeclared == [], "endpoints without a capability: " + ", ".join(undeclared)
    assert PUBLIC <= set(app.view_functions), sorted(PUBLIC - set(app.view_functions))
    declared = {capability_of(view) for view in app.view_functions.values()} - {None}
    assert declared <= set(CAPABILITIES.values())
