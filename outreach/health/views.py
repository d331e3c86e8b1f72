"""GET /healthz (the process is alive) and GET /readyz (this server is ready for traffic): JSON for load
balancers and monitoring, without signing in; /readyz answers 503 when not ready."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from outreach.health import services

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    return jsonify(services.liveness())


@bp.route("/readyz")
def readyz():
    ready, report = services.readiness(current_app._get_current_object())
    return jsonify(report), (200 if ready else 503)
