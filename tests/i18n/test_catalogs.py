"""The catalogs are complete: up to date with the code, no untranslated or fuzzy entries, msgfmt-clean."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "translations"


def _catalog(lang: str):
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_template_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"), "--ignore-dirs", ".*",
                    "-k", "_l", "-k", "lazy_gettext", "-k", "_ln:1,2", "-k", "lazy_ngettext:1,2",
                    "-k", "_lp:1c,2", "-k", "lazy_pgettext:1c,2", "-o", str(fresh), "--no-location", "--omit-header",
                    "--sort-output", "."],
                   check=True, cwd=ROOT, capture_output=True)
    with open(fresh, "rb") as f:
        extracted = {(m.id, m.context) for m in read_po(f) if m.id}
    assert len(extracted) > 100, "the extraction found (almost) nothing: check babel.cfg"
    for lang in ("kk", "ru", "en"):
        known = {(m.id, m.context) for m in _catalog(lang) if m.id}
        missing = sorted(str(m) for m in extracted - known)
        assert not missing, f"{lang}: run `make translations`; not in the catalog: {missing[:10]}"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_untranslated_or_fuzzy_entries(lang):
    problems = []
    for message in _catalog(lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(strings):
            problems.append(str(message.id))
    assert not problems, f"{lang}: untranslated or fuzzy: {problems[:10]}"


def test_russian_has_three_plural_forms():
    catalog = _catalog("ru")
    assert catalog.num_plurals == 3
    for message in catalog:
        if message.pluralizable and message.id:
            assert len(message.string) == 3 and all(message.string), message.id


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt is installed by make test")
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_msgfmt_check(lang):
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null",
                             str(CATALOGS / lang / "LC_MESSAGES" / "messages.po")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
