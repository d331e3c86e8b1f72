"""After a workshop (its attendance recorded), the schools' representatives get the teachers' one-time link."""
from __future__ import annotations

from typing import Any

from outreach import events
from outreach.outcomes import services


def _on_attendance_recorded(workshop_id: Any, **_kw: Any) -> None:
    if isinstance(workshop_id, int):
        services.send_teacher_links(workshop_id)


events.attendance_recorded.connect(_on_attendance_recorded)
