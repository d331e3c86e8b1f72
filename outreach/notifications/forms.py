"""Forms of the outbox pages (input shape only)."""
from __future__ import annotations

from wtforms import SubmitField

from outreach.forms import BaseForm
from outreach.i18n import _l


class RetryForm(BaseForm):
    submit = SubmitField(_l("Retry now"))
