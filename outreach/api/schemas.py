"""The shapes of the API: request bodies and query strings (strict) and responses, as in ../shared/API.md."""
from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from flask import g

from outreach.access import can_take_attendance, is_funder, sees_seat_counts
from outreach.api import fields as f
from outreach.api.blueprint import PageArgs, page_schema
from outreach.api.outcome_schemas import OutcomeOut, OutcomeTargetOut, TeacherFeedbackOut
from outreach.attendance.rules import ABSENT, MARKS, PRESENT
from outreach.attendance.services import MARK_STATUSES, MAX_MARKS, Mark, no_media_count
from outreach.auth.models import ROLES
from outreach.dbtypes import local_tz
from outreach.i18n import LANGUAGES, _
from outreach.initiatives.rules import ART_FORMS, INITIATIVE_STATUSES
from outreach.schools.models import INSTRUCTION_LANGUAGES, REGION_CODES, SETTLEMENT_TYPES, School
from outreach.signups.models import SIGNUP_STATUSES
from outreach.students.models import CONSENT_METHODS, GENDERS, GuardianConsent, Student
from outreach.workshops.models import Workshop
from outreach.workshops.rules import DELIVERY_LANGUAGES, MAX_DURATION, MAX_GRADE, MIN_GRADE, SETTABLE_STATUSES, \
    WORKSHOP_STATUSES

GRADES = {"minimum": MIN_GRADE, "maximum": MAX_GRADE}
MAX_IDS = 500  # students in one sign-up request or one attendance list


def _length(column: Any) -> int:
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


def _translatable(**kwargs: Any) -> ma.fields.Nested:
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


# ---------------------------------------------------------------------------------------------- tokens

class TokenIn(f.Body):
    # as typed: an address no account has (invisible characters included) is wrong credentials, 401, like any other
    email = f.String(required=True, raw=True, validate=f.Length(max=254))
    password = f.String(required=True, raw=True, validate=f.Length(max=1024))


class Token(f.Out):
    token = ma.fields.String(required=True)
    expires_at = LocalDateTime(required=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(list(ROLES)))


# ------------------------------------------------------------------------------------- reference data

class Region(f.Out):
    code = ma.fields.String(required=True, metadata={"description": "ISO 3166-2:KZ"})
    name = ma.fields.Function(lambda region: region.names, required=True,
                              metadata={"type": "object", "properties": {c: {"type": "string"} for c in LANGUAGES}})


class Funder(f.Out):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


# ---------------------------------------------------------------------------------------------- schools

class SchoolIn(f.Body):
    name = f.String(required=True, validate=f.Length(min=1, max=_length(School.name)))
    region = f.String(required=True, validate=f.OneOf(REGION_CODES),
                      metadata={"description": "ISO 3166-2:KZ code of a region (see GET /regions)"})
    locality = f.String(required=True, validate=f.Length(min=1, max=_length(School.locality)))
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
    region = f.QueryString(validate=f.Length(max=_length(School.region_code)))
    q = f.QueryString(validate=f.Length(max=200), metadata={"description": "Part of the name, any case"})
    settlement_type = f.QueryString(validate=f.OneOf(SETTLEMENT_TYPES))
    language = f.QueryString(validate=f.OneOf(INSTRUCTION_LANGUAGES))


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
    title = _translatable()
    description = _translatable()
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


# -------------------------------------------------------------------------------------------- workshops

