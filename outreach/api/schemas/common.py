"""The pieces every API shape uses: instants in the programme's time zone, text in three languages, the error body."""
from __future__ import annotations

from typing import Any

import marshmallow as ma

from outreach.api import fields as f
from outreach.dbtypes import local_tz
from outreach.workshops.rules import MAX_GRADE, MIN_GRADE

GRADES = {"minimum": MIN_GRADE, "maximum": MAX_GRADE}
MAX_IDS = 500  # students in one sign-up request or one attendance list


def column_length(column: Any) -> int:
    """The column's size: longer text could not be stored."""
    return column.property.columns[0].type.length


class LocalDateTime(ma.fields.DateTime):
    """An instant shown in the programme's time zone: 2027-03-08T10:00:00+05:00."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.astimezone(local_tz()).isoformat(timespec="seconds")


class TranslatableText(f.Out):
    """Text in Kazakh, Russian and English; a language not filled in is null."""

    kk = ma.fields.String(required=True, allow_none=True, dump_default=None)
    ru = ma.fields.String(required=True, allow_none=True, dump_default=None)
    en = ma.fields.String(required=True, allow_none=True, dump_default=None)


def translatable(**kwargs: Any) -> ma.fields.Nested:
    return ma.fields.Nested(TranslatableText, required=True, **kwargs)


# ---------------------------------------------------------------------------------------------- errors

class ErrorBody(f.Out):
    code = ma.fields.String(required=True, metadata={"description": "snake_case code"})
    message = ma.fields.String(required=True, metadata={"description": "In the Accept-Language language"})
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.Raw(metadata={
        "oneOf": [{"type": "string"}, {"type": "integer"}]})), metadata={
        "description": "Messages per field; nested fields named with dots (guardian_consent.given_on). For "
                       "409 similar_name, fields.name holds the id of the existing record"})


class Error(f.Out):
    error = ma.fields.Nested(ErrorBody, required=True)
