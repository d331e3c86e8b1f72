"""Domain errors with translated messages, and the HTML/JSON error handlers."""
from __future__ import annotations

from typing import Any

import flask_babel
from flask import Flask, g, jsonify, render_template, request, session
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from outreach import logs
from outreach.extensions import db, login_manager
from outreach.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, _l, parse_accept_language


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


class ServiceUnavailable(OutreachError):
    """Something the app needs (the database, the rate-limit store) does not answer: 503, try again shortly."""

    status = 503
    code = "service_unavailable"

    def __init__(self, message: Any, *, retry_after: int = 10, cause: BaseException | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.cause = cause


SIGN_IN_UNAVAILABLE = _l("Signing in is not possible at the moment. Please try again in a few minutes.")
#: endpoints limited through the rate-limit store, and what a person is told when the store does not answer
LIMITED_ENDPOINTS = {
    "auth.login": SIGN_IN_UNAVAILABLE,
    "api.create_token": SIGN_IN_UNAVAILABLE,
    "auth.forgot_password": _l("A password reset cannot be requested at the moment. "
                               "Please try again in a few minutes."),
}


DATABASE_UNAVAILABLE = _l("Outreach cannot connect to its database at the moment. Please try again in a few minutes.")


def database_unavailable(cause: BaseException | None = None) -> ServiceUnavailable:
    return ServiceUnavailable(DATABASE_UNAVAILABLE, retry_after=5, cause=cause, code="database_unavailable")


def is_database_outage(error: BaseException | None) -> bool:
    """The database did not answer: refused or lost connections, a timeout (connect, statement, lock, the pool),
    SQLite's locked or unopenable file. Not a constraint or a programming error."""
    if isinstance(error, sa_exc.TimeoutError):  # no free pooled connection within DATABASE_POOL_TIMEOUT
        return True
    return isinstance(error, sa_exc.DBAPIError) and (
        isinstance(error, sa_exc.OperationalError) or bool(error.connection_invalidated))


def as_outage(error: BaseException | None) -> ServiceUnavailable | None:
    """The 503 an exception stands for, when it is an outage of something the app needs (else None)."""
    if isinstance(error, ServiceUnavailable):
        return error
    if is_database_outage(error):
        return database_unavailable(error)
    if isinstance(error, StorageError):
        message = LIMITED_ENDPOINTS.get(request.endpoint or "") or _l(
            "This is not possible at the moment. Please try again in a few minutes.")
        return ServiceUnavailable(message, retry_after=30, cause=error)
    return None


#: the session remembers the language its signed-in pages were in (the account's, which only the database knows)
PAGE_LANGUAGE = "page_lang"


def _outage_language() -> str:
    """The page's language without asking the database (the account's saved language needs it)."""
    if "forced_locale" in g:  # the API: Accept-Language
        return g.forced_locale
    for choice in (request.args.get("lang"), session.get("lang"), session.get(PAGE_LANGUAGE)):
        if choice in LANGUAGES:
            return choice
    return parse_accept_language(request.headers.get("Accept-Language")) or DEFAULT_LANGUAGE


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
        body["error"]["fields"] = {k: [m if isinstance(m, int) else str(m) for m in v] for k, v in fields.items()}
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    def handle_outage(error: ServiceUnavailable):
        # one line, no traceback: during an outage every request fails the same way
        cause = error.cause if error.cause is not None else error
        app.logger.warning("unavailable: %s %s: %s: %s", request.method, request.path, type(cause).__name__,
                           str(cause).strip().splitlines()[0] if str(cause).strip() else "")
        try:
            db.session.rollback()
        except Exception:  # the connection is gone: nothing to roll back
            pass
        # rendered without the database: nobody is looked up (so nobody is signed in on this page), and the
        # language is the one this session's pages were in, not read from the account
        g._login_user = login_manager.anonymous_user()
        g.forced_locale = _outage_language()
        flask_babel.refresh()
        if _wants_json():
            response = json_error(503, error.message, error.code)
        else:
            response = app.make_response(
                (render_template("errors/error.html", status=503, message=str(error.message)), 503))
        response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(ServiceUnavailable)
    @app.errorhandler(StorageError)
    def handle_unavailable(error: Exception):
        return handle_outage(as_outage(error))

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)
    def handle_database_error(error: Exception):
        outage = as_outage(error)
        return handle_outage(outage) if outage is not None else handle_unexpected(error)

    @app.after_request
    def _remember_page_language(response):
        # a signed-in person's pages are in their account's language: remember it for an outage page
        user = g.get("_login_user")
        locale = getattr(g.get("_flask_babel"), "babel_locale", None)
        if (locale is not None and response.status_code == 200 and response.mimetype == "text/html"
                and getattr(user, "is_authenticated", False) and session.get(PAGE_LANGUAGE) != str(locale)):
            session[PAGE_LANGUAGE] = str(locale)
        return response

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
        # an outage met after the view (the commit in after_request) comes here as a 500 wrapping it
        outage = as_outage(getattr(error, "original_exception", None))
        if outage is not None:
            return handle_outage(outage)
        status = error.code or 500
        message = ERROR_TITLES.get(status) or error.description
        if _wants_json():
            return json_error(status, message)
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        logs.unhandled(error, app.logger)  # with the request's context; the traceback once, short
        db.session.rollback()
        if _wants_json():
            return json_error(500, ERROR_TITLES[500])
        return render_template("errors/error.html", status=500, message=_(str(ERROR_TITLES[500]))), 500
