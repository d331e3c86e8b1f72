"""What the app writes to its log: a request id on every request, one line per request and per event, errors
with their context, and never a query string, a child's name, an e-mail address or a token.

- **Request id.** Every request gets one (`X-Request-ID`, echoed in the response). It is taken from the incoming
  header only when a reverse proxy in front is trusted (`TRUSTED_PROXY_HOPS` > 0; the proxy sets the header
  itself, nginx: `proxy_set_header X-Request-ID $request_id;`) and it looks like an id; otherwise it is made
  here. With no proxy trusted anyone could choose it, and a chosen id could forge or hide log lines.
- **Format.** `LOG_FORMAT=text` (the default) writes readable lines; `LOG_FORMAT=json` one JSON object per line:
  per request (`event: "request"`: request_id, method, route, status, duration_ms, user_id) and per event or
  error (message, level, and the request's request_id, method, route and user_id when there is one). `route`
  is the URL rule (`/students/<int:student_id>`), never the path, so no id, token or query string is in it.
  Under gunicorn the per-request line in text mode is gunicorn's access log (`gunicorn.conf.py`, which uses
  `safe_path` below); in JSON mode the app writes it and gunicorn's own access log is off.
- **Errors.** An unhandled error is one line with the request's method, route, user and request id, and a short
  traceback (the last frames of the outermost exception, its message's first line). The same error again (same
  type, same place) within `TRACEBACK_EVERY_SECONDS` is one line without a traceback and a repeat count: a
  failing database does not write kilobytes per request.
- **Redaction.** Every line passes `redact()`: e-mail addresses, secret path segments (reset, invitation,
  calendar feed and feedback tokens) and query strings are replaced by placeholders, whatever logged them.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect

#: an incoming X-Request-ID (from a trusted proxy) is used only if it looks like this
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
#: the same unhandled error writes its traceback at most once in this many seconds (per process)
TRACEBACK_EVERY_SECONDS = 300
#: frames of a traceback kept (the innermost ones: where it broke)
TRACEBACK_FRAMES = 6
MESSAGE_CHARS = 300

#: path prefixes whose next segment is a secret (a link that works by itself): replaced by "<token>"
SECRET_PREFIXES = ("/password/reset/", "/invitation/", "/calendar/", "/feedback/")
_SECRET_SEGMENT = re.compile(r"(?P<prefix>" + "|".join(re.escape(p) for p in SECRET_PREFIXES) + r")"
                             r"(?P<secret>[^/?#\s\"'<>]+)")
_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
#: a query string after a path or URL ("/students?q=...", "https://x/y?token=..."), up to a space or a quote
_QUERY = re.compile(r"(?P<path>(?:https?://[^\s/?\"']+)?/[^\s?\"'<>]*)\?[^\s\"'<>]*")
_METHOD = re.compile(r"[A-Z]{1,16}")


def _hide_secret(match: re.Match) -> str:
    secret = match.group("secret")
    suffix = ".ics" if match.group("prefix") == "/calendar/" and secret.endswith(".ics") else ""
    return f"{match.group('prefix')}<token>{suffix}"


def safe_path(path: str | None) -> str:
    """A request path fit for a log: secret segments replaced, no query string, no e-mail address."""
    if not path:
        return "-"
    path = path.split("?", 1)[0].split("#", 1)[0]
    return _EMAIL.sub("<email>", _SECRET_SEGMENT.sub(_hide_secret, path))


def redact(text: str) -> str:
    """Any text fit for a log: query strings, secret path segments and e-mail addresses replaced."""
    text = _QUERY.sub(lambda m: f"{m.group('path')}?<query>", text)
    return _EMAIL.sub("<email>", _SECRET_SEGMENT.sub(_hide_secret, text))


def request_id_for(environ: dict, *, trusted: bool) -> str:
    """The incoming X-Request-ID when a trusted proxy set it (and it looks like an id), else a new one."""
    incoming = environ.get("HTTP_X_REQUEST_ID", "") if trusted else ""
    if incoming and REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """This request's id (None outside a request: a command)."""
    return request.environ.get("outreach.request_id") if has_request_context() else None


