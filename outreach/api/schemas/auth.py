"""The shapes of the API's tokens (POST /tokens)."""
from __future__ import annotations


import marshmallow as ma

from outreach.api import fields as f
from outreach.api.schemas.common import LocalDateTime
from outreach.auth.models import ROLES


# ---------------------------------------------------------------------------------------------- tokens

class TokenIn(f.Body):
    # as typed: an address no account has (invisible characters included) is wrong credentials, 401, like any other
    email = f.String(required=True, raw=True, validate=f.Length(max=254))
    password = f.String(required=True, raw=True, validate=f.Length(max=1024))


class Token(f.Out):
    token = ma.fields.String(required=True)
    expires_at = LocalDateTime(required=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(list(ROLES)))
