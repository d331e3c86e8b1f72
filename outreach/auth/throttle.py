"""Rate-limit keys for signing in (web form and API tokens) and asking for a password reset.

Failed sign-ins count per (e-mail, client address) and per client address, never per e-mail alone: failures
from one address never stop the right password from another. The client address is the socket's peer, or
what TRUSTED_PROXY_HOPS reverse proxies say (outreach.app.create_app wires Werkzeug's ProxyFix).
"""
from __future__ import annotations

from flask import current_app, request

from outreach.auth import emails


def client_address() -> str:
    return request.remote_addr or "-"


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def address_key() -> str:
    return "address:" + client_address()


def email_and_address_key(email: object) -> str:
    text = emails.key(email) if isinstance(email, str) else ""
    return f"email-address:{text}|{client_address()}"