class WorkshopPatch(f.Body):
    initiative_id = f.Integer(minimum=1)
    title = f.Translatable(at_least_one=True)
    starts_at = f.DateTime(metadata={"description": "Any offset; shown back in +05:00"})
    duration_minutes = f.Integer(minimum=1, maximum=MAX_DURATION)
    capacity = f.Integer(minimum=1)
    artist_id = f.Integer(minimum=1, metadata={"description": "The teaching artist (GET /artists)"})
    venue_id = f.Integer(minimum=1, metadata={"description": "The venue (GET /venues)"})
    venue = f.String(validate=f.Length(min=1, max=_length(Workshop.venue)),
                     metadata={"description": "Instead of venue_id: a name that folds to exactly one venue's"})
    instructor = f.String(validate=f.Length(min=1, max=_length(Workshop.instructor)),
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
    title = _translatable()
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
    region = f.QueryString(validate=f.Length(max=_length(School.region_code)))
    instructor = f.QueryString(validate=f.Length(max=_length(Workshop.instructor)))
    venue = f.QueryString(validate=f.Length(max=_length(Workshop.venue)))
    artist_id = f.QueryInteger(minimum=1)
    venue_id = f.QueryInteger(minimum=1)


# --------------------------------------------------------------------------------------------- students

class ConsentIn(f.Body):
    guardian_name = f.String(required=True, validate=f.Length(min=1, max=_length(GuardianConsent.guardian_name)))
    relationship = f.String(required=True,
                            validate=f.Length(min=1, max=_length(GuardianConsent.relationship_to_student)))
    given_on = f.Date(required=True)
    method = f.String(validate=f.OneOf(CONSENT_METHODS), metadata={"description": "Default \"paper\""})


class StudentIn(f.Body):
    first_name = f.String(required=True, validate=f.Length(min=1, max=_length(Student.first_name)))
    last_name = f.String(required=True, validate=f.Length(min=1, max=_length(Student.last_name)))
    grade = f.Integer(required=True, **GRADES)
    gender = f.String(required=True, validate=f.OneOf(GENDERS))
    school_id = f.Integer(minimum=1, metadata={"description": "Coordinators and admins only; a school "
                                                              "representative's students go to its school"})
    guardian_consent = f.Nested(ConsentIn, required=True)
    media_consent = f.Boolean(metadata={"description": "The guardian agreed to photos and video of the student; "
                                                       "default false (no photos or video)"})


class ConsentOut(f.Out):
    guardian_name = ma.fields.String(required=True, allow_none=True)
    relationship = ma.fields.String(attribute="relationship_to_student", required=True, allow_none=True)
    given_on = ma.fields.Date(required=True)
    method = ma.fields.String(required=True, validate=ma.validate.OneOf(list(CONSENT_METHODS)))


class StudentOut(f.Out):
    id = ma.fields.Integer(required=True)
    school_id = ma.fields.Integer(required=True)
    first_name = ma.fields.String(required=True, allow_none=True)
    last_name = ma.fields.String(required=True, allow_none=True)
    grade = ma.fields.Integer(required=True)
    gender = ma.fields.String(required=True, validate=ma.validate.OneOf(list(GENDERS)))
    guardian_consent = ma.fields.Nested(ConsentOut, attribute="consent", required=True, allow_none=True)
    media_consent = ma.fields.Boolean(required=True, metadata={"description": "Photos and video allowed by the "
                                                                              "guardian"})


class StudentsArgs(PageArgs):
    school_id = f.QueryInteger(minimum=1)
    q = f.QueryString(validate=f.Length(max=200), metadata={"description": "Part of the name, any case"})
    grade = f.QueryInteger(**GRADES)


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


# ---------------------------------------------------------------------------------------- impact report

class CertificateArgs(f.Query):
    initiative_id = f.QueryInteger(required=True, minimum=1, metadata={
        "description": "The initiative the certificate is for; missing, not a number or not an initiative: 422"})
    lang = f.QueryString(validate=f.OneOf(LANGUAGES), metadata={
        "description": "kk, ru or en; default the school's language (kk or ru; a school teaching in both: the "
                       "Accept-Language one of them, else kk)"})


class SchoolCertificatesArgs(CertificateArgs):
    grade = f.QueryInteger(minimum=MIN_GRADE, maximum=MAX_GRADE, metadata={
        "description": "Extra: only the students of this grade (one class)"})


class ImpactArgs(f.Query):
    initiative_id = f.QueryInteger(minimum=1)
    region = f.QueryString(validate=f.OneOf(REGION_CODES), metadata={"description": "ISO 3166-2:KZ code"})
    date_from = f.QueryDate(data_key="from", metadata={"description": "Inclusive; workshop start date in "
                                                                      "Asia/Almaty"})
    date_to = f.QueryDate(data_key="to", metadata={"description": "Inclusive; workshop start date in Asia/Almaty"})


class Cell(f.Out):
    key = ma.fields.String(required=True)
    students_reached = ma.fields.Integer(required=True, allow_none=True)
    suppressed = ma.fields.Boolean(required=True)
    suppressed_because = ma.fields.String(
        allow_none=True,
        metadata={"description": "Extra: why a cell is hidden — `small` (fewer students than the threshold) or "
                                 "`complementary` (hidden only so that a smaller one cannot be worked out; it "
                                 "may be large); null when shown"})


class ImpactFilters(f.Out):
    """The filters the figures were counted with."""

    initiative_id = ma.fields.Integer(required=True, allow_none=True)
    region = ma.fields.String(required=True, allow_none=True)
    date_from = ma.fields.String(attribute="from", data_key="from", required=True, allow_none=True,
                                 metadata={"format": "date"})
    date_to = ma.fields.String(attribute="to", data_key="to", required=True, allow_none=True,
                               metadata={"format": "date"})


class ImpactReport(f.Out):
    filters = ma.fields.Nested(ImpactFilters, required=True)
    # null for a funder when the selection has fewer students than the threshold (rule 2)
    students_reached = ma.fields.Integer(required=True, allow_none=True)
    signups = ma.fields.Integer(required=True, allow_none=True)
    workshops_delivered = ma.fields.Integer(required=True)
    attendance_rate = ma.fields.Float(required=True, allow_none=True)
    student_hours = ma.fields.Float(required=True, allow_none=True)
    schools_reached = ma.fields.Integer(required=True, allow_none=True)
    regions_reached = ma.fields.Integer(required=True)
    target_students = ma.fields.Integer(required=True, allow_none=True)
    by_region = ma.fields.List(ma.fields.Nested(Cell), required=True)
    by_gender = ma.fields.List(ma.fields.Nested(Cell), required=True)
    by_grade_band = ma.fields.List(ma.fields.Nested(Cell), required=True)
    by_settlement_type = ma.fields.List(ma.fields.Nested(Cell), required=True)
    by_month = ma.fields.List(ma.fields.Nested(Cell), required=True)
    by_hours_band = ma.fields.List(ma.fields.Nested(Cell), required=True, metadata={
        "description": "Students reached by the hours each attended in the filter: 0-2, 2-5, 5-10, 10+ (lower "
                       "bound included); protected for funders like every breakdown"})
    average_hours = ma.fields.Float(allow_none=True, metadata={
        "description": "Extra: student-hours per student reached; for funders to the half hour, null when the "
                       "selection is suppressed"})
    by_language = ma.fields.List(ma.fields.Nested(Cell), metadata={"description": "Extra: by the workshop's "
                                                                                  "language (kk, ru, en)"})
    outcomes = ma.fields.List(ma.fields.Nested(OutcomeOut), required=True)
    teacher_feedback = ma.fields.List(ma.fields.Nested(TeacherFeedbackOut), required=True)
    outcome_target = ma.fields.Nested(OutcomeTargetOut, allow_none=True)
    suppression_threshold = ma.fields.Integer(required=True, allow_none=True)
    rounding_base = ma.fields.Integer(required=True, allow_none=True)
    suppressed = ma.fields.Boolean(required=True)


RegionPage = page_schema(Region, "RegionPage")
FunderPage = page_schema(Funder, "FunderPage")
SchoolPage = page_schema(SchoolOut, "SchoolPage")
InitiativePage = page_schema(InitiativeOut, "InitiativePage")
WorkshopPage = page_schema(WorkshopOut, "WorkshopPage")
StudentPage = page_schema(StudentOut, "StudentPage")
SignupPage = page_schema(SignupOut, "SignupPage")
