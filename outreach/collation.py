"""Alphabetical order in the page's language — Kazakh on kk pages, Russian on ru pages — on SQLite and PostgreSQL.

PostgreSQL sorts with its ICU collations (`kk-KZ-x-icu`, `ru-RU-x-icu`, `und-x-icu`). SQLite has no ICU, and
PyICU has no wheel on PyPI (it needs libicu-dev and a compiler on every machine), so on SQLite a collation of
the same name is registered on every connection, backed by `sort_key` below: a small multi-level key that
reproduces what ICU does with the names this application holds (Cyrillic and Latin letters, digits, spaces
and punctuation). tests/test_collation.py checks it against PostgreSQL's ICU on the same lists.

    select(Student).order_by(*by_name(Student.last_name, Student.first_name))
    sorted(regions, key=lambda r: sort_key(r.name))
"""
from __future__ import annotations

import sqlite3
import unicodedata
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

#: The Kazakh Cyrillic alphabet (glossary order): Ә after А, Ғ after Г, Қ after К, Ң after Н, Ө after О,
#: Ұ Ү after У, Һ after Х, І after Ы.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
#: The Russian alphabet (ё is е with a mark: it differs only when everything else is equal), with the
#: Kazakh letters where ICU's common Cyrillic order has them (next to the letter they are made from).
RUSSIAN_ALPHABET = "аәбвгғдежзиійкқлмнңоөпрстуүұфхһцчшщъыьэюя"

COLLATIONS = {"kk": "kk-KZ-x-icu", "ru": "ru-RU-x-icu", "en": "und-x-icu"}

# Primary groups, in ICU's order: spaces, punctuation, symbols, digits, then the scripts. Kazakh and Russian
# put Cyrillic before Latin; the root order (English pages) has Latin first.
_SPACE, _PUNCT, _SYMBOL, _DIGIT, _FIRST_SCRIPT, _SECOND_SCRIPT, _OTHER = range(7)
# Spaces, punctuation and symbols in the order ICU gives them (read from PostgreSQL's ICU 72)
_VARIABLE = {ch: index for index, ch in enumerate(
    "\t \xa0_-‐–—,;:!?.…'‘’‚‹›\"“”„«»()[]{}§¶@*/\\&#%`´^¨°©®+±÷×<=>|~¤$£¥€₸")}
# Latin letters with a stroke have no decomposition; ICU sorts them with their base letter
_LATIN_MARKED = {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i"}


class _Rules:
    def __init__(self, alphabet: str, cyrillic_first: bool, marked: dict[str, str]):
        self.rank = {letter: index for index, letter in enumerate(alphabet)}
        self.cyrillic = _FIRST_SCRIPT if cyrillic_first else _SECOND_SCRIPT
        self.latin = _SECOND_SCRIPT if cyrillic_first else _FIRST_SCRIPT
        self.marked = marked  # letter → (the letter it sorts with); it differs at the second level


_RULES = {
    "kk": _Rules(KAZAKH_ALPHABET, True, {}),
    "ru": _Rules(RUSSIAN_ALPHABET, True, {"ё": "е"}),
    "en": _Rules(RUSSIAN_ALPHABET, False, {"ё": "е"}),
}


def _weights(ch: str, rules: _Rules, out: tuple[list, list, list]) -> None:
    primary, secondary, tertiary = out
    lower = ch.lower()
    case = 1 if lower != ch else 0
    if ch in _VARIABLE:
        primary.append((_PUNCT, _VARIABLE[ch]))
        secondary.append(0)
        tertiary.append(0)
    elif lower in rules.marked:
        primary.append((rules.cyrillic, rules.rank[rules.marked[lower]]))
        secondary.append(1)
        tertiary.append(case)
    elif lower in rules.rank:
        primary.append((rules.cyrillic, rules.rank[lower]))
        secondary.append(0)
        tertiary.append(case)
    elif "a" <= lower <= "z" or lower in _LATIN_MARKED:
        primary.append((rules.latin, ord(_LATIN_MARKED.get(lower, lower))))
        secondary.append(1 if lower in _LATIN_MARKED else 0)
        tertiary.append(case)
    elif ch.isdigit() and unicodedata.digit(ch, None) is not None:
        primary.append((_DIGIT, unicodedata.digit(ch)))
        secondary.append(0)
        tertiary.append(0)
    elif unicodedata.combining(ch):
        if secondary:
            secondary[-1] += 1 + unicodedata.combining(ch)
    else:
        decomposed = unicodedata.normalize("NFKD", ch)
        if decomposed != ch:  # é → e + mark, № → No: as ICU does
            for part in decomposed:
                _weights(part, rules, out)
            return
        category = unicodedata.category(ch)
        group = (_SPACE if ch.isspace() else _PUNCT if category[0] == "P"
                 else _SYMBOL if category[0] == "S" else _OTHER)
        primary.append((group, ord(ch)))
        secondary.append(0)
        tertiary.append(0)


@lru_cache(maxsize=65536)
def _key(text: str, language: str) -> tuple:
    rules = _RULES.get(language, _RULES["en"])
    out: tuple[list, list, list] = ([], [], [])
    for ch in unicodedata.normalize("NFC", text):
        _weights(ch, rules, out)
    # letters first, then marks, then case (lower before upper), then the code points, as PostgreSQL breaks ties
    return tuple(out[0]), tuple(out[1]), tuple(out[2]), text


def sort_key(text: str | None, language: str | None = None) -> tuple:
    """A key that sorts names in the alphabet of `language` (default: the current page's language)."""
    if language is None:
        from outreach.i18n import current_language

        language = current_language()
    return _key(text or "", language)


def collation_name(language: str | None = None) -> str:
    if language is None:
        from outreach.i18n import current_language

        language = current_language()
    return COLLATIONS.get(language, COLLATIONS["en"])


def by_name(*columns: Any, language: str | None = None) -> list[Any]:
    """ORDER BY terms that sort these text columns alphabetically in the page's language (NULLs last)."""
    name = collation_name(language)
    return [column.collate(name).nulls_last() for column in columns]


def _comparator(language: str):
    def compare(a: str, b: str) -> int:
        ka, kb = _key(a, language), _key(b, language)
        return (ka > kb) - (ka < kb)
    return compare


@event.listens_for(Engine, "connect")
def _register_sqlite_collations(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: the ICU collation names PostgreSQL knows, backed by sort_key, on every new connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        for language, name in COLLATIONS.items():
            dbapi_connection.create_collation(name, _comparator(language))
