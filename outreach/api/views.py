"""The JSON API v1 (../shared/API.md): the blueprint, its OpenAPI document, and how both join the app.

create_app calls `init_app(app)`: flask-smorest's `Api` registers `bp` and builds the OpenAPI document from the
marshmallow schemas and decorators of the resources, served (without auth) at /api/v1/openapi.json.
"""
from __future__ import annotations

import http

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, jsonify
from flask_smorest import Api

from outreach.api import schemas as s
from outreach.api.blueprint import ERROR_DESCRIPTIONS, IdConverter, bp, id_parameter_schema
from outreach.api.resources import (  # noqa: F401  (each module adds its routes to bp)
    initiatives, reference, reports, schools, signups, students, tokens, workshops)
from outreach.extensions import csrf

# Only bearer tokens are accepted, never the session cookie, so a cross-site form cannot act for anyone.
csrf.exempt(bp)


class OutreachApi(Api):
    ERROR_SCHEMA = s.Error
    DEFAULT_ERROR_RESPONSE_NAME = None  # every operation lists its own statuses

    def _register_error_handlers(self) -> None:
        """outreach.errors already answers /api/ paths in the contract's error shape."""

    def _register_doc_blueprint(self) -> None:
        """The document is served by bp itself (GET /api/v1/openapi.json)."""

    def _register_responses(self) -> None:
        for code, description in ERROR_DESCRIPTIONS.items():
            self.spec.components.response(http.HTTPStatus(code).name, {
                "description": description,
                "content": {"application/json": {"schema": self.spec.components.get_ref("schema", "Error")}},
            }, lazy=True)


def openapi():
    return jsonify(current_app.extensions["outreach-api"].spec.to_dict())


# Added past flask-smorest's route() so that the document does not describe itself.
FlaskBlueprint.add_url_rule(bp, "/openapi.json", "openapi", openapi)


def init_app(app: Flask) -> None:
    api = OutreachApi(spec_kwargs={
        "title": "Outreach API", "version": "1.0.0", "openapi_version": "3.0.3",
        "info": {"description": "The JSON API of Outreach. Errors: {\"error\": {\"code\", \"message\", "
                                "\"fields\"}} in the Accept-Language language (kk, ru, en; default kk). "
                                "Lists take ?page= and ?per_page= (default 50, at most 200)."},
        "security": [{"bearerAuth": []}],
    })
    app.url_map.converters["id"] = IdConverter
    api.init_app(app)
    api.register_converter(IdConverter, id_parameter_schema)
    api.spec.components.schema("Error", schema=s.Error)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    api.spec.components.schemas.pop("PaginationMetadata", None)  # flask-smorest's own; unused here
    app.extensions["outreach-api"] = api
