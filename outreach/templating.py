"""Jinja filters and globals: Babel formatting, translated content, language links, pagination."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, request, url_for
from flask_babel import format_decimal, format_percent, format_time

from outreach import access
from outreach.auth.services import MIN_PASSWORD_LENGTH
from outreach import formui
from outreach.collation import sort_key
from outreach.dates import fmt_date, fmt_datetime, fmt_month, quoted_inside
from outreach.i18n import LANGUAGES, completeness, current_language, localize, lowercase_kazakh_month_names
from outreach.links import external_url


def lang_url(code: str) -> str:
    """The current page in another language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def page_url(page: int) -> str:
    """The current page with another ?page= value, keeping the filters."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    args.pop("lang", None)
    return f"{request.path}?{urlencode(args, doseq=True)}"


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def nav_url(endpoint: str, **values: Any) -> str | None:
    return url_for(endpoint, **values) if has_endpoint(endpoint) else None


def fmt_time(value: datetime | None, style: str = "short") -> str:
    return format_time(value, style) if value else ""


def fmt_number(value: Any) -> str:
    return "" if value is None else format_decimal(value)


def percent_class(value: Any) -> str:
    """A bar's width as a class (pct-0 … pct-100 in outreach.css): the CSP allows no style attributes."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0.0
    if number != number:  # NaN
        number = 0.0
    return f"pct-{int(round(min(max(number, 0.0), 100.0)))}"


def fmt_percent(value: Any) -> str:
    return "" if value is None else format_percent(value, "#,##0.#%")


def by_name(items: Any, attribute: str = "name") -> list[Any]:
    """Small lists already loaded (an initiative's funders) in the alphabet of the page's language."""
    return sorted(items, key=lambda item: sort_key(getattr(item, attribute, None)))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=fmt_date, month=fmt_month, datetime=fmt_datetime, time=fmt_time, number=fmt_number, percent=fmt_percent, percent_class=percent_class,
        tr=localize, completeness=completeness, by_name=by_name, quoted_inside=quoted_inside,
    )
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, lang_url=lang_url, page_url=page_url, has_endpoint=has_endpoint, nav_url=nav_url,
        external_url=external_url, **access.template_helpers(),
    )
    lowercase_kazakh_month_names()
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    formui.init_app(app)

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"current_language": current_language(), "min_password_length": MIN_PASSWORD_LENGTH}
