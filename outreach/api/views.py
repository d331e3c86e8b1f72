"""The JSON API v1 (../shared/API.md): the blueprint, its OpenAPI document, and how both join the app.

create_app calls `init_app(app)`: flask-smorest's `Api` registers `bp` and builds the OpenAPI document from the
marshmallow schemas and decorators of the resources, served (without auth) at /api/v1/openapi.json.
"""
from __future__ import annotations

import http
import re
from datetime import date
from functools import partial
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, jsonify
from flask_smorest import Api

from outreach.api import fields as f
from outreach.api.schemas.common import Error
from outreach.api.schemas.initiatives import InitiativeIn
from outreach.api.schemas.workshops import WorkshopIn, WorkshopPatch
from outreach.api.fields import Translatable
from outreach.api.blueprint import ERROR_DESCRIPTIONS, bp, id_parameter_schema
from outreach.api.resources import (  # noqa: F401  (each module adds its routes to bp)
    artists, certificates, initiatives, outcomes, reference, reports, schools, signups, students, tokens,
    workshops)
from outreach.extensions import csrf
from outreach.i18n import LANGUAGES
from outreach import params
from outreach.params import IdConverter
from outreach.students.rules import today

# Only bearer tokens are accepted, never the session cookie, so a cross-site form cannot act for anyone.
csrf.exempt(bp)


class OutreachApi(Api):
    ERROR_SCHEMA = Error
    DEFAULT_ERROR_RESPONSE_NAME = None  # every operation lists its own statuses

    def _register_error_handlers(self) -> None:
        """outreach.errors already answers /api/ paths in the contract's error shape."""

    def _register_doc_blueprint(self) -> None:
        """The document is served by bp itself (GET /api/v1/openapi.json)."""

    def _register_responses(self) -> None:
        for code, description in ERROR_DESCRIPTIONS.items():
            response = {
                "description": description,
                "content": {"application/json": {"schema": self.spec.components.get_ref("schema", "Error")}},
            }
            if code == 503:
                response["headers"] = {"Retry-After": {"description": "Seconds to wait before trying again.",
                                                       "schema": {"type": "integer"}}}
            self.spec.components.response(http.HTTPStatus(code).name, response, lazy=code != 503)


def openapi():
    return jsonify(document(current_app.extensions["outreach-api"].spec.to_dict()))


def document(spec: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document, saying exactly what the server accepts: a `servers` entry, an operationId per
    operation (the endpoint's name), "at least one language" on required titles, and consent dates up to today."""
    spec["servers"] = [{"url": "/", "description": "This server"}]
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            operation = spec["paths"].get(path, {}).get(method.lower())
            if operation is not None:
                operation["operationId"] = rule.endpoint.split(".", 1)[1]
                # any operation may meet a database outage (outreach/errors.py)
                operation.setdefault("responses", {}).setdefault(
                    "503", {"$ref": "#/components/responses/SERVICE_UNAVAILABLE"})
    schemas = spec["components"]["schemas"]
    for name, schema_class in (("WorkshopIn", WorkshopIn), ("WorkshopPatch", WorkshopPatch),
                               ("InitiativeIn", InitiativeIn)):
        for field_name, field in schema_class._declared_fields.items():
            if isinstance(field, Translatable) and field.at_least_one and name in schemas:
                key = field.data_key or field_name
                schemas[name]["properties"][key] = _at_least_one_language(schemas, schemas[name]["properties"][key])
    # the attendance sheet takes one of its two forms; a mark of a batch says its mark one of two ways
    if "AttendanceIn" in schemas:
        schemas["AttendanceIn"]["oneOf"] = [{"required": ["present"]}, {"required": ["marks"]}]
    if "MarkIn" in schemas:
        schemas["MarkIn"]["anyOf"] = [{"required": ["mark"]}, {"required": ["present"]}]
    consent = schemas.get("ConsentIn", {}).get("properties", {}).get("given_on")
    if consent is not None:
        consent["pattern"] = dates_up_to(today())
        consent["description"] = "Not in the future (Asia/Almaty)"
    return spec


def _at_least_one_language(schemas: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    """The translatable object inlined, with anyOf: one of kk, ru, en holds more than blanks."""
    ref = prop.get("$ref") or next((p["$ref"] for p in prop.get("allOf", []) if "$ref" in p), None)
    base = dict(schemas[ref.rsplit("/", 1)[1]]) if ref else dict(prop)
    base["anyOf"] = [{"required": [code], "properties": {code: {"type": "string", "pattern": "\\S"}}}
                     for code in LANGUAGES]
    return base


def dates_up_to(last: date) -> str:
    """A pattern for ISO dates from MIN_YEAR-01-01 up to `last` (days 01-31 in any month, as DATE_PATTERN)."""
    day = "(0[1-9]|[12][0-9]|3[01])"
    month = "(0[1-9]|1[0-2])"
    years = "|".join(str(y) for y in range(f.MIN_YEAR, last.year))
    months = "|".join(f"{m:02d}" for m in range(1, last.month))
    days = "|".join(f"{d:02d}" for d in range(1, last.day + 1))
    parts = [f"({years})-{month}-{day}"] if years else []
    if months:
        parts.append(f"{last.year}-({months})-{day}")
    parts.append(f"{last.year}-{last.month:02d}-({days})")
    return "^(" + "|".join(parts) + ")$"


# Added past flask-smorest's route() so that the document does not describe itself.
FlaskBlueprint.add_url_rule(bp, "/openapi.json", "openapi", openapi)


def init_app(app: Flask) -> None:
    api = OutreachApi(spec_kwargs={
        "title": "Outreach API", "version": "1.0.0", "openapi_version": "3.0.3",
        "info": {"description": "The JSON API of Outreach. Errors: {\"error\": {\"code\", \"message\", "
                                "\"fields\"}} in the Accept-Language language (kk, ru, en; default kk). "
                                "Lists take ?page= and ?per_page= (default 50, at most 200). A request for a "
                                "host the server does not answer for (TRUSTED_HOSTS), or with a malformed Host, "
                                "is 400 with code bad_host. Text is kept in Unicode NFC; a text field with a "
                                "control character or an invisible format character (Unicode category Cf) is 422 "
                                "naming the field — text of several lines (descriptions, messages, answers) may "
                                "hold line breaks, tabs, U+200C and U+200D. Each text field's pattern lists those "
                                "of the Basic Multilingual Plane; these are refused as well: "
                                + params.ASTRAL_FORMAT_CHARACTERS + "."},
        "security": [{"bearerAuth": []}],
    })
    app.url_map.converters["id"] = partial(IdConverter, lenient=True)  # see IdConverter: the API's manner
    api.init_app(app)
    api.register_converter(IdConverter, id_parameter_schema)
    api.spec.components.schema("Error", schema=Error)
    api.spec.components.schema("PdfDocument", {"type": "string", "format": "binary"})  # certificates
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    api.spec.components.schemas.pop("PaginationMetadata", None)  # flask-smorest's own; unused here
    app.extensions["outreach-api"] = api
