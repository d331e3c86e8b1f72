"""The shapes of the API's reference data: regions and funders."""
from __future__ import annotations


import marshmallow as ma

from outreach.api import fields as f
from outreach.api.blueprint import page_schema
from outreach.i18n import LANGUAGES


# ------------------------------------------------------------------------------------- reference data

class Region(f.Out):
    code = ma.fields.String(required=True, metadata={"description": "ISO 3166-2:KZ"})
    name = ma.fields.Function(lambda region: region.names, required=True,
                              metadata={"type": "object", "properties": {c: {"type": "string"} for c in LANGUAGES}})


class Funder(f.Out):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


RegionPage = page_schema(Region, "RegionPage")
FunderPage = page_schema(Funder, "FunderPage")
