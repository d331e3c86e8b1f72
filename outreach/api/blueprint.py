"""The API blueprint: bearer tokens, the Accept-Language locale, the body-size limit, capabilities, lists."""
from __future__ import annotations

import http
from typing import Any, Callable

import flask_babel
import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint
from sqlalchemy import Select

from outreach.access import capability_of
from outreach.api import fields as f
from outreach.api.parsing import ApiParser, too_large
from outreach.auth.services import live_api_token
from outreach.errors import OutreachError
from outreach.i18n import DEFAULT_LANGUAGE, _, parse_accept_language
from outreach.web import paginate

PREFIX = "/api/v1"
MAX_BODY = 1024 * 1024
DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
PUBLIC_ENDPOINTS = {"api.create_token", "api.openapi"}

#: What each error status means, for the OpenAPI document (English, like the rest of the document).
ERROR_DESCRIPTIONS = {
    400: "Malformed: the body is not JSON or not a JSON object, or a field has the wrong JSON type "
         "(no coercion: \"90\" for an integer is 400).",
    401: "No token, or the token is unknown, expired, or its user was deactivated.",
    403: "Your role may not do this at all.",
    404: "Not found, or it belongs to another school or funder.",
    405: "Method not allowed on this path.",
    409: "Conflicts with the current state.",
    413: "The request body is larger than 1 MB.",
    422: "Well-formed but invalid: a missing or null required field, a value out of range, or a string that "
         "does not parse as what it should be.",
    429: "Too many failed attempts; wait a few minutes.",
    503: "The database (for POST /tokens also the rate-limit store) does not answer at the moment; "
         "try again after Retry-After seconds. Code database_unavailable or service_unavailable.",
}


def status_name(code: int) -> str:
    return http.HTTPStatus(code).name


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()

    def errors(self, *codes: int) -> Callable:
        """Document the error statuses an operation can answer with (401 for every authenticated one)."""

        def decorator(func: Callable) -> Callable:
            for code in codes:
                func = self.alt_response(code, response=status_name(code))(func)
            return func

        return decorator

    def add_url_rule(self, rule: str, endpoint: str | None = None, view_func: Callable | None = None,
                     provide_automatic_options: bool | None = None, **options: Any) -> None:
        """An operation that declares a capability some role lacks (`@requires(...)`, checked before the request
        is parsed) documents its 403."""
        capability = capability_of(view_func) if view_func is not None else None
        if capability is not None and not capability.open_to_every_role:
            view_func = self.alt_response(403, response=status_name(403))(view_func)
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)


bp = ApiBlueprint("api", __name__, url_prefix=PREFIX, description="Outreach JSON API v1")

ID = "id"  # path ids: outreach.params.IdConverter


def id_parameter_schema(converter: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": f.INT32_MAX}


@bp.before_app_request
def _api_request() -> None:
    """Every /api/ request: language from Accept-Language only (never the session), bodies up to 1 MB."""
    if not request.path.startswith("/api/"):
        return
    g.forced_locale = parse_accept_language(request.headers.get("Accept-Language")) or DEFAULT_LANGUAGE
    flask_babel.refresh()
    request.max_content_length = MAX_BODY
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise too_large()


@bp.after_app_request
def _api_response(response):
    if request.path.startswith("/api/"):
        if response.status_code == 401:
            response.headers.setdefault("WWW-Authenticate", 'Bearer realm="outreach"')
        if response.status_code == 405:
            methods = getattr(request.routing_exception, "valid_methods", None)
            if methods:
                response.headers.setdefault("Allow", ", ".join(sorted(methods)))
    return response


@bp.before_request
def _authenticate() -> None:
    """Only `Authorization: Bearer <token>`; a session cookie alone is not enough (so no CSRF risk)."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return  # OPTIONS only lists the allowed methods
    scheme, _sep, raw = request.headers.get("Authorization", "").strip().partition(" ")
    token = live_api_token(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
    user = token.user if token is not None else None
    if user is None:
        raise OutreachError(_("Send a valid API token: Authorization: Bearer <token>."), code="unauthorized",
                            status=401)
    g.api_user = user
    g.api_token = token
    g._login_user = user  # Flask-Login's current_user is the token's user, never the session's


def actor() -> Any:
    return g.api_user


# ------------------------------------------------------------------------------------------------- lists

class PageArgs(f.Query):
    page = f.QueryInteger(load_default=1, minimum=1, metadata={
        "description": "From 1; a page past the end has no items. Below 1 or not a number: 422."})
    per_page = f.QueryInteger(load_default=DEFAULT_PER_PAGE, minimum=1, maximum=None, metadata={
        "description": f"Default {DEFAULT_PER_PAGE}; larger values are clamped to {MAX_PER_PAGE}. Below 1 or not a "
                       f"number: 422."})


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """{items: [item], page, per_page, total}."""
    return type(name, (f.Out,), {
        "items": ma.fields.List(ma.fields.Nested(item), required=True),
        "page": ma.fields.Integer(required=True),
        "per_page": ma.fields.Integer(required=True),
        "total": ma.fields.Integer(required=True),
    })


def page_of(query: Select, args: dict[str, Any], scalars: bool = True) -> dict[str, Any]:
    per_page = min(args["per_page"], MAX_PER_PAGE)
    page = paginate(query, args["page"], per_page, scalars=scalars)
    return {"items": page.items, "page": page.page, "per_page": per_page, "total": page.total}
