"""Alphabetical order in the page's language — Kazakh on kk pages, Russian on ru pages — on SQLite and PostgreSQL.

PostgreSQL sorts with its ICU collations (`kk-KZ-x-icu`, `ru-RU-x-icu`; English pages use the Russian order). SQLite has no ICU, and
PyICU has no wheel on PyPI (it needs libicu-dev and a compiler on every machine), so on SQLite a collation of
the same name is registered on every connection, backed by `sort_key` below: a small multi-level key that
reproduces what ICU does with the names this application holds (Cyrillic and Latin letters, digits, spaces
and punctuation). tests/i18n/test_collation.py checks it against PostgreSQL's ICU on the same lists.

Three ways to use it:
- a short list in Python: `sorted(regions, key=lambda r: sort_key(r.name))`;
- a query over a few hundred rows: `.order_by(*by_name(Student.last_name, Student.first_name))`;
- the long lists (every student, every school: 300,000 and 7,500 at national scale) keep the key in indexed
  columns (`sort_kk`, `sort_ru`, byte order) written by `stored_key`, because a collation called per
  comparison takes seconds there: `.order_by(stored_order(Student))`.
"""
from __future__ import annotations

import sqlite3
import unicodedata
from functools import lru_cache
from typing import Any

from sqlalchemy import String

from outreach.i18n import current_language

#: The Kazakh Cyrillic alphabet (glossary order): Ә after А, Ғ after Г, Қ after К, Ң after Н, Ө after О,
#: Ұ Ү after У, Һ after Х, І after Ы.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
#: The Russian alphabet (ё is е with a mark: it differs only when everything else is equal), with the
#: Kazakh letters where ICU's common Cyrillic order has them (next to the letter they are made from).
RUSSIAN_ALPHABET = "аәбвгғдежзиійкқлмнңоөпрстуүұфхһцчшщъыьэюя"

# English pages list Cyrillic names: they use the Russian order (ICU's common order, Cyrillic first)
COLLATIONS = {"kk": "kk-KZ-x-icu", "ru": "ru-RU-x-icu", "en": "ru-RU-x-icu"}
_SQLITE_COLLATIONS = {"kk": "kk-KZ-x-icu", "ru": "ru-RU-x-icu"}

# Primary groups, in ICU's order: spaces, punctuation, symbols, digits, then the scripts. Kazakh and Russian
# put Cyrillic before Latin (ICU's root order would put Latin first).
_SPACE, _PUNCT, _SYMBOL, _DIGIT, _FIRST_SCRIPT, _SECOND_SCRIPT, _OTHER = range(7)
# Spaces, punctuation and symbols in the order ICU gives them (read from PostgreSQL's ICU 72)
_VARIABLE = {ch: index for index, ch in enumerate(
    "\t \xa0_-‐–—,;:!?.…'‘’‚‹›\"“”„«»()[]{}§¶@*/\\&#%`´^¨°©®+±÷×<=>|~¤$£¥€₸")}
