"""The shapes of the teaching artists and venues resources (../shared/API.md, "Added in v1.1")."""
from __future__ import annotations

import marshmallow as ma

from outreach.api import fields as f
from outreach.api.blueprint import PageArgs, page_schema
from outreach.api.schemas.common import LocalDateTime
from outreach.artists.records import NAME_MAX
from outreach.i18n import LANGUAGES
from outreach.initiatives.rules import ART_FORMS
from outreach.schools.models import REGION_CODES
from outreach.venues.services import ADDRESS_MAX, LOCALITY_MAX, MAX_CAPACITY

CONFIRM = {"metadata": {"description": "true: create (or rename) even though an existing record's name is the "
                                       "same once folded (otherwise 409 similar_name)"}}


class ArtistPatch(f.Body):
    name = f.String(validate=f.Length(min=1, max=NAME_MAX))
    art_forms = f.List(f.String(validate=f.OneOf(ART_FORMS)), validate=f.Length(max=len(ART_FORMS)))
    languages = f.List(f.String(validate=f.OneOf(LANGUAGES)), validate=f.Length(max=len(LANGUAGES)))
    home_region = f.String(validate=f.OneOf(REGION_CODES), allow_none=True,
                           metadata={"description": "ISO 3166-2:KZ code (see GET /regions)"})
    email = f.String(allow_none=True, validate=f.Length(max=254))
    phone = f.String(allow_none=True, validate=f.Length(max=40))
    confirm_distinct = f.Boolean(**CONFIRM)


class ArtistIn(ArtistPatch):
    name = f.String(required=True, validate=f.Length(min=1, max=NAME_MAX))
    home_region = f.String(required=True, validate=f.OneOf(REGION_CODES), allow_none=True,
                           metadata={"description": "ISO 3166-2:KZ code (see GET /regions)"})


class ArtistOut(f.Out):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    art_forms = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(ART_FORMS))), required=True)
    languages = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(LANGUAGES))), required=True)
    home_region = ma.fields.String(required=True, allow_none=True)
    email = ma.fields.String(required=True, allow_none=True)
    phone = ma.fields.String(required=True, allow_none=True)


class ArtistsArgs(PageArgs):
    q = f.QueryString(validate=f.Length(max=NAME_MAX), metadata={"description": "Part of the name, any spelling"})
    region = f.QueryString(validate=f.Length(max=8), metadata={"description": "Home region"})


class UnavailableIn(f.Body):
    from_ = f.DateTime(required=True, data_key="from")
    to = f.DateTime(required=True)
    reason = f.String(allow_none=True, validate=f.Length(max=200))


class UnavailableOut(f.Out):
    id = ma.fields.Integer(required=True)
    artist_id = ma.fields.Integer(required=True)
    from_ = LocalDateTime(required=True, data_key="from", attribute="starts_at")
    to = LocalDateTime(required=True, attribute="ends_at")
    reason = ma.fields.String(required=True, allow_none=True)
    workshops_inside = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "Ids of the artist's live workshops already in the period (kept; move or reassign them)"})


class HoursArgs(f.Query):
    date_from = f.QueryDate(data_key="from", metadata={"description": "First local date, included"})
    date_to = f.QueryDate(data_key="to", metadata={"description": "Last local date, included"})


class HoursOut(f.Out):
    workshops = ma.fields.Integer(required=True)
    hours = ma.fields.Float(required=True)


class VenuePatch(f.Body):
    name = f.String(validate=f.Length(min=1, max=NAME_MAX))
    region = f.String(validate=f.OneOf(REGION_CODES), metadata={"description": "ISO 3166-2:KZ code"})
    locality = f.String(validate=f.Length(min=1, max=LOCALITY_MAX), metadata={"description": "Town or village"})
    address = f.String(allow_none=True, validate=f.Length(max=ADDRESS_MAX))
    school_id = f.Integer(allow_none=True, minimum=1)
    capacity = f.Integer(allow_none=True, minimum=1, maximum=MAX_CAPACITY)
    confirm_distinct = f.Boolean(**CONFIRM)


class VenueIn(VenuePatch):
    name = f.String(required=True, validate=f.Length(min=1, max=NAME_MAX))
    region = f.String(required=True, validate=f.OneOf(REGION_CODES), metadata={"description": "ISO 3166-2:KZ code"})
    locality = f.String(required=True, validate=f.Length(min=1, max=LOCALITY_MAX),
                        metadata={"description": "Town or village"})


class VenueOut(f.Out):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    region = ma.fields.String(required=True, allow_none=True)
    locality = ma.fields.String(required=True, allow_none=True)
    address = ma.fields.String(required=True, allow_none=True)
    school_id = ma.fields.Integer(required=True, allow_none=True)
    capacity = ma.fields.Integer(required=True, allow_none=True)


class VenuesArgs(PageArgs):
    q = f.QueryString(validate=f.Length(max=NAME_MAX), metadata={"description": "Part of the name or locality"})
    region = f.QueryString(validate=f.Length(max=8))


ArtistPage = page_schema(ArtistOut, "ArtistPage")
VenuePage = page_schema(VenueOut, "VenuePage")
