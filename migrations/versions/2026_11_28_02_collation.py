"""student.sort_kk/sort_ru, school.sort_kk/sort_ru: the roster and the schools directory in alphabet order

Revision ID: 0008_collation
Revises: 0006_hardening

Lists sorted by name follow the alphabet of the page's language (Kazakh: Ә after А, Қ after К, Ұ Ү after У,
Һ after Х, І after Ы). Short lists sort with ICU collations on PostgreSQL and a registered collation on
SQLite (outreach.collation); the two long ones keep the key in indexed columns, filled here for existing
rows with the key as it was computed then (inlined below).
"""
import unicodedata
from functools import lru_cache

import sqlalchemy as sa
from alembic import op
from sqlalchemy import String

revision = "0008_collation"
down_revision = "0006_hardening"
branch_labels = None
depends_on = None

BATCH = 2000

# The sort keys as outreach/collation.py computed them when this migration was written, inlined: a migration
# must not import the application, whose code changes after it. (A later change of the key needs a migration of
# its own that recomputes the columns.)
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
# The Russian alphabet (ё is е with a mark: it differs only when everything else is equal), with the
# Kazakh letters where ICU's common Cyrillic order has them (next to the letter they are made from).
RUSSIAN_ALPHABET = "аәбвгғдежзиійкқлмнңоөпрстуүұфхһцчшщъыьэюя"

# Primary groups, in ICU's order: spaces, punctuation, symbols, digits, then the scripts. Kazakh and Russian
# put Cyrillic before Latin (ICU's root order would put Latin first).
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


def sort_key_column():
    """The column type of a stored key: byte order on PostgreSQL too, whatever the database's locale."""
    return String(STORED_KEY_LENGTH).with_variant(String(STORED_KEY_LENGTH, collation="C"), "postgresql")


def _backfill(conn, table, key_columns):
    rows = conn.execute(sa.select(table.c.id, *[table.c[c] for c in key_columns])).all()
    updates = []
    for ident, *names in rows:
        parts = names if any(n is not None for n in names) else [None]
        updates.append({"ident": ident, "kk": stored_key("kk", *parts), "ru": stored_key("ru", *parts)})
    statement = (table.update().where(table.c.id == sa.bindparam("ident"))
                 .values(sort_kk=sa.bindparam("kk"), sort_ru=sa.bindparam("ru")))
    for start in range(0, len(updates), BATCH):
        conn.execute(statement, updates[start:start + BATCH])


def upgrade():
    for name in ("student", "school"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("sort_kk", sort_key_column(), nullable=True))
            batch_op.add_column(sa.Column("sort_ru", sort_key_column(), nullable=True))
    conn = op.get_bind()
    student = sa.table("student", sa.column("id", sa.Integer), sa.column("last_name", sa.String),
                       sa.column("first_name", sa.String), sa.column("sort_kk", sa.String),
                       sa.column("sort_ru", sa.String))
    school = sa.table("school", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("sort_kk", sa.String), sa.column("sort_ru", sa.String))
    _backfill(conn, student, ["last_name", "first_name"])
    _backfill(conn, school, ["name"])
    for name in ("student", "school"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(f"ix_{name}_sort_kk", ["sort_kk"], unique=False)
            batch_op.create_index(f"ix_{name}_sort_ru", ["sort_ru"], unique=False)


def downgrade():
    # plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of school would trip the foreign keys
    for name in ("school", "student"):
        op.drop_index(f"ix_{name}_sort_ru", table_name=name)
        op.drop_index(f"ix_{name}_sort_kk", table_name=name)
        op.drop_column(name, "sort_ru")
        op.drop_column(name, "sort_kk")
