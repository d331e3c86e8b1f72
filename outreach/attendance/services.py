"""Recording who came to a workshop: the whole sheet at once, or marks taken on a phone and sent later."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from outreach.attendance.models import Attendance, AttendanceBatch
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import Conflict, NotFound, OutreachError
from outreach.events import announce, attendance_recorded
from outreach.extensions import db
from outreach.i18n import _l
from outreach.signups.models import Signup
from outreach.signups.services import lock_workshop
from outreach.workshops.models import Workshop

#: How many marks one batch may carry (a phone holds a few workshops' rosters).
MAX_MARKS = 2000
#: How long a phone keeps a roster after the workshop ended (the "take it with you" lists).
KEEP_AFTER_WORKSHOP = timedelta(days=7)
#: How far ahead the dashboard offers to keep attendance lists.
KEEP_AHEAD = timedelta(days=7)


def check_can_record(workshop: Workshop) -> None:
    """Attendance is taken for workshops that were not cancelled, from the moment they start."""
    if workshop.status == "cancelled":
        raise Conflict(_l("This workshop was cancelled; attendance cannot be recorded."), code="workshop_cancelled")
    if not workshop.has_started():
        raise Conflict(_l("Attendance can be taken once the workshop has started."), code="workshop_not_started")


def recorded(workshop_id: int) -> dict[int, bool]:
    """What was recorded so far for the workshop's confirmed students: student id → present."""
    rows = db.session.execute(select(Signup.student_id, Attendance.present).join(
        Attendance, Attendance.signup_id == Signup.id).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed")).all()
    return {student_id: present for student_id, present in rows}


def record(workshop_id: int, present_student_ids: Iterable[int], *, actor: Any) -> dict[str, int]:
    """Set attendance for every confirmed sign-up; those not listed are absent. Marks the workshop completed.

    Recording again corrects the earlier record; the audit trail keeps which sign-ups changed (ids only)."""
    if db.session.get(Workshop, workshop_id) is None:
        raise NotFound(_l("The workshop was not found."))
    workshop = lock_workshop(workshop_id)  # one writer of this workshop's attendance at a time
    check_can_record(workshop)
    confirmed = {s.student_id: s for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed"))}
    present = set(int(i) for i in present_student_ids)
    unknown = present - set(confirmed)
    if unknown:
        raise OutreachError(_l("Attendance can only be recorded for students with a confirmed place."),
                            code="not_confirmed", fields={"present": [_l("Not a confirmed student of this workshop.")]})
    existing = {a.signup_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.signup_id.in_([s.id for s in confirmed.values()])))}
    correction = bool(existing) or workshop.attendance_recorded_at is not None
    now = utcnow()
    changed: list[int] = []
    for student_id, signup in confirmed.items():
        row = existing.get(signup.id)
        is_present = student_id in present
        # the whole sheet saved now is the newest mark for everyone on it
        if row is None:
            db.session.add(Attendance(signup_id=signup.id, present=is_present, recorded_at=now, marked_at=now,
                                      recorded_by_id=getattr(actor, "id", None)))
            if correction:
                changed.append(signup.id)
        elif row.present != is_present:
            row.present, row.recorded_at, row.recorded_by_id = is_present, now, getattr(actor, "id", None)
            row.marked_at = now
            changed.append(signup.id)
        else:
            row.marked_at = now
    workshop.status = "completed"
    workshop.attendance_recorded_at = now
    db.session.flush()
    counts = {"present": len(present), "absent": len(confirmed) - len(present)}
    if correction:
        announce(attendance_recorded, workshop_id, actor=actor, action="attendance.corrected", subject=workshop,
                 details={"changed_signup_ids": sorted(changed), **counts})
    else:
        announce(attendance_recorded, workshop_id, actor=actor, action="attendance.recorded", subject=workshop,
                 details=counts)
    return counts


def workshop_attendance(workshop_id: int):
    """The confirmed sign-ups of a workshop with their attendance (None while not recorded), in sign-up order:
    a select of (Signup, present) rows for paging."""
    return (select(Signup, Attendance.present)
            .outerjoin(Attendance, Attendance.signup_id == Signup.id)
            .where(Signup.workshop_id == workshop_id, Signup.status == "confirmed")
            .order_by(Signup.id))


