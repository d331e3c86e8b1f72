"""Forms of the outbox pages (input shape only)."""
from __future__ import annotations

from wtforms import SelectField, SubmitField

from outreach.forms import BaseForm, optional
from outreach.i18n import _l
from outreach.notifications.services import STATUSES


class OutboxFilterForm(BaseForm):
    """The status filter of the outbox list (GET, no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[("", _l("All"))] + list(STATUSES.items()), default="",
                         validators=[optional()])


class RetryForm(BaseForm):
    submit = SubmitField(_l("Retry now"))
