"""Outreach: arts-education outreach programmes in Kazakhstan.

The imports inside the functions below are the one deliberate exception to top-level imports: this is the
package's `__init__`, which Python runs before any `outreach.<module>`; importing the app's modules here at
the top would make every module import every other one while half-initialised (a real cycle).
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The application factory: settings from the environment, overridden by `config` (tests)."""
    # several app servers each have their own instance/ (OUTREACH_INSTANCE_PATH); the state they share lives
    # in the database (see README)
    app = Flask(
        __name__,
        instance_path=os.environ.get("OUTREACH_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    from outreach.config import load_settings
    from outreach.storage import private_dir

    private_dir(Path(app.instance_path))  # this server's own folder, readable by the app's user only

    app.config.update(load_settings(Path(app.instance_path)))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    if config:
        app.config.update(config)

    _trust_proxies(app)
    from outreach.params import IdConverter

    # every <int:id> in a route is a row id: 1 … 2**31-1, anything longer is no page (404), never a 500
    app.url_map.converters["int"] = IdConverter
    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    from outreach import assets

    assets.init_app(app)

    from outreach import headers
    from outreach.errors import register_error_handlers

    headers.init_app(app)

    register_error_handlers(app)

    from outreach.cli import register_cli

    register_cli(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto/-Host only from TRUSTED_PROXY_HOPS reverse proxies (Werkzeug's ProxyFix),
    read per request so that the setting also holds when changed on a running app (tests)."""
    inner = app.wsgi_app
    fixed: dict[int, ProxyFix] = {}

    def wsgi_app(environ, start_response):
        hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
        if hops <= 0:
            return inner(environ, start_response)
        if hops not in fixed:
            fixed[hops] = ProxyFix(inner, x_for=hops, x_proto=hops, x_host=hops)
        return fixed[hops](environ, start_response)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from outreach import collation, models  # noqa: F401  (SQLite's alphabet collations; the whole schema)
    from outreach import subscribers  # noqa: F401  (the domain events' subscribers connect on import)
    from outreach.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from outreach.i18n import _l, select_locale, select_timezone

    db.init_app(app)
    from outreach.storage import sqlite_setup

    with app.app_context():
        sqlite_setup(db.engine)
        from outreach import cache

        cache.install(db.engine)  # every committed write bumps the data version
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        from outreach.auth.models import User

        ident, _sep, token = (user_id or "").partition(":")
        if not ident.isdigit() or not token:
            return None
        from outreach.cache import signed_in_user

        user = signed_in_user(User, int(ident))
        if user is None or user.session_token != token or not user.active:
            return None
        return user

    @app.teardown_request
    def _rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()

    @app.after_request
    def _commit_request(response):
        # One transaction per request: services flush, the request commits once.
        if response.status_code < 400 and not getattr(g, "skip_commit", False):
            db.session.commit()
        else:
            db.session.rollback()
        if request.endpoint and not request.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response


def _register_blueprints(app: Flask) -> None:
    for name in ("home", "auth", "schools", "initiatives", "workshops", "students", "signups",
                 "attendance", "reports", "notifications", "offline", "accounts", "funders", "audit", "api"):
        try:
            module = importlib.import_module(f"outreach.{name}.views")
        except ModuleNotFoundError as error:
            if error.name != f"outreach.{name}.views":
                raise
            continue
        # a domain that needs more than a blueprint (e.g. the API's OpenAPI object) offers init_app(app)
        init = getattr(module, "init_app", None)
        blueprint = getattr(module, "bp", None)
        if init is not None:
            init(app)
        elif blueprint is not None:
            app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    from outreach import templating

    templating.init_app(app)
