"""Links that leave the app — in e-mails, calendar feeds, PDFs, addresses to copy: always on the configured
canonical address `OUTREACH_BASE_URL`, never on the request's Host header.

A Host header is whatever the client typed: a password-reset link built from `Host: evil.example` hands the
token to whoever owns evil.example. So these links are built from the setting alone, the same in a request, in
a command and in the outbox worker (no request needed).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

#: where a development server answers when OUTREACH_BASE_URL is not set (production refuses to start without it)
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def canonical_base_url(raw: str | None) -> str:
    """The setting as it is used: scheme and host (a path is allowed), no trailing slash; ValueError if it is not
    an http(s) address of a host."""
    value = (raw or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password or any(c.isspace() for c in value):
        raise ValueError(f"OUTREACH_BASE_URL must be an http(s) address such as https://outreach.example.kz, "
                         f"not {value!r}")
    return value.rstrip("/")


def base_url() -> str:
    return canonical_base_url(current_app.config.get("OUTREACH_BASE_URL") or DEVELOPMENT_BASE_URL)


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute address of a page on the canonical address, e.g. external_url("auth.reset_password", token=...)."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
