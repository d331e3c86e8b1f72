"""gunicorn's settings for Outreach: `gunicorn -c gunicorn.conf.py wsgi:app` (what `make run` does).

Options given on the command line (`--workers`, `--bind` ...) win over these. The access log never holds a
query string (the roster search, a `next=` address), a secret path segment (password reset, invitation,
calendar feed and feedback tokens: `<token>`), the Referer's path beyond the same rules, or a signed-in name:
the atoms the format may use are replaced by safe ones, and any other atom is "-". With `LOG_FORMAT=json` the
app writes one JSON line per request itself (outreach/logs.py), so gunicorn's access log is off and its own
lines are JSON too.
"""
import os
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

from outreach.logs import JsonFormatter, Redact, safe_path

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()

# what `make run` serves with; the command line's --bind, --workers, --threads win
bind = "127.0.0.1:8000"
workers = 2
threads = 4
errorlog = "-"
accesslog = None if LOG_FORMAT == "json" else "-"
# client address, request line (path made safe, no query), status, bytes, milliseconds, Referer (made safe),
# user agent, and the request id the app gave the request (X-Request-ID of the response)
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'


def _safe_referer(value):
    if not value or value == "-":
        return "-"
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.netloc}{safe_path(parts.path)}" if parts.netloc else safe_path(parts.path)


class SafeLogger(Logger):
    """gunicorn's logger with an access log that leaves out what must not be kept, and error lines redacted."""

    SAFE = ("h", "l", "t", "s", "m", "H", "b", "B", "a", "T", "D", "M", "L", "p")

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(Redact())
            if LOG_FORMAT == "json":
                handler.setFormatter(JsonFormatter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = safe_path(environ.get("PATH_INFO"))
        safe = {key: atoms[key] for key in self.SAFE if key in atoms}
        safe.update({
            "u": "-",  # a Basic-auth user name could be an e-mail address
            "U": path,
            "q": "-",
            "r": f"{atoms.get('m') or '-'} {path} {atoms.get('H') or '-'}",
            "f": _safe_referer(environ.get("HTTP_REFERER")),
            "{x-request-id}o": atoms.get("{x-request-id}o", "-"),
        })
        return safe


logger_class = SafeLogger