# ---------------------------------------------------------------------------------------------------------------
# Marks taken on a phone, sent in batches

@dataclass(frozen=True)
class Mark:
    """One student's mark as a phone took it: present or absent, at a time (the device's clock)."""

    workshop_id: int
    student_id: int
    present: bool
    marked_at: datetime


#: What happened to each mark of a batch.
APPLIED, UNCHANGED, SUPERSEDED, REFUSED = "applied", "unchanged", "superseded", "refused"
MARK_STATUSES = (APPLIED, UNCHANGED, SUPERSEDED, REFUSED)

REFUSALS = {
    "workshop_not_found": _l("The workshop was not found."),
    "workshop_cancelled": _l("This workshop was cancelled; attendance cannot be recorded."),
    "workshop_not_started": _l("Attendance can be taken once the workshop has started."),
    "not_confirmed": _l("This student no longer has a confirmed place in this workshop."),
}


@dataclass
class MarkResult:
    mark: Mark
    status: str
    code: str | None = None
    current: bool | None = None  # what the server holds for the student after the batch

    @property
    def message(self) -> str | None:
        return str(REFUSALS[self.code]) if self.code else None


@dataclass
class SyncResult:
    key: str
    replayed: bool
    items: list[MarkResult]

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)


def _digest(marks: Sequence[Mark]) -> str:
    canonical = [[m.workshop_id, m.student_id, bool(m.present), m.marked_at.astimezone(timezone.utc).isoformat()]
                 for m in marks]
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest()


def sync(key: str, marks: Sequence[Mark], *, actor: Any) -> SyncResult:
    """Apply a batch of marks taken on a phone, once per (user, idempotency key).

    Sending the same batch again changes nothing and answers as the first time (`replayed`); the same key with
    other marks is a 409. Per student the later mark (by the time it was taken) wins, so a phone that comes
    back online late never undoes a newer mark from another phone; a time in the future (a phone's clock
    running fast) counts as the time the batch arrived. A mark for a cancelled or not yet started workshop,
    or for a student without a confirmed place, is refused, the rest of the batch still applies. Every
    change is audited (ids only) and the impact facts are recomputed in the same transaction."""
    if len(marks) > MAX_MARKS:
        raise OutreachError(_l("Send at most %(n)s marks at once.", n=MAX_MARKS), code="too_many_marks",
                            fields={"marks": [_l("Send at most %(n)s marks at once.", n=MAX_MARKS)]})
    digest = _digest(marks)
    now = utcnow()
    stored = db.session.get(AttendanceBatch, (actor.id, key))
    if stored is None:
        try:
            with db.session.begin_nested():  # claims the key; a second request with it waits here, then fails
                db.session.add(AttendanceBatch(user_id=actor.id, key=key, digest=digest, received_at=now,
                                               result={}))
        except IntegrityError:
            stored = db.session.get(AttendanceBatch, (actor.id, key), populate_existing=True)
            if stored is None:  # pragma: no cover - the other request rolled back; the phone will retry
                raise Conflict(_l("This batch is being received right now; send it again in a moment."),
                               code="batch_in_progress") from None
    if stored is not None:
        return _replay(stored, digest, marks)

    results: list[MarkResult | None] = [None] * len(marks)
    by_workshop: dict[int, list[int]] = {}
    for index, mark in enumerate(marks):
        by_workshop.setdefault(mark.workshop_id, []).append(index)
    for workshop_id in sorted(by_workshop):  # locks always taken in the same order: no deadlock
        for index, result in _apply_workshop(workshop_id, [(i, marks[i]) for i in by_workshop[workshop_id]],
                                             key=key, now=now, actor=actor):
            results[index] = result
    items = [r for r in results if r is not None]
    _fill_current(items)
    batch = db.session.get(AttendanceBatch, (actor.id, key))
    batch.result = {"items": [[item.status, item.code] for item in items]}
    db.session.flush()
    return SyncResult(key=key, replayed=False, items=items)


def _replay(stored: AttendanceBatch, digest: str, marks: Sequence[Mark]) -> SyncResult:
    if stored.digest != digest:
        raise Conflict(_l("This idempotency key was already used for other marks."), code="idempotency_key_reused")
    statuses = stored.result.get("items") or []
    items = [MarkResult(mark, status, code) for mark, (status, code) in zip(marks, statuses)]
    _fill_current(items)
    return SyncResult(key=stored.key, replayed=True, items=items)


