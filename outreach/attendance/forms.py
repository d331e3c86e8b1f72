"""The attendance roster form: one checkbox per confirmed student, ticked = present."""
from __future__ import annotations

from typing import Any, Sequence

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from outreach.forms import BaseForm, optional
from outreach.i18n import _l


class AttendanceForm(BaseForm):
    present = SelectMultipleField(_l("Present"), coerce=int, choices=[], validators=[optional()], validate_choice=False,
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def set_roster(self, signups: Sequence[Any]) -> None:
        """Only the confirmed students of this workshop can be ticked."""
        self.present.choices = [(s.student_id, str(s.student_id)) for s in signups]
