"""POST /tokens: a bearer token for an email and password (failed attempts are rate-limited);
DELETE /tokens/current: revoke the token the request is sent with."""
from __future__ import annotations

from typing import Any

from flask import Response, g, request

from outreach.access import SIGNED_IN, requires
from outreach.api.schemas import auth as s
from outreach.api.blueprint import MAX_BODY, bp
from outreach.auth import services as auth
from outreach.auth import throttle
from outreach.errors import OutreachError
from outreach.extensions import limiter
from outreach.i18n import _


def _email_key() -> str:
    email = ""
    # read only a body of known, acceptable size (the limiter looks before the size check does)
    if request.is_json and request.content_length is not None and request.content_length <= MAX_BODY:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("email"), str):
            email = body["email"]
    return throttle.email_and_address_key(email)


def _failed(response: Any) -> bool:
    # only wrong credentials count: a burst of good sign-ins or of malformed requests is not guessing
    return response.status_code == 401


@bp.route("/tokens", methods=["POST"])
@limiter.limit(throttle.address_limit, key_func=throttle.address_key, deduct_when=_failed)
@limiter.limit(throttle.login_limit, key_func=_email_key, deduct_when=_failed)
@bp.doc(security=[], summary="Get a bearer token",
        description="Tokens are stored hashed, expire, and stop working when the user is deactivated.")
@bp.arguments(s.TokenIn)
@bp.response(201, s.Token)
@bp.errors(400, 401, 413, 429)
def create_token(data: dict[str, Any]):
    user = auth.authenticate(data["email"], data["password"])
    if user is None:
        raise OutreachError(_("The email or password is not correct."), code="invalid_credentials", status=401)
    raw, token = auth.issue_api_token(user)
    return {"token": raw, "expires_at": token.expires_at, "role": user.role}


@bp.route("/tokens/current", methods=["DELETE"])
@requires(SIGNED_IN)
@bp.doc(summary="Revoke this token", description="The token the request is sent with answers 401 from now on.")
@bp.response(204)
@bp.errors(401)
def revoke_current_token():
    auth.revoke_api_token(g.api_token, actor=g.api_user)
    return Response(status=204)
