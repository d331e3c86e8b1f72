"""The shapes of the API's initiatives."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g

from outreach.access import is_funder
from outreach.api import fields as f
from outreach.api.blueprint import PageArgs, page_schema
from outreach.api.schemas.common import MAX_IDS, translatable
from outreach.initiatives.rules import ART_FORMS, INITIATIVE_STATUSES


# ------------------------------------------------------------------------------------------ initiatives

class InitiativeIn(f.Body):
    title = f.Translatable(required=True, at_least_one=True)
    description = f.Translatable(multiline=True)
    art_form = f.String(required=True, validate=f.OneOf(ART_FORMS))
    starts_on = f.Date(required=True)
    ends_on = f.Date(required=True)
    target_students = f.Integer(allow_none=True, minimum=0)
    funder_ids = f.List(f.Integer(minimum=1), validate=f.Length(max=MAX_IDS))


def _funder_ids(initiative: Any) -> list[int]:
    ids = [funder.id for funder in initiative.funders]
    user = g.get("api_user")
    if user is not None and is_funder(user):  # a funder learns nothing about co-funders
        return [i for i in ids if i == user.funder_id]
    return ids


class InitiativeOut(f.Out):
    id = ma.fields.Integer(required=True)
    title = translatable()
    description = translatable()
    art_form = ma.fields.String(required=True, validate=ma.validate.OneOf(list(ART_FORMS)))
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    target_students = ma.fields.Integer(required=True, allow_none=True)
    funder_ids = ma.fields.Function(_funder_ids, required=True,
                                    metadata={"type": "array", "items": {"type": "integer"},
                                              "description": "A funder sees only its own id here"})
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(INITIATIVE_STATUSES)))


class InitiativesArgs(PageArgs):
    art_form = f.QueryString(validate=f.OneOf(ART_FORMS))
    funder_id = f.QueryInteger(minimum=1)
    status = f.QueryString(validate=f.OneOf(INITIATIVE_STATUSES))



InitiativePage = page_schema(InitiativeOut, "InitiativePage")
