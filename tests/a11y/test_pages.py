"""WCAG 2.1 AA on every page: axe-core (serious and critical violations fail) at 390 and 1280 px as every role,
and the Nu HTML checker (every error fails) on the same pages' HTML. Kazakh throughout; Russian and English
on a sample of pages."""
from __future__ import annotations

import pytest

from outreach.extensions import db
from tests.a11y import pagewalk
from tests.conftest import _clean
from tests.test_routes_table import ROWS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def walked(app, browser, tmp_path_factory):
    with app.app_context():
        try:
            result = pagewalk.walk(app, browser, ROWS, tmp_path_factory.mktemp("a11y-pages"))
        finally:
            db.session.remove()
            _clean(app)
    print(f"\naxe: {len(result.pages)} pages, {len(result.violations)} violations "
          f"({len(result.failing())} serious/critical) in {result.seconds:.0f} s "
          f"(axe itself {result.axe_seconds:.0f} s)")
    return result


def test_every_page_of_the_route_table_was_walked(walked):
    assert walked.unreachable == []
    roles = {role for role, _lang, _path in walked.pages}
    assert roles == set(pagewalk.ROLES)
    assert len(walked.pages) > 60


def test_no_serious_or_critical_axe_violation(walked):
    failing = walked.failing()
    assert not failing, f"{len(failing)} serious/critical axe violations:\n" + pagewalk.summary(failing)


def test_nu_html_checker_finds_no_error(walked):
    errors = pagewalk.nu_check(walked.html_dir)
    by_message: dict[str, list[str]] = {}
    for e in errors:
        by_message.setdefault(e["message"], []).append(e["file"])
    assert not errors, f"{len(errors)} Nu checker errors:\n" + "\n".join(
        f"{len(files)}× {message} (e.g. {files[0]})" for message, files in sorted(by_message.items(),
                                                                                 key=lambda kv: -len(kv[1])))
