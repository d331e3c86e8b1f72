"""Which hosts this site answers for: a request naming any other is refused with 400 before the app runs.

`TRUSTED_HOSTS` (Flask's setting; from the environment, comma-separated) lists the names the site is reached by
(a name starting with a dot also allows its subdomains). With it set, a request with another `Host` (or, behind
trusted proxies, another `X-Forwarded-Host`) gets a small static page: no session, no database, no URL
building — a refused host must not be able to break the error page too. Without the setting every well-formed
name is answered, and a malformed one (a label longer than 63 characters, an empty label, characters a host name
cannot have) is refused the same way in any case: nothing the app does with it could work.

Links the app hands out never depend on the Host anyway (outreach/links.py).
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from outreach.i18n import LANGUAGES, DEFAULT_LANGUAGE, _, force_locale, parse_accept_language
from outreach.links import base_url

_HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
]


def well_formed(host: str) -> bool:
    """A host[:port] a URL can hold: every label 1–63 characters, 253 in all (IPv6 literals pass as given)."""
    if host.startswith("["):
        return True
    name = host.rpartition(":")[0] if ":" in host else host
    name = name[:-1] if name.endswith(".") else name
    if not name or len(name) > 253:
        return False
    try:
        name.encode("idna")
    except UnicodeError:
        return False
    return True


def allowed(environ: dict[str, Any], trusted: Iterable[str] | None) -> bool:
    """May this request be answered? (Normalises HTTP_HOST to lower case, as host names are compared.)"""
    raw = environ.get("HTTP_HOST")
    if raw is not None:
        environ["HTTP_HOST"] = raw.strip().lower()
    try:
        host = get_host(environ, list(trusted) if trusted else None)
    except SecurityError:
        return False
    if not host:
        return raw is None  # no Host at all (HTTP/1.0): the server's own name was used
    return well_formed(host)


def _render_pages(app: Flask) -> dict[str, tuple[bytes, bytes]]:
    """The refusal in each language, as an HTML page and as the API's error JSON (rendered once, at start)."""
    pages = {}
    template = app.jinja_env.get_template("errors/bad_host.html")
    with app.app_context():
        home = base_url()
        for code in LANGUAGES:
            with force_locale(code):
                message = _("This site does not answer at the address you opened.")
                html = template.render(lang=code, status=400, message=message, home=home)
                body = {"error": {"code": "bad_host", "message": message}}
            pages[code] = (html.encode("utf-8"), json.dumps(body, ensure_ascii=False).encode("utf-8"))
    return pages


def init_app(app: Flask) -> None:
    """Wrap the app (outside the static files, inside the trusted proxies) with the host check."""
    pages = _render_pages(app)
    inner: Callable = app.wsgi_app

    def wsgi_app(environ, start_response):
        # read per request, so that a test (or an operator's reload) changing the setting takes effect
        if allowed(environ, app.config.get("TRUSTED_HOSTS")):
            return inner(environ, start_response)
        language = parse_accept_language(environ.get("HTTP_ACCEPT_LANGUAGE")) or DEFAULT_LANGUAGE
        html, api = pages.get(language, pages[DEFAULT_LANGUAGE])
        wants_json = (environ.get("PATH_INFO") or "").startswith("/api/")
        body = api if wants_json else html
        kind = "application/json" if wants_json else "text/html; charset=utf-8"
        start_response("400 Bad Request", [("Content-Type", kind), ("Content-Length", str(len(body))),
                                           ("Content-Language", language), *_HEADERS])
        return [body]

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
