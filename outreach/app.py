"""The application factory (as Indico keeps its own in `indico/web/flask/app.py`).

This module sits at the top of the house: it imports every part it wires together (settings, extensions,
the whole schema, the event subscribers, every blueprint, the CLI) and nothing imports it but the entry
points (`wsgi.py`, the tests, the benchmarks). So all of its imports are at the top: no cycle to dodge.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from outreach import access, assets, cache, collation, headers, hosts, models, subscribers, templating, unitofwork  # noqa: F401
from outreach import logs
from outreach.auth import accounts as accounts_views
from outreach.api import views as api_views
from outreach.artists import views as artists_views
from outreach.attendance import views as attendance_views
from outreach.audit import views as audit_views
from outreach.auth import views as auth_views
from outreach.auth.models import User
from outreach.certificates import views as certificates_views
from outreach.cli import register_cli
from outreach.config import derive, load_settings
from outreach.errors import as_outage, register_error_handlers
from outreach.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
from outreach.funders import views as funders_views
from outreach.health import probe
from outreach.health import views as health_views
from outreach.home import views as home_views
from outreach.i18n import _l, select_locale, select_timezone
from outreach.initiatives import views as initiatives_views
from outreach.notifications import views as notifications_views
from outreach.offline import views as offline_views
from outreach.outcomes import views as outcomes_views
from outreach.params import IdConverter
from outreach.reports import views as reports_views
from outreach.schools import views as schools_views
from outreach.signups import views as signups_views
from outreach.storage import private_dir
from outreach.students import views as students_views
from outreach.venues import views as venues_views
from outreach.workshops import queries as workshop_queries
from outreach.workshops import views as workshops_views

# `collation` registers SQLite's alphabet collations, `models` the whole schema, `subscribers` connects the
# domain events' subscribers: importing them is what they are for.

ROOT = Path(__file__).resolve().parent.parent

#: The HTML blueprints, in the order their routes are registered; the API (api_views.init_app) comes last.
BLUEPRINTS = (health_views, home_views, auth_views, schools_views, initiatives_views, workshops_views, artists_views, venues_views,
              students_views, certificates_views,
              signups_views, attendance_views, reports_views, notifications_views, offline_views,
              accounts_views, funders_views, audit_views, outcomes_views)


class OutreachFlask(Flask):
    def log_exception(self, exc_info) -> None:
        # an outage met after the view (the commit in after_request) is answered 503 and logged in one line by its
        # handler (outreach/errors.py), not as a traceback per request; every other unhandled error keeps its own
        if as_outage(exc_info[1]) is None:
            logs.unhandled(exc_info[1], self.logger)  # one line with the request's context, the traceback short


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The application factory: settings from the environment, overridden by `config` (tests)."""
    # several app servers each have their own instance/ (OUTREACH_INSTANCE_PATH); the state they share lives
    # in the database (see README)
    app = OutreachFlask(
        "outreach",
        instance_path=os.environ.get("OUTREACH_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    private_dir(Path(app.instance_path))  # this server's own folder, readable by the app's user only

    app.config.update(load_settings(Path(app.instance_path)))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    if config:
        app.config.update(config)
    derive(app.config)

    # every <int:id> in a route is a row id: 1 … 2**31-1, anything else is no page (404), never a 500 (the API's
    # <id:...> is the same converter: outreach/api/views.py)
    app.url_map.converters["int"] = IdConverter
    _init_extensions(app)
    # the cached pages change when a workshop starts or ends (outreach/cache.py asks the workshops when)
    cache.register_clock_source("workshops", workshop_queries.next_start_or_end)
    cache.register_own_school(access.own_school_id)
    _register_blueprints(app)
    templating.init_app(app)
    assets.init_app(app)
    headers.init_app(app)
    register_error_handlers(app)
    register_cli(app)
    # outermost: the trusted proxies' X-Forwarded-* first, then the host check, then static files and the app
    hosts.init_app(app)
    _trust_proxies(app)
    logs.init_app(app)  # around all of it: the request id and the request line cover refused hosts and static files
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
    db.init_app(app)
    with app.app_context():
        unitofwork.install(db.engine)  # what each transaction wrote; the steps around each commit
    probe.init_app(app)  # PostgreSQL: while the database does not answer, 503 at once
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
    login_manager.user_loader(load_user)

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


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: "<id>:<session token>" of an active account, else nobody."""
    ident, _sep, token = (user_id or "").partition(":")
    if not ident.isdigit() or not token:
        return None
    user = cache.signed_in_user(User, int(ident))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


def _register_blueprints(app: Flask) -> None:
    for module in BLUEPRINTS:
        app.register_blueprint(module.bp)
    # the API needs more than a blueprint (flask-smorest's Api builds the OpenAPI document)
    api_views.init_app(app)