def _user_id() -> int | None:
    # only a user already loaded: asking Flask-Login here would query the database (down, in an outage)
    # and only its key as the session knows it: reading an attribute of an expired row queries the database too
    user = g.get("api_user") or g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    identity = state.identity if state is not None else None  # None: anonymous (not a row)
    return identity[0] if identity else None


def _route() -> str | None:
    rule = request.url_rule
    return rule.rule if rule is not None else None


def _method(value: str | None) -> str:
    return value if value and _METHOD.fullmatch(value) else "-"


# --- formatting -------------------------------------------------------------------------------------------

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "method", "route",
                                                    "user_id", "taskName"}


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")}


def short_traceback(error: BaseException) -> str:
    """The outermost exception's last frames and its message's first line (redacted); the chain named only."""
    frames = traceback.extract_tb(error.__traceback__)[-TRACEBACK_FRAMES:]
    lines = [f"  {frame.filename}:{frame.lineno} in {frame.name}" + (f": {frame.line}" if frame.line else "")
             for frame in frames]
    cause = error.__cause__ or error.__context__
    if cause is not None:
        lines.append(f"  caused by {type(cause).__module__}.{type(cause).__qualname__}")
    return redact("\n".join(lines))


def error_summary(error: BaseException) -> str:
    """`module.Type: first line of the message` (redacted, cut short): SQLAlchemy's messages carry the statement
    and its parameters on later lines, a child's name among them."""
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > MESSAGE_CHARS:
        first = first[:MESSAGE_CHARS] + "…"
    kind = f"{type(error).__module__}.{type(error).__qualname__}"
    return redact(f"{kind}: {first}" if first else kind)


