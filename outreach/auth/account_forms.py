from wtforms import EmailField, SelectField, StringField

from outreach.auth.models import ROLES
from outreach.forms import BaseForm, max_length, optional, required
from outreach.i18n import LANGUAGES, _l


class AccountFilterForm(BaseForm):
    """The accounts list's search and filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[optional(), max_length(100)])
    role = SelectField(_l("Role"), choices=[("", _l("All roles")), *ROLES.items()], validators=[optional()])
    status = SelectField(_l("Status"), choices=[], validators=[optional()])
    signed_in = SelectField(_l("Last sign-in"), choices=[], validators=[optional()])
    organisation = SelectField(_l("Organisation"), choices=[], validators=[optional()], validate_choice=False)


class AccountSearchForm(AccountFilterForm):
    """The same fields sent by POST (outreach/students/searches.py): a person's name or e-mail never goes into a
    URL or an access log."""

    class Meta:
        csrf = True


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=list(ROLES.items()))
    school_id = SelectField(_l("School"), choices=[], validators=[optional()], validate_choice=False)
    funder_id = SelectField(_l("Funder"), choices=[], validators=[optional()], validate_choice=False)


class InviteStaffForm(BaseForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    name = StringField(_l("Full name"), validators=[optional(), max_length(200)])
    role = SelectField(_l("Role"), choices=[])
    locale = SelectField(_l("Language of the invitation"), choices=list(LANGUAGES.items()), default="kk")


class InvitationFilterForm(BaseForm):
    class Meta:
        csrf = False

    state = SelectField(_l("Status"), choices=[], validators=[optional()])
