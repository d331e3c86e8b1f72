from wtforms import IntegerField, SelectField

from outreach.forms import BaseForm, DateField, number_range, optional
from outreach.i18n import _l


class AuditFilterForm(BaseForm):
    """Who, what, which object, when (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), choices=[], validators=[optional()], validate_choice=False)
    action = SelectField(_l("What"), choices=[], validators=[optional()])
    object_type = SelectField(_l("Kind of object"), choices=[], validators=[optional()])
    object_id = IntegerField(_l("Object number"), validators=[optional(), number_range(1, 2_147_483_647)])
    since = DateField(_l("From"), validators=[optional()])
    until = DateField(_l("To"), validators=[optional()])
