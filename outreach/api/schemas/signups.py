"""The shapes of the API's sign-ups."""
from __future__ import annotations

from typing import Any

import marshmallow as ma

from outreach.api import fields as f
from outreach.api.blueprint import PageArgs, page_schema
# resources/signups.py serves a workshop's attendance and the offline batches beside its sign-ups
from outreach.api.schemas.attendance import (  # noqa: F401
    AttendanceIn, AttendanceList, AttendanceOut, SyncIn, SyncOut, marks_of, sync_answer,
)
from outreach.api.schemas.common import MAX_IDS
from outreach.signups.models import SIGNUP_STATUSES


# ------------------------------------------------------------------------------- sign-ups and attendance

class SignupsIn(f.Body):
    student_ids = f.List(f.Integer(minimum=1), required=True, validate=f.Length(min=1, max=MAX_IDS))


def _student_id(signup: Any) -> int | None:
    """Erased students' sign-ups stay as anonymous records."""
    student = signup.student
    return None if student is None or student.erased_at is not None else signup.student_id


class SignupOut(f.Out):
    id = ma.fields.Integer(required=True)
    workshop_id = ma.fields.Integer(required=True)
    student_id = ma.fields.Function(_student_id, required=True, allow_none=True,
                                    metadata={"type": "integer", "nullable": True,
                                              "description": "null for an erased student"})
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(SIGNUP_STATUSES)))
    waitlist_position = ma.fields.Integer(required=True, allow_none=True)


class SignupsArgs(PageArgs):
    status = f.QueryString(validate=f.OneOf(SIGNUP_STATUSES))


class SignupItems(f.Out):
    items = ma.fields.List(ma.fields.Nested(SignupOut), required=True)


class Cancellation(f.Out):
    cancelled = ma.fields.Nested(SignupOut, required=True)
    promoted = ma.fields.Nested(SignupOut, required=True, allow_none=True)


SignupPage = page_schema(SignupOut, "SignupPage")
