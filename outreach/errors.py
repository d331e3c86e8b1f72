"""Domain errors with translated messages, and the HTML/JSON error handlers."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from outreach.extensions import db
from outreach.i18n import _, _l


class OutreachError(Exception):
    """A rule of the domain was broken; the message is for the person who broke it."""

    status = 422
    code = "invalid"

    def __init__(self, message: Any, *, code: str | None = None, status: int | None = None,
                 fields: dict[str, list[Any]] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}

    def __str__(self) -> str:
        return str(self.message)


class FieldErrors:
    """Field errors collected so that one answer names every wrong field (API field names, dots for nesting)."""

    def __init__(self) -> None:
        self.fields: dict[str, list[Any]] = {}

    def add(self, field: str, message: Any) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            messages = [m for ms in self.fields.values() for m in ms]
            # one wrong field: its own message says more than a generic one
            summary = messages[0] if len(messages) == 1 else _l("Some of the data is not valid.")
            raise OutreachError(summary, fields=self.fields)


class NotFound(OutreachError):
    status = 404
    code = "not_found"


class Conflict(OutreachError):
    status = 409
    code = "conflict"


class Forbidden(OutreachError):
    status = 403
    code = "forbidden"


def _wants_json() -> bool:
    # the API, and the JSON endpoints the offline attendance page talks to
    return request.path.startswith(("/api/", "/attendance/"))


ERROR_TITLES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in to continue."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist or is not available to you."),
    405: _l("This action is not allowed here."),
    409: _l("This was changed in the meantime. Please reload the page and try again."),
    413: _l("The upload is too large."),
    422: _l("Some of the data is not valid."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Please go back and try again; if it happens again, tell your coordinator."),
}

ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               422: "invalid", 429: "rate_limited", 500: "server_error"}


def json_error(status: int, message: Any, code: str | None = None,
               fields: dict[str, list[Any]] | None = None):
    body: dict[str, Any] = {"error": {"code": code or ERROR_CODES.get(status, "error"), "message": str(message)}}
    if fields:
        body["error"]["fields"] = {k: [str(m) for m in v] for k, v in fields.items()}
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(OutreachError)
    def handle_domain_error(error: OutreachError):
        if _wants_json():
            return json_error(error.status, error.message, error.code, error.fields)
        return render_template("errors/error.html", status=error.status, message=str(error.message)), error.status

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        app.logger.info("CSRF refused: %s", error.description)
        message = _("The form could not be accepted: it was open for too long or came from another site. "
                    "Please go back, reload the page and try again.")
        if _wants_json():
            return json_error(400, message, "csrf_failed")
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        message = ERROR_TITLES.get(status) or error.description
        if _wants_json():
            return json_error(status, message)
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        if _wants_json():
            return json_error(500, ERROR_TITLES[500])
        return render_template("errors/error.html", status=500, message=_(str(ERROR_TITLES[500]))), 500
