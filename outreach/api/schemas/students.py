"""The shapes of the API's students and their guardians' consent."""
from __future__ import annotations


import marshmallow as ma

from outreach.api import fields as f
from outreach.api.blueprint import PageArgs, page_schema
from outreach.api.schemas.common import GRADES, column_length
from outreach.students.models import CONSENT_METHODS, GENDERS, GuardianConsent, Student


# --------------------------------------------------------------------------------------------- students

class ConsentIn(f.Body):
    guardian_name = f.String(required=True, validate=f.Length(min=1, max=column_length(GuardianConsent.guardian_name)))
    relationship = f.String(required=True,
                            validate=f.Length(min=1, max=column_length(GuardianConsent.relationship_to_student)))
    given_on = f.Date(required=True)
    method = f.String(validate=f.OneOf(CONSENT_METHODS), metadata={"description": "Default \"paper\""})


class StudentIn(f.Body):
    first_name = f.String(required=True, validate=f.Length(min=1, max=column_length(Student.first_name)))
    last_name = f.String(required=True, validate=f.Length(min=1, max=column_length(Student.last_name)))
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



StudentPage = page_schema(StudentOut, "StudentPage")
