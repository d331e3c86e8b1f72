"""Everything about languages: the only place to import _, _l and ngettext from."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import localedata
from flask import current_app, g, has_request_context, request, session
from flask_babel import (force_locale, get_locale, gettext, lazy_gettext, lazy_ngettext, lazy_pgettext, ngettext,
                         pgettext)
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator

#: Supported languages, each named in its own language (for the switcher).
LANGUAGES: dict[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
DEFAULT_LANGUAGE = "kk"

_ = gettext
_l = lazy_gettext
_ln = lazy_ngettext
#: one English word with two meanings gets a context: _lp("students", "Search by name")
_lp = lazy_pgettext

__all__ = [
    "LANGUAGES", "DEFAULT_LANGUAGE", "_", "_l", "_ln", "_lp", "ngettext", "pgettext", "force_locale", "get_locale",
    "select_locale", "TranslatableText", "Localized", "localize", "fallback_order",
    "parse_accept_language",
]


def parse_accept_language(header: str | None) -> str | None:
    """Best supported language from an Accept-Language header (q-values, subtags)."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _sep, params = piece.partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0].split("_")[0]
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, index, primary))
    if not choices:
        return None
    return sorted(choices)[0][2]


def select_locale() -> str:
    """?lang= (remembered in the session), then the user's preference, then Accept-Language, then kk."""
    if not has_request_context():
        # commands and background work: messages for people are rendered with force_locale(recipient)
        return current_app.config.get("LOCALE_OUTSIDE_REQUESTS", DEFAULT_LANGUAGE)
    if "forced_locale" in g:
        return g.forced_locale
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in LANGUAGES:
        return remembered
    try:
        user = current_user
        if user and user.is_authenticated and getattr(user, "locale", None) in LANGUAGES:
            return user.locale
    except Exception:  # no login manager bound (some CLI contexts)
        pass
    return parse_accept_language(request.headers.get("Accept-Language")) or DEFAULT_LANGUAGE


def lowercase_kazakh_month_names() -> None:
    """Kazakh writes month names in lower case, also standing alone: «қыркүйек 2026» (calendar headings, chart
    labels, the PDF). CLDR's stand-alone forms — Babel's `LLLL` — are capitalised for kk; make them the same
    as the format forms once, in Babel's locale data, so every date formatted in Kazakh follows."""
    for kind in ("months", "days", "quarters"):
        stand_alone = localedata.load("kk").get(kind, {}).get("stand-alone", {})
        for width, value in list(stand_alone.items()):
            if width == "narrow":  # single letters (Қ, А, Н…): initials, not words
                continue
            if isinstance(value, tuple):  # (alias, overrides) as Babel merges inherited data
                alias, names = value
                stand_alone[width] = (alias, {key: name.lower() for key, name in names.items()})
            elif isinstance(value, dict):
                stand_alone[width] = {key: name.lower() for key, name in value.items()}


def select_timezone() -> str:
    return current_app.config.get("OUTREACH_TIMEZONE", "Asia/Almaty")


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def fallback_order(language: str | None = None) -> list[str]:
    """The viewer's language first, then kk → ru → en."""
    language = language or current_language()
    order = [language] + [code for code in ("kk", "ru", "en") if code != language]
    return order


class TranslatableText(TypeDecorator):
    """A text typed by people in up to three languages, stored as one JSON value."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = {DEFAULT_LANGUAGE: value}
        cleaned = {k: v.strip() for k, v in dict(value).items() if k in LANGUAGES and isinstance(v, str) and v.strip()}
        return cleaned

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return dict(value) if value else {}


@dataclass(frozen=True)
class Localized:
    text: str
    language: str | None
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        if not self.fallback or not self.language:
            return str(escape(self.text))
        return str(Markup('<span lang="{lang}">{text}</span><sup class="fallback-mark text-body-secondary" '
                          'title="{title}">{code}</sup>').format(
            lang=self.language, text=self.text, code=self.language,
            title=_("Shown in another language: no translation yet")))


def localize(value: dict | None, language: str | None = None) -> Localized:
    """Pick the text in the viewer's language, falling back kk → ru → en."""
    order = fallback_order(language)
    value = value or {}
    for code in order:
        text = value.get(code)
        if text:
            return Localized(text, code, code != order[0])
    return Localized("", None, False)


def completeness(value: dict | None) -> list[str]:
    """Languages in which a translatable text is filled in."""
    value = value or {}
    return [code for code in LANGUAGES if value.get(code)]
