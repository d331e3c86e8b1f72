from wtforms import BooleanField, EmailField, PasswordField, SelectField, SubmitField

from outreach.forms import BaseForm, max_length, required
from outreach.i18n import LANGUAGES, _l


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(200)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[required()])
    new_password = PasswordField(_l("New password"), validators=[required(), max_length(200)])
    submit = SubmitField(_l("Change password"))


class SetPasswordForm(BaseForm):
    new_password = PasswordField(_l("New password"), validators=[required(), max_length(200)])
    submit = SubmitField(_l("Set password"))


class LanguageForm(BaseForm):
    locale = SelectField(_l("Language"), choices=list(LANGUAGES.items()))
    submit = SubmitField(_l("Save"))


class RemindersForm(BaseForm):
    reminders = BooleanField(_l("E-mail reminders"))
    submit = SubmitField(_l("Save"))


class EmptyForm(BaseForm):
    """A form with only the CSRF token, for buttons that change something."""

    submit = SubmitField(_l("Confirm"))


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    submit = SubmitField(_l("Send the link"))
