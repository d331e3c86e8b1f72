"""The attendance roster form: one tap per confirmed student for present, and per row a small menu for the
other marks (late with the minutes late, excused, absent without a good reason)."""
from __future__ import annotations

from typing import Any, Sequence

from wtforms import IntegerField, RadioField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from outreach.attendance.rules import ABSENT, EXCUSED, LATE, PRESENT
from outreach.forms import BaseForm, number_range, optional, row_id
from outreach.i18n import _l

#: the menu's choices ("" = as the tap says: present when ticked, else absent)
MENU = ("", LATE, EXCUSED, ABSENT)


class AttendanceForm(BaseForm):
    present = SelectMultipleField(_l("Present"), coerce=row_id, choices=[], validators=[optional()], validate_choice=False,
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def set_roster(self, signups: Sequence[Any]) -> None:
        """Only the confirmed students of this workshop can be ticked."""
        self.present.choices = [(s.student_id, str(s.student_id)) for s in signups]

    @classmethod
    def for_roster(cls, signups: Sequence[Any], duration: int, **kwargs: Any) -> "AttendanceForm":
        """The form for this roster: the tick, and per student the menu's mark and the minutes late."""

        class RosterForm(cls):  # type: ignore[misc, valid-type]
            pass

        for signup in signups:
            sid = signup.student_id
            setattr(RosterForm, f"mark_{sid}", RadioField(_l("Other mark"), choices=[(m, m) for m in MENU],
                                                          default="", validators=[optional()]))
            setattr(RosterForm, f"late_{sid}", IntegerField(
                _l("Minutes late"), widget=NumberInput(min=1, max=max(duration - 1, 1)),
                validators=[optional(), number_range(1, max(duration - 1, 1))]))
        form = RosterForm(**kwargs)
        form.set_roster(signups)
        form.duration = duration
        return form

    def mark_field(self, student_id: int):
        return self[f"mark_{student_id}"]

    def late_field(self, student_id: int):
        return self[f"late_{student_id}"]

    def late_missing(self) -> list[int]:
        """The students marked late without the minutes."""
        return [sid for sid, _label in self.present.choices
                if self.mark_field(sid).data == LATE and self.late_field(sid).data is None]

    def show(self, recorded: dict[int, Any]) -> None:
        """Tick and set the menus as recorded (student id → mark)."""
        self.present.data = [sid for sid, mark in recorded.items() if mark.status == PRESENT]
        for sid, _label in self.present.choices:
            mark = recorded.get(sid)
            if mark is None or mark.status == PRESENT:
                continue
            self.mark_field(sid).data = mark.status
            if mark.status == LATE and mark.minutes is not None:
                self.late_field(sid).data = max(self.duration - mark.minutes, 1)

    def marks(self) -> dict[int, Any]:
        """Student id → (status, minutes attended), for the attendance service."""
        ticked = set(self.present.data or [])
        out: dict[int, Any] = {}
        for sid, _label in self.present.choices:
            chosen = self.mark_field(sid).data or ""
            if chosen == LATE:
                late = self.late_field(sid).data or 0
                out[sid] = (LATE, max(self.duration - late, 1))
            elif chosen in (EXCUSED, ABSENT):
                out[sid] = (chosen, None)
            elif sid in ticked:
                out[sid] = (PRESENT, None)
        for sid in ticked - set(out) - {sid for sid, _label in self.present.choices}:
            out[sid] = (PRESENT, None)  # not on the roster: the service refuses it
        return out
