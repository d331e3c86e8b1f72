"""The shapes of attendance: a workshop's marks (API) and a batch of marks taken offline (the API's
/attendance/sync and the attendance page's own)."""
from __future__ import annotations

import re
from typing import Any

import marshmallow as ma

from outreach.api import fields as f
from outreach.api.blueprint import page_schema
from outreach.api.schemas.common import MAX_IDS, ErrorBody, LocalDateTime
from outreach.attendance.rules import ABSENT, MARKS, PRESENT
from outreach.attendance.services import MARK_STATUSES, MAX_MARKS, Mark
from outreach.i18n import _


# --------------------------------------------------------------------------------------------- attendance

class AttendanceMarkIn(f.Body):
    student_id = f.Integer(required=True, minimum=1)
    status = f.String(required=True, validate=f.OneOf(MARKS), metadata={
        "description": "present; late (give the minutes attended); excused: absent for a good reason (left out "
                       "of the attendance rate); absent: without one"})
    minutes = f.Integer(allow_none=True, load_default=None, minimum=1, metadata={
        "description": "Minutes attended, only for late: 1 … the workshop's duration"})


class AttendanceIn(f.Body):
    present = f.List(f.Integer(minimum=1), validate=f.Length(max=MAX_IDS * 4), metadata={
        "description": "The shorthand: these students present, every other confirmed one absent"})
    marks = f.List(f.Nested(AttendanceMarkIn), validate=f.Length(max=MAX_IDS * 4), metadata={
        "description": "One mark per student; every confirmed student not listed is absent"})

    @ma.validates_schema
    def _one_form(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("present" in data) == ("marks" in data):
            raise ma.ValidationError(f.Problem(_("Send one of the two: the students present (present) or the marks (marks).")), field_name="marks")


class AttendanceOut(f.Out):
    present = ma.fields.Integer(required=True)
    absent = ma.fields.Integer(required=True)
    late = ma.fields.Integer(metadata={"description": "With marks: how many were late"})
    excused = ma.fields.Integer(metadata={"description": "With marks: how many were absent for a good reason"})


class AttendanceItem(f.Out):
    signup_id = ma.fields.Integer(required=True)
    student_id = ma.fields.Integer(required=True, allow_none=True, metadata={"description": "null for an erased "
                                                                                             "student"})
    present = ma.fields.Boolean(required=True, allow_none=True, metadata={"description": "null while attendance "
                                                                                         "is not recorded; "
                                                                                         "true for late too"})
    status = ma.fields.String(required=True, allow_none=True, validate=ma.validate.OneOf(list(MARKS)),
                              metadata={"description": "null while attendance is not recorded"})
    minutes = ma.fields.Integer(required=True, allow_none=True, metadata={"description": "Minutes attended "
                                                                                         "(late only)"})
    media_consent = ma.fields.Boolean(required=True, metadata={"description": "false: the student must not be "
                                                                              "photographed or filmed"})


class AttendanceList(page_schema(AttendanceItem, "AttendanceItemPage")):
    recorded = ma.fields.Boolean(required=True, metadata={"description": "Whether attendance was recorded"})


class MarkedAt(f.DateTime):
    """When a mark was taken: RFC 3339 with seconds (what a phone's clock gives: Date.toISOString()), this
    century."""

    PATTERN = (r"^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
               r"(\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")

    def __init__(self, **kwargs: Any) -> None:
        metadata = {**kwargs.pop("metadata", {}), "pattern": self.PATTERN}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(self.PATTERN.strip("^$"), value) or parsed.year < 2000:
            raise f.problem(_("Not a valid time: use ISO 8601 with seconds and an offset, like "
                              "2027-03-08T10:00:00+05:00."))
        return parsed


class MarkIn(f.Body):
    workshop_id = f.Integer(required=True, minimum=1)
    student_id = f.Integer(required=True, minimum=1)
    present = f.Boolean(metadata={"description": "The yes/no mark (present or absent) of phones from before "
                                                 "`mark`; give one of the two"})
    mark = f.String(validate=f.OneOf(MARKS), metadata={"description": "present, late, excused or absent"})
    minutes = f.Integer(allow_none=True, load_default=None, minimum=1, metadata={
        "description": "Minutes attended, only for late: 1 … the workshop's duration (else the mark is refused "
                       "with invalid_minutes)"})
    marked_at = MarkedAt(required=True, metadata={"description": "When the mark was taken on the device (any "
                                                                   "offset); a time in the future counts as the "
                                                                   "time the batch arrives"})


class SyncIn(f.Body):
    idempotency_key = f.String(required=True, validate=[
        f.Length(min=1, max=64), ma.validate.Regexp(r"^[A-Za-z0-9_.:-]+$", error=f.INVALID)], metadata={
        "description": "Chosen by the device, one per batch (a UUID): the same key with the same marks again "
                       "changes nothing and gets the first answer back"})
    marks = f.List(f.Nested(MarkIn), required=True, validate=f.Length(min=1, max=MAX_MARKS))

    @ma.post_load
    def _marks(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for index, mark in enumerate(data.get("marks") or []):
            if "mark" not in mark and "present" not in mark:
                raise ma.ValidationError({"marks": {index: {"mark": [f.Problem(_("This field is required."))]}}})
            mark.setdefault("mark", PRESENT if mark.get("present") else ABSENT)
        return data


def marks_of(loaded: dict[str, Any]) -> list[Any]:
    """The marks of a loaded batch, as the attendance services take them."""
    return [Mark(m["workshop_id"], m["student_id"], m["mark"], m["marked_at"], m.get("minutes"))
            for m in loaded["marks"]]


class MarkOut(f.Out):
    workshop_id = ma.fields.Integer(required=True)
    student_id = ma.fields.Integer(required=True)
    present = ma.fields.Boolean(required=True, metadata={"description": "true for present and late"})
    mark = ma.fields.String(required=True, validate=ma.validate.OneOf(list(MARKS)))
    minutes = ma.fields.Integer(required=True, allow_none=True)
    marked_at = LocalDateTime(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(MARK_STATUSES)), metadata={
        "description": "applied: the server took it; unchanged: it already held this mark; superseded: a mark "
                       "taken later is kept instead; refused: see error"})
    error = ma.fields.Nested(ErrorBody, required=True, allow_none=True)
    current = ma.fields.Boolean(required=True, allow_none=True, metadata={
        "description": "Whether the server holds the student as attended now (present or late; null: nothing "
                       "recorded)"})
    current_mark = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "The mark the server holds now (null: nothing recorded)"})
    current_minutes = ma.fields.Integer(required=True, allow_none=True)


class SyncOut(f.Out):
    idempotency_key = ma.fields.String(required=True)
    replayed = ma.fields.Boolean(required=True, metadata={"description": "true when this batch had been received "
                                                                         "before (nothing changed this time)"})
    applied = ma.fields.Integer(required=True)
    refused = ma.fields.Integer(required=True)
    items = ma.fields.List(ma.fields.Nested(MarkOut), required=True)


def sync_answer(result: Any) -> dict[str, Any]:
    """The API's (and the attendance page's) view of a synced batch."""
    return {
        "idempotency_key": result.key, "replayed": result.replayed,
        "applied": result.count("applied"), "refused": result.count("refused"),
        "items": [{"workshop_id": item.mark.workshop_id, "student_id": item.mark.student_id,
                   "present": item.mark.present, "mark": item.mark.status, "minutes": item.mark.minutes,
                   "marked_at": item.mark.marked_at, "status": item.status,
                   "error": {"code": item.code, "message": item.message} if item.code else None,
                   "current": item.current.present if item.current is not None else None,
                   "current_mark": item.current.status if item.current is not None else None,
                   "current_minutes": item.current.minutes if item.current is not None else None}
                  for item in result.items],
    }
