"""The shapes of the API's impact report."""
from __future__ import annotations


import marshmallow as ma

from outreach.api import fields as f
from outreach.api.schemas.outcomes import OutcomeOut, OutcomeTargetOut, TeacherFeedbackOut
from outreach.schools.models import REGION_CODES


# ---------------------------------------------------------------------------------------- impact report

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
