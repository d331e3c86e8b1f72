"""E-mail addresses as people type them: one spelling per address, no look-alike letters."""
from __future__ import annotations

import unicodedata


class AddressRefused(ValueError):
    """The address mixes scripts (a look-alike of another address) or is empty."""


def _scripts(text: str) -> set[str]:
    scripts = set()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            scripts.add("latin")
        elif name.startswith("CYRILLIC"):
            scripts.add("cyrillic")
        else:
            scripts.add("other")
    return scripts


def mixes_scripts(email: str) -> bool:
    """True when the local part or a label of the domain holds both Latin and Cyrillic letters
    (`school2@exаmple.org` with a Cyrillic «а»); an all-Cyrillic part beside a Latin one is fine."""
    local, _at, domain = email.rpartition("@")
    parts = [local, *domain.split(".")] if _at else [email]
    return any({"latin", "cyrillic"} <= _scripts(part) for part in parts)


def clean(email: str) -> str:
    """The address to keep and write to: NFKC, no surrounding space, the domain lower-cased."""
    text = unicodedata.normalize("NFKC", email or "").strip()
    local, at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}" if at else text


def key(email: str) -> str:
    """The unique form of an address: two spellings that differ only by case or Unicode form are one account."""
    return clean(email).lower()


def checked(email: str) -> str:
    """clean(email), refusing an address that mixes Latin and Cyrillic letters."""
    text = clean(email)
    if mixes_scripts(text):
        raise AddressRefused(text)
    return text
