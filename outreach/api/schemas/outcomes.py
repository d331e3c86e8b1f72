"""The shapes of the API's feedback and outcomes (../shared/API.md, "Feedback and outcomes")."""
from __future__ import annotations

from typing import Any

import marshmallow as ma

from outreach.api import fields as f
from outreach.i18n import _
from outreach.outcomes.models import AUDIENCES, KINDS, PHASES, WHENS
from outreach.outcomes.services import MAX_ITEMS, MAX_QUESTIONS, QUESTION_MAX, TEXT_ANSWER_MAX


class QuestionIn(f.Body):
    key = f.String(required=True, validate=f.Length(max=40), metadata={
        "description": "a slug (a-z, 0-9, _): the same key in two initiatives is the same question"})
    kind = f.String(required=True, validate=f.OneOf(KINDS), metadata={
        "description": "scale5: 1…5 (faces for grades 0–4, stars for older pupils); yesno; text (teachers only)"})
    text = f.Translatable(required=True, at_least_one=True, max_length=QUESTION_MAX)


class QuestionnaireIn(f.Body):
    audience = f.String(required=True, validate=f.OneOf(AUDIENCES))
    when = f.String(load_default="before_after", validate=f.OneOf(WHENS), metadata={
        "description": "before_after: before the first session and after the last; after_each"})
    questions = f.List(f.Nested(QuestionIn), required=True, validate=f.Length(min=1, max=MAX_QUESTIONS))


class Text(f.Out):
    kk = ma.fields.String(required=True, allow_none=True, dump_default=None)
    ru = ma.fields.String(required=True, allow_none=True, dump_default=None)
    en = ma.fields.String(required=True, allow_none=True, dump_default=None)


class QuestionOut(f.Out):
    key = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(list(KINDS)))
    text = ma.fields.Nested(Text, required=True)


class QuestionnaireOut(f.Out):
    id = ma.fields.Integer(required=True)
    initiative_id = ma.fields.Integer(required=True)
    audience = ma.fields.String(required=True, validate=ma.validate.OneOf(list(AUDIENCES)))
    when = ma.fields.String(required=True, attribute="timing", validate=ma.validate.OneOf(list(WHENS)))
    questions = ma.fields.List(ma.fields.Nested(QuestionOut), required=True)


class QuestionnaireList(f.Out):
    items = ma.fields.List(ma.fields.Nested(QuestionnaireOut), required=True)


class AnswerValue(ma.fields.Field):
    """1…5 for scale5, true/false for yesno, null (or left out) to skip: another JSON type is 400."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if value is None or isinstance(value, (bool, int)) or (isinstance(value, str) and len(value) <= TEXT_ANSWER_MAX):
            return value
        raise f.problem(_("Answer with a number from 1 to 5, true or false, or null to skip."), malformed=True)


class ResponseItemIn(f.Body):
    signup_id = f.Integer(required=True, minimum=1)
    phase = f.String(required=True, validate=f.OneOf(PHASES))
    answers = ma.fields.Dict(keys=ma.fields.String(validate=f.Length(max=40)), values=AnswerValue(allow_none=True),
                             required=True, error_messages={"invalid": f.NOT_AN_OBJECT},
                             metadata={"description": "{question key: value}; a question left out or null is "
                                                      "skipped"})


class ResponsesIn(f.Body):
    items = f.List(f.Nested(ResponseItemIn), required=True, validate=f.Length(max=MAX_ITEMS))


class ResponsesOut(f.Out):
    saved = ma.fields.Integer(required=True)


class OutcomeOut(f.Out):
    """One pupils' question in the impact report: before and after (see API.md "Feedback and outcomes")."""

    key = ma.fields.String(required=True)
    text = ma.fields.Nested(Text, required=True)
    pairs = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "pupils with a first and a later answer in one initiative (one sign-up's before and after "
                       "for a single workshop; a series' first and last); for funders rounded, null below the "
                       "threshold"})
    before_mean = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "scale5: the mean 1…5; yesno: the share of yes (0…1); funders: one decimal"})
    after_mean = ma.fields.Float(required=True, allow_none=True)
    change = ma.fields.Float(required=True, allow_none=True, metadata={"description": "after_mean − before_mean"})
    suppressed = ma.fields.Boolean(required=True)


class TeacherFeedbackOut(f.Out):
    """One teachers' question in the impact report; the text answers themselves never leave the report page."""

    key = ma.fields.String(required=True)
    text = ma.fields.Nested(Text, required=True)
    responses = ma.fields.Integer(required=True, allow_none=True)
    mean = ma.fields.Float(required=True, allow_none=True, metadata={"description": "null for text questions"})
    suppressed = ma.fields.Boolean(required=True)


class OutcomeTargetOut(f.Out):
    """Extra: one initiative's outcome target and how far its pupils are (only with an initiative filter)."""

    key = ma.fields.String(required=True)
    text = ma.fields.Nested(Text, required=True)
    percent = ma.fields.Integer(required=True, metadata={"description": "the share of pupils aimed at, 1…100"})
    answered = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "pupils with a later answer to the question; funders: rounded, null below the threshold"})
    share = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "of those, the share whose last answer is 4 or 5 (or yes); funders: whole per cent"})
    suppressed = ma.fields.Boolean(required=True)
