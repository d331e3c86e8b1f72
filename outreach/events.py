"""Domain events: what the services announce, for the packages that care (STYLE.md, rule 11).

A service changes its own tables, flushes, and then says what happened with one of these blinker signals;
it never calls into reports, notifications or the audit trail itself. Subscribers live in their own packages
(`reports/subscribers.py`, `notifications/subscribers.py`, `audit/subscribers.py`) and are connected when the
app is created (`outreach/subscribers.py`).

Every signal is sent with the id of what changed as the sender and these keyword arguments:

- `actor` — the acting user (or None for the system);
- `action`, `subject`, `details` — what the audit trail records: `audit.record(actor, action, subject,
  **details)`; `action` None records nothing (e.g. a promotion inside a cancellation, already recorded);

and, per signal:

- `signup_changed` (sender: workshop id) — sign-ups made, cancelled or promoted; `promoted=[Signup, ...]`
  the waitlisted sign-ups that just got a seat (their schools are told);
- `attendance_recorded` (sender: workshop id) — attendance recorded or corrected;
- `workshop_changed` (sender: workshop id, or None for a new series) — `change` is "created", "updated",
  "moved" (new time or venue: the schools signed up are told) or "cancelled"; `workshop=` the workshop;
- `student_changed` (sender: student id) — created, updated (grade, gender, school, consent) or erased;
- `school_changed` (sender: school id) — created or updated (region, settlement type, ...);
- `initiative_changed` (sender: initiative id) — created, updated, archived or re-opened.

Work that must happen once per transaction (recomputing the impact facts of the touched workshops) is
only collected by its subscriber and done before the transaction commits (see `reports/subscribers.py`).
"""
from __future__ import annotations

from typing import Any

from blinker import Namespace

_signals = Namespace()

signup_changed = _signals.signal("signup-changed")
attendance_recorded = _signals.signal("attendance-recorded")
workshop_changed = _signals.signal("workshop-changed")
student_changed = _signals.signal("student-changed")
school_changed = _signals.signal("school-changed")
initiative_changed = _signals.signal("initiative-changed")

#: Every domain signal (the audit trail listens to all of them).
ALL = (signup_changed, attendance_recorded, workshop_changed, student_changed, school_changed, initiative_changed)


def announce(signal: Any, sender: Any, *, actor: Any, action: str | None = None, subject: Any = None,
             details: dict[str, Any] | None = None, **facts: Any) -> None:
    """Send a domain event with the keyword arguments every subscriber may rely on."""
    signal.send(sender, actor=actor, action=action, subject=subject, details=details or {}, **facts)