def _apply_workshop(workshop_id: int, indexed: list[tuple[int, Mark]], *, key: str, now: datetime,
                    actor: Any) -> list[tuple[int, MarkResult]]:
    try:
        workshop = lock_workshop(workshop_id)
    except NotFound:
        return [(i, MarkResult(m, REFUSED, "workshop_not_found")) for i, m in indexed]
    if workshop.status == "cancelled":
        return [(i, MarkResult(m, REFUSED, "workshop_cancelled")) for i, m in indexed]
    if not workshop.has_started(now):
        return [(i, MarkResult(m, REFUSED, "workshop_not_started")) for i, m in indexed]
    confirmed = {s.student_id: s for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed"))}
    rows = {a.signup_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.signup_id.in_([s.id for s in confirmed.values()])))}
    first_record = workshop.attendance_recorded_at is None
    user_id = getattr(actor, "id", None)
    present_ids: list[int] = []
    absent_ids: list[int] = []
    out: list[tuple[int, MarkResult]] = []
    # within the batch, too, the later mark wins: apply in the order they were taken
    for index, mark in sorted(indexed, key=lambda pair: (pair[1].marked_at, pair[0])):
        signup = confirmed.get(mark.student_id)
        if signup is None:
            out.append((index, MarkResult(mark, REFUSED, "not_confirmed")))
            continue
        taken = min(mark.marked_at, now)
        row = rows.get(signup.id)
        if row is None:
            row = rows[signup.id] = Attendance(signup_id=signup.id, present=mark.present, recorded_at=now,
                                               marked_at=taken, recorded_by_id=user_id)
            db.session.add(row)
            status = APPLIED
        elif taken <= (row.marked_at or row.recorded_at):
            status = SUPERSEDED if row.present != mark.present else UNCHANGED
        elif row.present != mark.present:
            row.present, row.marked_at, row.recorded_at, row.recorded_by_id = mark.present, taken, now, user_id
            status = APPLIED
        else:
            row.marked_at = taken  # the same mark, taken again later: newer still
            status = UNCHANGED
        if status == APPLIED:
            (present_ids if mark.present else absent_ids).append(signup.id)
        out.append((index, MarkResult(mark, status)))
    if present_ids or absent_ids:
        if first_record:
            workshop.status = "completed"
            workshop.attendance_recorded_at = now
        db.session.flush()
        # the impact facts are recomputed and the change audited by the subscribers
        announce(attendance_recorded, workshop_id, actor=actor, action="attendance.synced", subject=workshop,
                 details={"batch": key, "first_record": first_record,
                          "present_signup_ids": sorted(set(present_ids)),
                          "absent_signup_ids": sorted(set(absent_ids))})
    else:
        db.session.flush()
    return out


def _fill_current(items: Sequence[MarkResult]) -> None:
    """What the server holds now for each marked student (after this batch and any newer marks)."""
    pairs = {(item.mark.workshop_id, item.mark.student_id) for item in items}
    if not pairs:
        return
    rows = db.session.execute(select(Signup.workshop_id, Signup.student_id, Attendance.present).join(
        Attendance, Attendance.signup_id == Signup.id).where(
        Signup.status == "confirmed", tuple_(Signup.workshop_id, Signup.student_id).in_(list(pairs)))).all()
    current = {(w, s): p for w, s, p in rows}
    for item in items:
        item.current = current.get((item.mark.workshop_id, item.mark.student_id))


def keep_until(workshop: Workshop) -> datetime:
    """Until when a phone may keep this workshop's attendance list: its end plus seven days."""
    return workshop.ends_at + KEEP_AFTER_WORKSHOP


def lists_to_keep(now: datetime | None = None) -> list[Workshop]:
    """The attendance lists a coordinator can take on a trip: workshops not cancelled that are on now or start
    in the next seven days (from the start of today, so this morning's are included)."""
    now = now or utcnow()
    today = datetime.combine(now.astimezone(local_tz()).date(), time(0), tzinfo=local_tz())
    return list(db.session.scalars(select(Workshop).where(
        Workshop.status != "cancelled", Workshop.ends_at >= today,
        Workshop.starts_at <= now + KEEP_AHEAD).order_by(Workshop.starts_at, Workshop.id)))
