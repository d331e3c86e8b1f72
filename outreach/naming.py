"""How names of people and places are compared: one spelling-insensitive key per name (`fold`).

In Kazakhstan one person is written the Kazakh and the Russian way (Айгерім Сәрсенова, Айгерим Сарсенова), and
Latin letters that look like Cyrillic ones slip in from keyboards (Aйгерим with a Latin A). `fold` gives all of
them the same key: Unicode NFKC, Latin look-alikes to Cyrillic, case folded, the Kazakh letters to the Russian
letters they are read as (і/и, ә/а, ө/о, ү/ұ/у, қ/к, ғ/г, ң/н, һ/х) and ё/е, quotes dropped, dashes and spaces
made one. The key is for comparing only; the name is shown as it was typed.

The data migration `2026_12_07_artists` holds a copy of these tables (migrations import no application code);
tests/artists/test_naming.py checks that the two agree.
"""
from __future__ import annotations

import unicodedata

#: Latin letters drawn like Cyrillic ones (upper case first: a Latin H is Н, a Latin h is һ)
LOOKALIKES = str.maketrans({
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У",
    "a": "а", "c": "с", "e": "е", "h": "һ", "i": "і", "k": "к", "o": "о", "p": "р", "x": "х", "y": "у",
})
#: Kazakh letters and ё, as the Russian letter they are written with
VARIANTS = str.maketrans({"і": "и", "ә": "а", "ө": "о", "ү": "у", "ұ": "у", "қ": "к", "ғ": "г", "ң": "н",
                          "һ": "х", "ё": "е"})
PUNCTUATION = str.maketrans({"«": None, "»": None, '"': None, "“": None, "”": None, "„": None, "'": None,
                             "’": None, "–": "-", "—": "-", "‑": "-"})


#: Letters whose lower case is not one letter, or is another letter in the Kazakh Latin alphabet (İ i, I ı):
#: `'İ'.casefold()` is i + a combining dot, which no typed "i" finds
TURKIC_I = str.maketrans({"İ": "I", "ı": "i"})


def casefold(text: str | None) -> str:
    """Text as searches compare it: NFC, case folded in full (ß → ss, the ligature ﬁ → fi, İ → i), NFC again."""
    text = unicodedata.normalize("NFC", text or "").translate(TURKIC_I)
    return unicodedata.normalize("NFC", text.casefold())


def fold(name: str | None) -> str:
    """The comparison key of a name: `Айгерім Сәрсенова`, `Айгерим Сарсенова`, `Aйгерим  Сарсенова` → one key."""
    text = unicodedata.normalize("NFKC", name or "").translate(TURKIC_I).translate(PUNCTUATION).translate(LOOKALIKES)
    return " ".join(text.casefold().translate(VARIANTS).split())


def clean(name: str | None) -> str:
    """A name as it is kept: trimmed, inner runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())
