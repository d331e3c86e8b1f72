from wtforms import StringField

from outreach.forms import BaseForm, max_length, optional, required
from outreach.funders.services import NAME_MAX
from outreach.i18n import _l


class FunderForm(BaseForm):
    name = StringField(_l("Name of the organisation"), validators=[required(), max_length(NAME_MAX)])


class FunderFilterForm(BaseForm):
    """A GET form: no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[optional(), max_length(100)])
