#!/usr/bin/env python3
"""Parse every template before the messages are extracted: Babel's Jinja extractor skips a template it
cannot parse without a word, and `make translations` would then drop all of its strings from the catalogs."""
import sys
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError

ROOT = Path(__file__).resolve().parent.parent


def broken_templates(root: Path = ROOT) -> list[str]:
    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.loopcontrols"])
    problems = []
    for path in sorted((root / "templates").rglob("*.html")):
        try:
            env.parse(path.read_text(encoding="utf-8"))
        except TemplateSyntaxError as error:
            problems.append(f"{path.relative_to(root)}:{error.lineno}: {error.message}")
    return problems


if __name__ == "__main__":
    found = broken_templates()
    for line in found:
        print(line, file=sys.stderr)
    sys.exit(1 if found else 0)
