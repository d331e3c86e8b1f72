"""Settings from the environment. No secret has a default in production."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from outreach.storage import private_dir


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
    production = os.environ.get("OUTREACH_ENV", "development").lower() == "production"
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if production:
            raise RuntimeError("SECRET_KEY must be set when OUTREACH_ENV=production")
        secret = _local_secret_key(instance_path)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'outreach.sqlite'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    secure_cookies = _bool("SESSION_COOKIE_SECURE", production)
    return {
        "OUTREACH_ENV": "production" if production else "development",
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 4 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "kk",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("OUTREACH_TIMEZONE", "Asia/Almaty"),
        "OUTREACH_TIMEZONE": os.environ.get("OUTREACH_TIMEZONE", "Asia/Almaty"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
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
        "SUPPRESSION_THRESHOLD": int(os.environ.get("SUPPRESSION_THRESHOLD", 10)),
        "ROUNDING_BASE": int(os.environ.get("ROUNDING_BASE", 5)),
        "API_TOKEN_TTL_HOURS": int(os.environ.get("API_TOKEN_TTL_HOURS", 24 * 30)),
        "INVITATION_TTL_HOURS": int(os.environ.get("INVITATION_TTL_HOURS", 72)),
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", 3)),
        "ARGON2_MEMORY_COST": int(os.environ.get("ARGON2_MEMORY_COST", 65536)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "outreach@localhost"),
        "PREFERRED_URL_SCHEME": "https" if secure_cookies else "http",
    }