# Latin letters with a stroke have no decomposition; ICU sorts them with their base letter
_LATIN_MARKED = {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i"}
# Letters ICU sorts as two (ligatures with a compatibility decomposition, ﬁ → fi, go through NFKD below)
_EXPANSIONS = {"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"}


class _Rules:
    def __init__(self, alphabet: str, cyrillic_first: bool, marked: dict[str, str]):
        self.rank = {letter: index for index, letter in enumerate(alphabet)}
        self.cyrillic = _FIRST_SCRIPT if cyrillic_first else _SECOND_SCRIPT
        self.latin = _SECOND_SCRIPT if cyrillic_first else _FIRST_SCRIPT
        self.marked = marked  # letter → (the letter it sorts with); it differs at the second level


_RULES = {
    "kk": _Rules(KAZAKH_ALPHABET, True, {}),
    "ru": _Rules(RUSSIAN_ALPHABET, True, {"ё": "е"}),
}


def _weights(ch: str, rules: _Rules, out: tuple[list, list, list]) -> None:
    primary, secondary, tertiary = out
    lower = ch.lower()
    if len(lower) != 1:  # 'İ'.lower() is i + a combining dot: weigh the letter and its mark (I, then the dot)
        decomposed = unicodedata.normalize("NFKD", ch)
        for part in decomposed if decomposed != ch else lower:
            _weights(part, rules, out)
        return
    if lower in _EXPANSIONS:  # ß sorts as ss (after it, at the third level), as in ICU
        for part in _EXPANSIONS[lower]:
            _weights(part.upper() if lower != ch else part, rules, out)
        tertiary[-1] += 2
        return
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


def _as_text(primary: list, secondary: list, tertiary: list) -> tuple[str, str, str]:
    """The weights as text that compares like them: one character per weight (unlisted symbols and other
    scripts share a weight within their group; the text itself breaks such ties)."""
    return ("".join(chr(0x100 + group * 0x100 + min(rank, 0xFF)) for group, rank in primary),
            "".join(chr(0x21 + min(value, 0x5D)) for value in secondary),
            "".join(chr(0x21 + min(value, 0x5D)) for value in tertiary))


@lru_cache(maxsize=None)
def _tables(language: str) -> tuple[frozenset, dict, dict, dict]:
    """Per language, the characters names are made of, each mapped to its three weights (str.translate)."""
    rules = _RULES[language]
    chars = set(rules.rank) | {c.upper() for c in rules.rank} | set(rules.marked) | {c.upper() for c in rules.marked}
    chars |= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") | set(_VARIABLE)
    tables: tuple[dict, dict, dict] = ({}, {}, {})
    for ch in chars:
        out: tuple[list, list, list] = ([], [], [])
        _weights(ch, rules, out)
        for table, text in zip(tables, _as_text(*out)):
            table[ord(ch)] = text
    return frozenset(chars), *tables


@lru_cache(maxsize=65536)
def _key(text: str, language: str) -> tuple[str, str, str, str]:
    language = language if language in _RULES else "ru"
    text = unicodedata.normalize("NFC", text)
    known, primary, secondary, tertiary = _tables(language)
    if known.issuperset(text):  # the usual name: three C-speed translations
        return text.translate(primary), text.translate(secondary), text.translate(tertiary), text
    out: tuple[list, list, list] = ([], [], [])
    for ch in text:
        _weights(ch, _RULES[language], out)
    # letters first, then marks, then case (lower before upper), then the code points, as PostgreSQL breaks ties
    return (*_as_text(*out), text)


def sort_key(text: str | None, language: str | None = None) -> tuple:
    """A key that sorts names in the alphabet of `language` (default: the current page's language)."""
    if language is None:
        language = current_language()
    return _key(text or "", language)


def collation_name(language: str | None = None) -> str:
    if language is None:
        language = current_language()
    return COLLATIONS.get(language, COLLATIONS["ru"])


def by_name(*columns: Any, language: str | None = None) -> list[Any]:
    """ORDER BY terms that sort these text columns alphabetically in the page's language (NULLs last)."""
    name = collation_name(language)
    return [column.collate(name).nulls_last() for column in columns]


# A stored key is the multi-level key written as text that sorts by code point (SQLite's BINARY, PostgreSQL's
# "C"): one character per weight, levels separated by \x02, the parts (last name, first name) by \x01.
_LEVEL, _PART = "\x02", "\x01"  # (PostgreSQL text holds no NUL)
STORED_KEY_LENGTH = 1000


def _encode(key: tuple) -> str:
    primary, secondary, tertiary, _text = key
    return primary + _LEVEL + secondary + _LEVEL + tertiary


def stored_key(language: str, *parts: str | None) -> str | None:
    """The sort key of these names (e.g. last name, first name) in `language`, for a `sort_<language>` column."""
    if all(part is None for part in parts):
        return None
    return _PART.join(_encode(_key(part or "", language)) for part in parts)[:STORED_KEY_LENGTH]


STORED_LANGUAGES = ("kk", "ru")  # English pages use the Russian key, as they use the Russian collation


def stored_order(model: Any, language: str | None = None) -> Any:
    """ORDER BY term for a model with sort_kk/sort_ru columns, in the page's language (NULLs — erased — last)."""
    if language is None:
        language = current_language()
    column = getattr(model, "sort_kk" if language == "kk" else "sort_ru")
    return column.nulls_last()


def sort_key_column():
    """The column type of a stored key: byte order on PostgreSQL too, whatever the database's locale."""
    return String(STORED_KEY_LENGTH).with_variant(String(STORED_KEY_LENGTH, collation="C"), "postgresql")


def _comparator(language: str):
    def compare(a: str, b: str) -> int:
        ka, kb = _key(a, language), _key(b, language)
        return (ka > kb) - (ka < kb)
    return compare


def register_sqlite_collations(dbapi_connection: sqlite3.Connection) -> None:
    """SQLite: the ICU collation names PostgreSQL knows, backed by sort_key (outreach/unitofwork.py calls this
    on every new connection)."""
    for language, name in _SQLITE_COLLATIONS.items():
        dbapi_connection.create_collation(name, _comparator(language))
