"""The outcome target form: which pupils' question, and the share of pupils aimed at."""
from __future__ import annotations

from wtforms import IntegerField, SelectField

from outreach.forms import BaseForm, number_range, optional
from outreach.i18n import _l


class OutcomeTargetForm(BaseForm):
    target_key = SelectField(_l("Question"), choices=[])
    target_percent = IntegerField(_l("Share of pupils, %"), validators=[optional(), number_range(1, 100)])
