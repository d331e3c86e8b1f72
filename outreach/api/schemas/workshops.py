"""The shapes of the API's workshops."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g

from outreach.access import can_take_attendance, sees_seat_counts
from outreach.api import fields as f
from outreach.api.blueprint import PageArgs, page_schema
from outreach.api.schemas.common import GRADES, LocalDateTime, column_length, translatable
from outreach.attendance.services import no_media_count
from outreach.schools.models import School
from outreach.workshops.models import Workshop
from outreach.workshops.rules import DELIVERY_LANGUAGES, MAX_DURATION, SETTABLE_STATUSES, WORKSHOP_STATUSES


# -------------------------------------------------------------------------------------------- workshops

class WorkshopPatch(f.Body):
    initiative_id = f.Integer(minimum=1)
    title = f.Translatable(at_least_one=True)
    starts_at = f.DateTime(metadata={"description": "Any offset; shown back in +05:00"})
    duration_minutes = f.Integer(minimum=1, maximum=MAX_DURATION)
    capacity = f.Integer(minimum=1)
    artist_id = f.Integer(minimum=1, metadata={"description": "The teaching artist (GET /artists)"})
    venue_id = f.Integer(minimum=1, metadata={"description": "The venue (GET /venues)"})
    venue = f.String(validate=f.Length(min=1, max=column_length(Workshop.venue)),
                     metadata={"description": "Instead of venue_id: a name that folds to exactly one venue's"})
    instructor = f.String(validate=f.Length(min=1, max=column_length(Workshop.instructor)),
                          metadata={"description": "Instead of artist_id: a name that folds to exactly one "
                                                   "artist's"})
    language = f.String(validate=f.OneOf(DELIVERY_LANGUAGES))
    min_grade = f.Integer(**GRADES)
    max_grade = f.Integer(**GRADES)
    status = f.String(validate=f.OneOf(list(SETTABLE_STATUSES)), metadata={"description": "Only \"cancelled\""})


class WorkshopIn(WorkshopPatch):
    class Meta:
        exclude = ("status",)

    initiative_id = f.Integer(minimum=1, required=True)
    title = f.Translatable(at_least_one=True, required=True)
    starts_at = f.DateTime(required=True, metadata={"description": "Any offset; shown back in +05:00"})
    duration_minutes = f.Integer(minimum=1, maximum=MAX_DURATION, required=True)
    capacity = f.Integer(minimum=1, required=True)
    language = f.String(required=True, validate=f.OneOf(DELIVERY_LANGUAGES))
    min_grade = f.Integer(required=True, **GRADES)
    max_grade = f.Integer(required=True, **GRADES)


class WorkshopOut(f.Out):
    id = ma.fields.Integer(required=True)
    initiative_id = ma.fields.Integer(required=True)
    title = translatable()
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    duration_minutes = ma.fields.Integer(required=True)
    capacity = ma.fields.Integer(required=True)
    artist_id = ma.fields.Integer(required=True)
    venue_id = ma.fields.Integer(required=True)
    venue = ma.fields.String(required=True, metadata={"description": "The venue's name"})
    instructor = ma.fields.String(required=True, metadata={"description": "The teaching artist's name"})
    language = ma.fields.String(required=True, validate=ma.validate.OneOf(list(DELIVERY_LANGUAGES)))
    min_grade = ma.fields.Integer(required=True)
    max_grade = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(WORKSHOP_STATUSES)))
    seats_taken = ma.fields.Function(lambda w: _seat_count(w.seats_taken), required=True, allow_none=True,
                                     metadata={"type": "integer", "description": "null for funders"})
    waitlist_length = ma.fields.Function(lambda w: _seat_count(w.waitlist_length), required=True, allow_none=True,
                                         metadata={"type": "integer", "description": "null for funders"})
    no_media_count = ma.fields.Function(lambda workshop: _no_media_count(workshop), required=True, allow_none=True,
                                        metadata={"type": "integer", "nullable": True, "description":
                                                  "Confirmed students who must not be photographed or filmed (no "
                                                  "media consent); null for those who do not take attendance"})


def _no_media_count(workshop: Any) -> int | None:
    user = g.get("api_user")
    if user is None or not can_take_attendance(user, workshop):  # never for funders, nor schools
        return None
    return no_media_count(workshop.id)


def _seat_count(value: int) -> int | None:
    """A workshop's count of children: None for funders (a small group; they get counts only from the report)."""
    return value if sees_seat_counts(g.get("api_user")) else None


class WorkshopsArgs(PageArgs):
    initiative_id = f.QueryInteger(minimum=1)
    date_from = f.QueryDate(data_key="from", metadata={"description": "Start date (Asia/Almaty) on or after"})
    date_to = f.QueryDate(data_key="to", metadata={"description": "Start date (Asia/Almaty) on or before"})
    status = f.QueryString(validate=f.OneOf(WORKSHOP_STATUSES))
    region = f.QueryString(validate=f.Length(max=column_length(School.region_code)))
    instructor = f.QueryString(validate=f.Length(max=column_length(Workshop.instructor)))
    venue = f.QueryString(validate=f.Length(max=column_length(Workshop.venue)))
    artist_id = f.QueryInteger(minimum=1)
    venue_id = f.QueryInteger(minimum=1)



WorkshopPage = page_schema(WorkshopOut, "WorkshopPage")
