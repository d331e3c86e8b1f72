"""Helpers for the API tests: bearer tokens and a client that speaks JSON."""
from __future__ import annotations

from typing import Any

import pytest

from outreach.auth.services import issue_api_token
from outreach.extensions import db
from tests.factories import make_user

BASE = "/api/v1"


class Api:
    """api.get("/schools", as_=user) — each call with the user's bearer token (or none)."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[int, str] = {}

    def token(self, user) -> str:
        if user.id not in self.tokens:
            raw, _token = issue_api_token(user)
            db.session.commit()
            self.tokens[user.id] = raw
        return self.tokens[user.id]

    def headers(self, as_=None, lang: str | None = None, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.token(as_)}"
        if lang is not None:
            headers["Accept-Language"] = lang
        return headers

    def open(self, method: str, path: str, as_=None, json: Any = None, lang: str | None = None,
             headers: dict[str, str] | None = None, **kwargs: Any):
        db.session.commit()
        url = path if path.startswith("/api/") else BASE + path
        response = self.client.open(url, method=method, json=json,
                                    headers={**self.headers(as_, lang), **(headers or {})}, **kwargs)
        db.session.expire_all()
        return response

    def get(self, path: str, **kwargs: Any):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any):
        return self.open("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any):
        return self.open("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api(app) -> Api:
    """A client of its own that sends no Accept-Language unless a call asks for one."""
    client = app.test_client()
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    return Api(client)


@pytest.fixture
def users():
    """One user of each role; the school and funder users are bound to a school and a funder of their own."""
    made = {role: make_user(role) for role in ("admin", "coordinator", "school", "funder")}
    db.session.commit()
    return made


def error_of(response) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    return body["error"]
