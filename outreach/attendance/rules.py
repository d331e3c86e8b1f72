"""The rules of a mark, declared once: the allowed values and how a mark is checked against its workshop.

The attendance page, the API schemas and the services take them from here (the values live beside the CHECK
constraints in `models.py`)."""
from __future__ import annotations

from outreach.attendance.models import ABSENT, ATTENDED, EXCUSED, LATE, MARKS, PRESENT
from outreach.i18n import _, _l, ngettext

__all__ = ["ABSENT", "ATTENDED", "EXCUSED", "LATE", "MARKS", "PRESENT", "minutes_problem",
           "minutes_attended", "STATUS_LABELS", "saved_message"]

#: how a mark reads on pages, e-mails and the audit log
STATUS_LABELS = {
    PRESENT: _l("Present"),
    LATE: _l("Late"),
    EXCUSED: _l("Excused absence"),
    ABSENT: _l("Absent without a good reason"),
}


def minutes_problem(status: str, minutes: int | None, duration: int):
    """Why these minutes do not fit the mark (a translated message), or None. Late takes the minutes the
    student attended, 1 … the workshop's duration; every other mark takes none."""
    if status == LATE:
        if minutes is None:
            return _l("Say how many minutes the student attended.")
        if not 1 <= minutes <= duration:
            return _l("The minutes attended must be between 1 and %(max)s.", max=duration)
        return None
    if minutes is not None:
        return _l("Minutes are given only for a late student.")
    return None


def minutes_attended(status: str | None, minutes: int | None, duration: int) -> int:
    """Minutes attended of a sign-up: present the whole workshop, late its minutes, excused and absent none."""
    if status == PRESENT:
        return duration
    if status == LATE:
        return min(int(minutes or 0), duration)
    return 0


def saved_message(counts: dict[str, int]) -> str:
    """"Attendance saved: …" after a sheet is saved (counts per mark)."""
    attended = counts.get(PRESENT, 0) + counts.get(LATE, 0)
    absent = counts.get(EXCUSED, 0) + counts.get(ABSENT, 0)
    text = ngettext("Attendance saved: %(num)s student present, %(absent)s absent.",
                    "Attendance saved: %(num)s students present, %(absent)s absent.", attended, absent=absent)
    if counts.get(LATE) or counts.get(EXCUSED):
        text += " " + _("Late: %(late)s. Excused absences: %(excused)s.", late=counts.get(LATE, 0),
                        excused=counts.get(EXCUSED, 0))
    return text
