"""Settings from the environment. No secret has a default in production."""
from __future__ import annotations

import math
import os
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from outreach.links import DEVELOPMENT_BASE_URL, canonical_base_url
from outreach.storage import private_dir

#: the values LOG_FORMAT may take (outreach/logs.py)
REPORT_UPKEEP_MODES = ("background", "after_commit", "manual")
LOG_FORMATS = ("text", "json")
#: the values OUTREACH_ENV may take; anything else (a typo such as "prod") refuses to start
ENVIRONMENTS = ("development", "production")
#: a production SECRET_KEY has at least this many bytes (secrets.token_hex(32) gives 64)
MIN_SECRET_KEY_BYTES = 32


class SettingsError(RuntimeError):
    """The settings are wrong: the app does not start, and the message says which setting and what to do."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _names(name: str) -> list[str] | None:
    """A comma-separated list of host names ("a.kz, .b.kz"), lower-cased; None when not set."""
    names = [part.strip().lower() for part in os.environ.get(name, "").split(",") if part.strip()]
    return names or None


def _local_secret_key(instance_path: Path) -> str:
    """A random key generated once and kept in instance/ for local use."""
    private_dir(instance_path)
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    # created 0600 from the start: never readable by others, not even for a moment
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def load_settings(instance_path: Path) -> dict:
    """Build the configuration mapping from environment variables."""
    environment = os.environ.get("OUTREACH_ENV", "development").strip().lower()
    production = environment == "production"
    secret = os.environ.get("SECRET_KEY")
    if not secret and environment == "development":
        secret = _local_secret_key(instance_path)

    # the canonical address of the site: every link in an e-mail, a feed or a PDF is built on it, never on the
    # request's Host (outreach/links.py); required in production (check_settings), a local default otherwise
    base_url = os.environ.get("OUTREACH_BASE_URL", "").strip() or (None if production else DEVELOPMENT_BASE_URL)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'outreach.sqlite'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    secure_cookies = _bool("SESSION_COOKIE_SECURE", production)
    settings = {
        "OUTREACH_ENV": environment,
        "SECRET_KEY": secret,
        "OUTREACH_BASE_URL": base_url,
        # the host names the site answers for (comma-separated; ".example.kz" allows its subdomains); a request
        # for another is refused with 400 (outreach/hosts.py). Not set: any well-formed name.
        "TRUSTED_HOSTS": _names("TRUSTED_HOSTS"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # fail fast (seconds; the engine options follow in derive()): connecting to PostgreSQL; one statement on
        # PostgreSQL (0: no limit; migrations never have one); waiting for a free pooled connection; SQLite
        # waiting for another writer's lock
        "DATABASE_CONNECT_TIMEOUT": float(os.environ.get("DATABASE_CONNECT_TIMEOUT", 5)),
        "DATABASE_STATEMENT_TIMEOUT": float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", 30)),
        "DATABASE_POOL_TIMEOUT": float(os.environ.get("DATABASE_POOL_TIMEOUT", 10)),
        "DATABASE_BUSY_TIMEOUT": float(os.environ.get("DATABASE_BUSY_TIMEOUT", 10)),
        # PostgreSQL: a fresh connection every this many seconds tells whether the server answers (0: never); while
        # it does not, requests that need the database get 503 at once (outreach/health/probe.py)
        "DATABASE_PROBE_INTERVAL": float(os.environ.get("DATABASE_PROBE_INTERVAL", 2)),
        "DATABASE_PROBE_TIMEOUT": float(os.environ.get("DATABASE_PROBE_TIMEOUT", 2)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 4 * 1024 * 1024)),
        # seconds one roster upload may spend being read
        "IMPORT_TIME_BUDGET": float(os.environ.get("IMPORT_TIME_BUDGET", 5)),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "kk",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("OUTREACH_TIMEZONE", "Asia/Almaty"),
        "OUTREACH_TIMEZONE": os.environ.get("OUTREACH_TIMEZONE", "Asia/Almaty"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # seconds the rate-limit store (Redis) may take to connect or answer: when it is down or frozen, sign-in
        # answers 503 at once instead of holding a web thread
        "RATELIMIT_STORAGE_TIMEOUT": float(os.environ.get("RATELIMIT_STORAGE_TIMEOUT", 2)),
        # failed sign-ins per (e-mail, client address), and per client address alone; never per e-mail alone
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per 5 minutes"),
        "LOGIN_ADDRESS_RATE_LIMIT": os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "50 per 5 minutes"),
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get("PASSWORD_RESET_RATE_LIMIT", "10 per hour"),
        "PASSWORD_RESET_TTL_MINUTES": int(os.environ.get("PASSWORD_RESET_TTL_MINUTES", 60)),
        # reverse proxies in front whose X-Forwarded-For (and -Proto, -Host) may be believed (0: none)
        "TRUSTED_PROXY_HOPS": int(os.environ.get("TRUSTED_PROXY_HOPS", 0)),
        # "keep me signed in" lasts at most 30 days
        "REMEMBER_COOKIE_DURATION": timedelta(days=min(int(os.environ.get("REMEMBER_COOKIE_DAYS", 30)), 30)),
        # pages, report figures and the signed-in user cached per data version (outreach/cache.py)
        "OUTREACH_CACHE": _bool("OUTREACH_CACHE", True),
        # when a committed write's changes reach the impact report (outreach/reports/upkeep.py): background |
        # after_commit | manual (then `flask reports upkeep` applies them)
        "REPORT_UPKEEP": os.environ.get("REPORT_UPKEEP", "background"),
        # an artist's workshops at venues in different localities need this gap (minutes); within one locality
        # (another venue) the shorter one
        "TRAVEL_MINUTES": int(os.environ.get("TRAVEL_MINUTES", 90)),
        "TRAVEL_MINUTES_LOCAL": int(os.environ.get("TRAVEL_MINUTES_LOCAL", 30)),
        "SUPPRESSION_THRESHOLD": int(os.environ.get("SUPPRESSION_THRESHOLD", 10)),
        "ROUNDING_BASE": int(os.environ.get("ROUNDING_BASE", 5)),
        # the four terms (тоқсан / четверть) of every school year, first day/last day as MM-DD (report presets)
        "SCHOOL_TERMS": os.environ.get("SCHOOL_TERMS", "09-01/10-24,11-03/12-26,01-08/03-13,03-25/05-25"),
        "API_TOKEN_TTL_HOURS": int(os.environ.get("API_TOKEN_TTL_HOURS", 24 * 30)),
        "INVITATION_TTL_HOURS": int(os.environ.get("INVITATION_TTL_HOURS", 72)),
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", 3)),
        "ARGON2_MEMORY_COST": int(os.environ.get("ARGON2_MEMORY_COST", 65536)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        # implicit TLS from the first byte (port 465 implies it)
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "outreach@localhost"),
        # seconds the outbox worker waits for the SMTP server at each step: longer than a slow server takes to
        # accept a message (a timeout shorter than that makes the server receive the message twice)
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", 60)),
        # the erased students, kept outside the database and its backups (a restore erases them again); default
        # instance/erasures.jsonl
        "ERASURE_LIST": os.environ.get("ERASURE_LIST"),
        # where `flask backup create` writes without a FILE (default instance/backups)
        "BACKUP_DIR": os.environ.get("BACKUP_DIR"),
        # a student is erased this many months after the last workshop (or the consent, if never signed up) ...
        "RETENTION_MONTHS": int(os.environ.get("RETENTION_MONTHS", 24)),
        # ... and the school's representative is told this many days before
        "RETENTION_NOTICE_DAYS": int(os.environ.get("RETENTION_NOTICE_DAYS", 30)),
        # a certificate of participation for a student who attended at least this many workshops of an initiative
        "CERTIFICATE_MIN_SESSIONS": int(os.environ.get("CERTIFICATE_MIN_SESSIONS", 3)),
        "OUTBOX_POLL_SECONDS": float(os.environ.get("OUTBOX_POLL_SECONDS", 5)),
        "PREFERRED_URL_SCHEME": "https" if secure_cookies else "http",
        # text: readable lines; json: one JSON object per line (outreach/logs.py)
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text").strip().lower(),
    }
    check_settings(settings)
    return settings


def check_settings(settings: dict) -> None:
    """Refuse to start with wrong settings, naming every wrong one at once. Every such check lives here."""
    problems = []
    environment = settings.get("OUTREACH_ENV")
    if environment not in ENVIRONMENTS:
        problems.append(f"OUTREACH_ENV={environment!r} is not known: set it to one of {', '.join(ENVIRONMENTS)}")
    if environment == "production":
        secret = settings.get("SECRET_KEY") or ""
        if not secret:
            problems.append("SECRET_KEY must be set when OUTREACH_ENV=production")
        elif len(secret.encode()) < MIN_SECRET_KEY_BYTES:
            problems.append(f"SECRET_KEY has {len(secret.encode())} bytes; production needs at least "
                            f"{MIN_SECRET_KEY_BYTES} (make one with: python3 -c 'import secrets; "
                            f"print(secrets.token_hex(32))')")
    if settings.get("LOG_FORMAT") not in LOG_FORMATS:
        problems.append(f"LOG_FORMAT={settings.get('LOG_FORMAT')!r} is not known: set it to one of "
                        f"{', '.join(LOG_FORMATS)}")
    if settings.get("REPORT_UPKEEP", "background") not in REPORT_UPKEEP_MODES:
        problems.append(f"REPORT_UPKEEP={settings.get('REPORT_UPKEEP')!r} is not known: set it to one of "
                        f"{', '.join(REPORT_UPKEEP_MODES)}")
    base_url = settings.get("OUTREACH_BASE_URL")
    if not base_url:
        if environment == "production":
            problems.append("OUTREACH_BASE_URL must be set when OUTREACH_ENV=production: the address people open, "
                            "e.g. OUTREACH_BASE_URL=https://outreach.example.kz (links in e-mails are built on it, "
                            "never on the request's Host header)")
    else:
        try:
            settings["OUTREACH_BASE_URL"] = canonical_base_url(base_url)
        except ValueError as error:
            problems.append(str(error))
    if problems:
        raise SettingsError("Outreach cannot start with these settings:\n  - " + "\n  - ".join(problems))


REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://", "redis+sentinel://", "redis+cluster://")


def database_options(config: dict) -> dict:
    """The SQLAlchemy engine options of the database settings (options given in SQLALCHEMY_ENGINE_OPTIONS win)."""
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    if url.get_backend_name() == "postgresql":
        # libpq counts whole seconds, at least 2
        connect_timeout = math.ceil(float(config.get("DATABASE_CONNECT_TIMEOUT") or 5))
        connect_args.setdefault("connect_timeout", max(2, connect_timeout))
        statement_ms = int(float(config.get("DATABASE_STATEMENT_TIMEOUT") or 0) * 1000)
        if statement_ms > 0 and "options" not in url.query:
            connect_args.setdefault("options", f"-c statement_timeout={statement_ms}")
    elif url.get_backend_name() == "sqlite":
        connect_args.setdefault("timeout", float(config.get("DATABASE_BUSY_TIMEOUT") or 10))
    if connect_args:
        options["connect_args"] = connect_args
    if url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:"):
        options.setdefault("pool_timeout", float(config.get("DATABASE_POOL_TIMEOUT") or 10))
    options.setdefault("pool_pre_ping", True)
    return options


def derive(config: dict) -> None:
    """Options that follow from the final settings (the environment's, then a test's overrides)."""
    config["SQLALCHEMY_ENGINE_OPTIONS"] = database_options(config)
    # a Redis error is one exception type (limits' StorageError, answered 503: outreach/errors.py), and a Redis
    # that is down or frozen makes a request wait RATELIMIT_STORAGE_TIMEOUT seconds, not for ever
    options = {"wrap_exceptions": True}
    if str(config.get("RATELIMIT_STORAGE_URI") or "").startswith(REDIS_SCHEMES):
        timeout = float(config.get("RATELIMIT_STORAGE_TIMEOUT") or 2)
        options.update(socket_connect_timeout=timeout, socket_timeout=timeout)
    config["RATELIMIT_STORAGE_OPTIONS"] = {**options, **(config.get("RATELIMIT_STORAGE_OPTIONS") or {})}
