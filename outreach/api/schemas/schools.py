"""The shapes of the API's schools."""
from __future__ import annotations


import marshmallow as ma

from outreach.api import fields as f
from outreach.api.blueprint import PageArgs, page_schema
from outreach.api.schemas.common import column_length
from outreach.schools.models import INSTRUCTION_LANGUAGES, REGION_CODES, SETTLEMENT_TYPES, School


# ---------------------------------------------------------------------------------------------- schools

class SchoolIn(f.Body):
    name = f.String(required=True, validate=f.Length(min=1, max=column_length(School.name)))
    region = f.String(required=True, validate=f.OneOf(REGION_CODES),
                      metadata={"description": "ISO 3166-2:KZ code of a region (see GET /regions)"})
    locality = f.String(required=True, validate=f.Length(min=1, max=column_length(School.locality)))
    settlement_type = f.String(required=True, validate=f.OneOf(SETTLEMENT_TYPES))
    languages = f.List(f.String(validate=f.OneOf(INSTRUCTION_LANGUAGES)), required=True,
                       validate=f.Length(min=1, max=len(INSTRUCTION_LANGUAGES) * 2))


class SchoolOut(f.Out):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    region = ma.fields.String(attribute="region_code", required=True)
    locality = ma.fields.String(required=True)
    settlement_type = ma.fields.String(required=True, validate=ma.validate.OneOf(list(SETTLEMENT_TYPES)))
    languages = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(INSTRUCTION_LANGUAGES))),
                               required=True)


class SchoolsArgs(PageArgs):
    region = f.QueryString(validate=f.Length(max=column_length(School.region_code)))
    q = f.QueryString(validate=f.Length(max=200), metadata={"description": "Part of the name, any case"})
    settlement_type = f.QueryString(validate=f.OneOf(SETTLEMENT_TYPES))
    language = f.QueryString(validate=f.OneOf(INSTRUCTION_LANGUAGES))



SchoolPage = page_schema(SchoolOut, "SchoolPage")
