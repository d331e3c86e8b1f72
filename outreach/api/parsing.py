"""Reading request bodies and query strings, and turning what is wrong with them into the contract's errors."""
from __future__ import annotations

import json
from typing import Any, NoReturn

import marshmallow as ma
from webargs.flaskparser import FlaskParser, is_json_request

from outreach.api.fields import LateMessage, Problem
from outreach.errors import OutreachError
from outreach.i18n import _


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def malformed(message: Any, code: str = "malformed_json") -> OutreachError:
    return OutreachError(message, code=code, status=400)


def too_large() -> OutreachError:
    return OutreachError(_("The request body is too large: at most 1 MB."), code="payload_too_large", status=413)


def flatten(messages: Any, prefix: str = "") -> dict[str, list[Any]]:
    """marshmallow's nested messages as {"guardian_consent.given_on": [...], "student_ids.2": [...]}."""
    out: dict[str, list[Any]] = {}

    def add(name: str, items: list[Any]) -> None:
        out.setdefault(name, []).extend(items)

    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == ma.exceptions.SCHEMA else (f"{prefix}.{key}" if prefix else str(key))
            for sub, items in flatten(value, name).items():
                add(sub, items)
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            if isinstance(item, (dict, list, tuple)):
                for sub, items in flatten(item, prefix).items():
                    add(sub, items)
            else:
                add(prefix, [item])
    else:
        add(prefix, [messages])
    return out


def _rendered(message: Any) -> Problem:
    if isinstance(message, Problem):
        return message
    if isinstance(message, LateMessage):
        return message.format()
    return Problem(str(message))


def validation_error(messages: Any) -> OutreachError:
    """400 when any field has the wrong JSON type, else 422; `fields` names each field with dots."""
    fields = {name: [_rendered(m) for m in items] for name, items in flatten(messages).items()}
    is_malformed = any(m.malformed for items in fields.values() for m in items)
    general = fields.pop("", None)
    if is_malformed:
        message = _("The request is malformed: some values have the wrong JSON type.")
        error = OutreachError(message, code="wrong_type", status=400, fields=fields)
    else:
        error = OutreachError(_("Some of the data is not valid."), code="invalid", status=422, fields=fields)
    if general and not fields:
        error.message = general[0]
    return error


class ApiParser(FlaskParser):
    """webargs' Flask parser, strict about JSON: a body that is not a JSON object is 400."""

    DEFAULT_VALIDATION_STATUS = 422

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        if not is_json_request(req):
            raise malformed(_("Send the body as JSON, with the header Content-Type: application/json."),
                            code="not_json")
        raw = req.get_data(cache=True)
        if req.content_length is None and req.max_content_length and len(raw) >= req.max_content_length:
            # a body without a length (chunked) is cut at the limit rather than refused: refuse it here
            raise too_large()
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
        except (ValueError, RecursionError, UnicodeDecodeError):
            # ValueError covers JSONDecodeError and integers too long to read
            raise malformed(_("The body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise malformed(_("The body must be a JSON object."))
        return data

    def handle_error(self, error: ma.ValidationError, req: Any, schema: ma.Schema, *,
                     error_status_code: int | None, error_headers: Any) -> NoReturn:
        messages = error.messages
        # webargs files messages under their location ({"json": {...}}); the client knows where it put them
        if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in self.__location_map__:
            messages = next(iter(messages.values()))
        raise validation_error(messages)