def _exception_of(record: logging.LogRecord) -> BaseException | None:
    if record.exc_info and record.exc_info[1] is not None:
        return record.exc_info[1]
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name != REQUEST_LOGGER:
            body["message"] = redact(record.getMessage())
        for key in ("request_id", "method", "route", "user_id"):
            if hasattr(record, key):
                body[key] = getattr(record, key)
        for key, value in _extra_fields(record).items():
            body[key] = redact(value) if isinstance(value, str) else value
        error = _exception_of(record)
        if error is not None:
            body["error"] = error_summary(error)
            body["traceback"] = short_traceback(error)
        return json.dumps(body, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id] METHOD route user=N: message key=value`, then a short traceback."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        context = ""
        if getattr(record, "request_id", None):
            context = (f" [{record.request_id}] {getattr(record, 'method', '-')} {getattr(record, 'route', None) or '-'}"
                       f" user={getattr(record, 'user_id', None) or '-'}")
        extras = "".join(f" {key}={value}" for key, value in _extra_fields(record).items())
        line = redact(f"{when} {record.levelname} {record.name}{context}: {record.getMessage()}{extras}")
        error = _exception_of(record)
        if error is not None:
            line += "\n  " + error_summary(error) + "\n" + short_traceback(error)
        return line


class Redact(logging.Filter):
    """Makes a record's message safe for a log (for handlers this module does not format: gunicorn's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        return True


class RequestContext(logging.Filter):
    """Adds the request's id, method, route and user to every record written during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = current_request_id()
            record.method = _method(request.method)
            record.route = _route()
            try:
                record.user_id = _user_id()
            except Exception:  # a log line never fails a request
                record.user_id = None
        return True


class _Stderr(logging.StreamHandler):
    """A stream handler on whatever sys.stderr is when it writes (gunicorn's, a test's capture)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


REQUEST_LOGGER = "outreach.request"
_handler = _Stderr()
_handler.addFilter(RequestContext())
_handler.setFormatter(TextFormatter())


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(log_format: str) -> None:
    """Every logger of the process writes through one handler on the root logger, in this format (the app's,
    libraries', Werkzeug's, alembic's); the app's own loggers propagate to it (so tests' caplog sees them too)."""
    _handler.setFormatter(formatter_for(log_format))
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    own = logging.getLogger("outreach")
    own.setLevel(logging.INFO)
    own.propagate = True
    own.disabled = False
    for name in ("werkzeug", "alembic", "flask_migrate"):  # the development server's request lines (redacted),
        logging.getLogger(name).setLevel(logging.INFO)      # the migrations `flask db upgrade` runs


# --- unhandled errors -------------------------------------------------------------------------------------

class _Repeats:
    """How often each error (type and place) was seen since its traceback was last written."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, tuple[float, int]] = {}

    def note(self, key: str, now: float) -> tuple[bool, int]:
        """(write the traceback now?, repeats since the last one)."""
        with self.lock:
            last, repeats = self.seen.get(key, (0.0, 0))
            if not last or now - last >= TRACEBACK_EVERY_SECONDS:
                if len(self.seen) > 500:
                    self.seen.clear()
                self.seen[key] = (now, 0)
                return True, repeats
            self.seen[key] = (last, repeats + 1)
            return False, repeats + 1


_repeats = _Repeats()


def fingerprint(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    place = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "-"
    return f"{type(error).__module__}.{type(error).__qualname__}@{place}"


def unhandled(error: BaseException, logger: logging.Logger | None = None) -> None:
    """Log an error no handler expected: one line with the request's context, the traceback at most once per
    TRACEBACK_EVERY_SECONDS for the same error."""
    logger = logger or logging.getLogger("outreach")
    key = fingerprint(error)
    with_traceback, repeats = _repeats.note(key, time.monotonic())
    if with_traceback:
        logger.error("Unhandled error", exc_info=(type(error), error, error.__traceback__),
                     extra={"fingerprint": key, **({"repeats_since_last_traceback": repeats} if repeats else {})})
    else:
        logger.error("Unhandled error (again, traceback above)",
                     extra={"error": error_summary(error), "fingerprint": key, "repeats": repeats})


# --- the request line and the request id --------------------------------------------------------------------

class RequestLog:
    """WSGI middleware around the whole app: gives each request its id (environ and response header), and in
    JSON mode writes one line when the app has answered (whatever failed inside)."""

    def __init__(self, app: Flask, inner: Callable) -> None:
        self.app = app
        self.inner = inner
        self.logger = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        trusted = int(self.app.config.get("TRUSTED_PROXY_HOPS") or 0) > 0
        request_id = environ["outreach.request_id"] = request_id_for(environ, trusted=trusted)
        answered: list[str] = []

        def start(status: str, headers: list, exc_info: Any = None):
            answered[:] = [status]
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        try:
            return self.inner(environ, start)
        finally:
            if self.app.config.get("LOG_FORMAT") == "json":
                status = int(answered[0].split(None, 1)[0]) if answered else 500
                self.logger.info("request", extra={
                    "event": "request", "request_id": request_id,
                    "method": _method(environ.get("REQUEST_METHOD")),
                    # a file the static files' middleware served never reached Flask
                    "route": environ.get("outreach.route", "<static>"), "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": environ.get("outreach.user_id")})


def init_app(app: Flask) -> None:
    """Logging as LOG_FORMAT says, the request id and the request line around `app.wsgi_app` (Flask's own
    "Exception on ..." is replaced by `unhandled` in outreach/app.py)."""
    configure(app.config.get("LOG_FORMAT") or "text")
    app.logger.removeHandler(default_handler)
    app.wsgi_app = RequestLog(app, app.wsgi_app)  # type: ignore[method-assign]

    @app.teardown_request
    def _remember_for_the_request_line(_exc: BaseException | None) -> None:
        # read once the view has run (the user is loaded by then), kept for the middleware's line
        request.environ["outreach.route"] = _route()
        request.environ["outreach.user_id"] = _user_id()
