"""The JSON endpoints the offline attendance page talks to, with the browser's session (not an API token).

`GET /attendance/session` says who is signed in (and gives a fresh CSRF token) before anything is sent, so that
marks taken under one account are never sent under another; `POST /attendance/sync` takes a batch of marks,
as the API's `POST /api/v1/attendance/sync` does, plus the id of the user who took them.
"""
from __future__ import annotations

import base64

import marshmallow as ma
from flask import Blueprint, flash, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from outreach.access import TAKE_ATTENDANCE, requires
from outreach.api import fields as f
from outreach.api.schemas import attendance as s
from outreach.attendance import services as attendance
from outreach.attendance.rules import ABSENT, saved_message
from outreach.auth.services import offline_list_key
from outreach.errors import OutreachError, json_error
from outreach.i18n import _

bp = Blueprint("attendance", __name__)


class PageSyncIn(s.SyncIn):
    user_id = f.Integer(required=True, minimum=1, metadata={"description": "Who took the marks"})
    flash = f.Boolean(load_default=False, metadata={"description": "Say \"Attendance saved\" on the next page"})


def _refusal(status: int):
    """401 when the session has ended (the page keeps the marks and asks to sign in), 403 for other roles."""
    if status == 401:
        return json_error(401, _("You have been signed out. Sign in again to send the marks kept on this phone."),
                          "signed_out")
    return json_error(403, _("Your role may not do this."), "forbidden")


@bp.route("/attendance/session")
@requires(TAKE_ATTENDANCE, refused=_refusal)
def session_state():
    key, key_id = offline_list_key(current_user._get_current_object())
    # the key of the lists this phone keeps (sealed with AES-GCM; imported there as a non-extractable CryptoKey)
    return jsonify(user_id=current_user.id, csrf_token=generate_csrf(),
                   list_key=base64.urlsafe_b64encode(key).decode().rstrip("="), list_key_id=key_id)


@bp.route("/attendance/sync", methods=["POST"])
@requires(TAKE_ATTENDANCE, refused=_refusal)
def sync():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_error(400, _("Must be a JSON object."), "bad_request")
    try:
        loaded = PageSyncIn().load(data)
    except ma.ValidationError as error:
        messages = error.normalized_messages()
        malformed = any(getattr(m, "malformed", False) for m in _flat(messages))
        return json_error(400 if malformed else 422, _("Some of the data is not valid."), "invalid",
                          {key: [str(m) for m in _flat(value)] for key, value in messages.items()})
    if loaded["user_id"] != current_user.id:
        return json_error(409, _("These marks were taken under another account. They are sent only when that "
                                 "person signs in on this phone."), "other_user")
    try:
        result = attendance.sync(loaded["idempotency_key"], s.marks_of(loaded), actor=current_user._get_current_object())
    except OutreachError as error:
        return json_error(error.status, error.message, error.code, error.fields)
    if loaded["flash"]:
        _saved_message(result)
    return jsonify(s.SyncOut().dump(s.sync_answer(result)))


def _saved_message(result: attendance.SyncResult) -> None:
    """Saved online with the coordinator waiting: the page goes back to the workshop, which says what was saved
    (as after a plain form) when every mark of the one workshop was taken."""
    workshops = {item.mark.workshop_id for item in result.items}
    if len(workshops) != 1 or any(item.status not in (attendance.APPLIED, attendance.UNCHANGED)
                                  for item in result.items):
        return
    counts: dict[str, int] = {}
    for item in result.items:
        status = item.current.status if item.current is not None else ABSENT
        counts[status] = counts.get(status, 0) + 1
    flash(saved_message(counts), "success")


def _flat(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _flat(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _flat(item)
    else:
        yield value
