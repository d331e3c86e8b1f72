"""Recording who came to a workshop: the whole sheet at once, or marks taken on a phone and sent later."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import IntegrityError

from outreach.access import can_take_attendance
from outreach.attendance.models import Attendance, AttendanceBatch
from outreach.attendance.rules import ABSENT, ATTENDED, EXCUSED, LATE, MARKS, PRESENT, minutes_problem
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import Conflict, NotFound, OutreachError
from outreach.events import announce, attendance_recorded
from outreach.extensions import db
from outreach.i18n import _l
from outreach.signups.models import Signup
from outreach.signups.services import lock_workshop
from outreach.students.models import Student
from outreach.workshops.models import Workshop

#: How many marks one batch may carry (a phone holds a few workshops' rosters).
MAX_MARKS = 2000
#: How long a phone keeps a roster after the workshop ended (the "take it with you" lists).
KEEP_AFTER_WORKSHOP = timedelta(days=1)  # then the phone drops the list (unless its marks still wait)
#: How far ahead the dashboard offers to keep attendance lists.
KEEP_AHEAD = timedelta(days=7)


def check_can_record(workshop: Workshop) -> None:
    """Attendance is taken for workshops that were not cancelled, from the moment they start."""
    if workshop.status == "cancelled":
        raise Conflict(_l("This workshop was cancelled; attendance cannot be recorded."), code="workshop_cancelled")
    if not workshop.has_started():
        raise Conflict(_l("Attendance can be taken once the workshop has started."), code="workshop_not_started")


@dataclass(frozen=True)
class Recorded:
    """What the server holds for one student: the mark and, for late, the minutes attended."""

    status: str
    minutes: int | None = None

    @property
    def present(self) -> bool:
        return self.status in ATTENDED


def recorded(workshop_id: int) -> dict[int, Recorded]:
    """What was recorded so far for the workshop's confirmed students: student id → mark."""
    rows = db.session.execute(select(Signup.student_id, Attendance.status, Attendance.minutes).join(
        Attendance, Attendance.signup_id == Signup.id).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed")).all()
    return {student_id: Recorded(status, minutes) for student_id, status, minutes in rows}


def record(workshop_id: int, present_student_ids: Iterable[int], *, actor: Any) -> dict[str, int]:
    """Present for every listed student, absent for every other confirmed one (the yes/no shorthand)."""
    present = {int(i): Recorded(PRESENT) for i in present_student_ids}
    counts = record_marks(workshop_id, present, actor=actor, field="present")
    return {"present": counts["present"], "absent": counts["absent"]}


def record_marks(workshop_id: int, marks: Mapping[int, Recorded] | Iterable[tuple[int, Recorded]], *, actor: Any,
                 field: str = "marks") -> dict[str, int]:
    """Set every confirmed sign-up's mark (student id → mark); those not listed are absent. Marks the workshop
    completed. Recording again corrects the earlier record; the audit trail keeps which sign-ups changed (ids
    only). Late takes the minutes attended, 1 … the workshop's duration; no other mark takes minutes."""
    if db.session.get(Workshop, workshop_id) is None:
        raise NotFound(_l("The workshop was not found."))
    workshop = lock_workshop(workshop_id)  # one writer of this workshop's attendance at a time
    check_can_record(workshop)
    pairs = list(marks.items()) if isinstance(marks, Mapping) else list(marks)
    marks = dict(pairs)
    if len(marks) != len(pairs):
        raise OutreachError(_l("Each student may be marked once."), code="duplicate_student",
                            fields={field: [_l("Each student may be marked once.")]})
    confirmed = {s.student_id: s for s in db.session.scalars(select(Signup).where(
        Signup.workshop_id == workshop_id, Signup.status == "confirmed"))}
    unknown = set(marks) - set(confirmed)
    if unknown:
        raise OutreachError(_l("Attendance can only be recorded for students with a confirmed place."),
                            code="not_confirmed", fields={field: [_l("Not a confirmed student of this workshop.")]})
    for mark in marks.values():
        if mark.status not in MARKS:
            raise OutreachError(_l("Some of the data is not valid."), code="invalid",
                                fields={field: [_l("Not one of the allowed values.")]})
        problem = minutes_problem(mark.status, mark.minutes, workshop.duration_minutes)
        if problem is not None:
            raise OutreachError(problem, code="invalid_minutes", fields={field: [problem]})
    existing = {a.signup_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.signup_id.in_([s.id for s in confirmed.values()])))}
    correction = bool(existing) or workshop.attendance_recorded_at is not None
    now = utcnow()
    user_id = getattr(actor, "id", None)
    changed: list[int] = []
    counts = dict.fromkeys(MARKS, 0)
    for student_id, signup in confirmed.items():
        row = existing.get(signup.id)
        mark = marks.get(student_id) or Recorded(ABSENT)
        counts[mark.status] += 1
        # the whole sheet saved now is the newest mark for everyone on it
        if row is None:
            db.session.add(Attendance(signup_id=signup.id, status=mark.status, minutes=mark.minutes,
                                      recorded_at=now, marked_at=now, recorded_by_id=user_id))
            if correction:
                changed.append(signup.id)
        elif (row.status, row.minutes) != (mark.status, mark.minutes):
            row.status, row.minutes, row.recorded_at, row.recorded_by_id = mark.status, mark.minutes, now, user_id
            row.marked_at = now
            changed.append(signup.id)
        else:
            row.marked_at = now
    workshop.status = "completed"
    workshop.attendance_recorded_at = now
    db.session.flush()
    details = {key: value for key, value in counts.items() if value or key in (PRESENT, ABSENT)}
    if correction:
        announce(attendance_recorded, workshop_id, actor=actor, action="attendance.corrected", subject=workshop,
                 details={"changed_signup_ids": sorted(changed), **details})
    else:
        announce(attendance_recorded, workshop_id, actor=actor, action="attendance.recorded", subject=workshop,
                 details=details)
    return counts


def no_media_count(workshop_id: int) -> int:
    """Confirmed students of the workshop whose guardian did not agree to photos or video (erased ones are not
    photographed either: they are no longer on any list)."""
    return int(db.session.scalar(
        select(func.count()).select_from(Signup).join(Student, Student.id == Signup.student_id)
        .where(Signup.workshop_id == workshop_id, Signup.status == "confirmed", Student.erased_at.is_(None),
               Student.media_consent.is_(False))) or 0)


def workshop_attendance(workshop_id: int):
    """The confirmed sign-ups of a workshop with their mark (None while not recorded), in sign-up order:
    a select of (Signup, status, minutes) rows for paging."""
    return (select(Signup, Attendance.status, Attendance.minutes)
            .outerjoin(Attendance, Attendance.signup_id == Signup.id)
            .where(Signup.workshop_id == workshop_id, Signup.status == "confirmed")
            .order_by(Signup.id))


# ---------------------------------------------------------------------------------------------------------------
# Marks taken on a phone, sent in batches

@dataclass(frozen=True)
class Mark:
    """One student's mark as a phone took it: present, late (with the minutes attended), excused or absent, at
    a time (the device's clock). A bool for `status` is the yes/no mark of older phones: present or absent."""

    workshop_id: int
    student_id: int
    status: str
    marked_at: datetime
    minutes: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.status, bool):
            object.__setattr__(self, "status", PRESENT if self.status else ABSENT)

    @property
    def present(self) -> bool:
        return self.status in ATTENDED


#: What happened to each mark of a batch.
APPLIED, UNCHANGED, SUPERSEDED, REFUSED = "applied", "unchanged", "superseded", "refused"
MARK_STATUSES = (APPLIED, UNCHANGED, SUPERSEDED, REFUSED)

REFUSALS = {
    "workshop_not_found": _l("The workshop was not found."),
    "workshop_cancelled": _l("This workshop was cancelled; attendance cannot be recorded."),
    "workshop_not_started": _l("Attendance can be taken once the workshop has started."),
    "not_confirmed": _l("This student no longer has a confirmed place in this workshop."),
    "invalid_minutes": _l("The minutes attended do not fit this workshop."),
}


@dataclass
class MarkResult:
    mark: Mark
    status: str
    code: str | None = None
    current: Recorded | None = None  # what the server holds for the student after the batch

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
    # a present/absent mark is written as the yes/no marks were, so a batch kept on a phone from before the
    # marks (and sent again with its key) still matches its first answer
    canonical = [[m.workshop_id, m.student_id, m.present, m.marked_at.astimezone(timezone.utc).isoformat()]
                 + ([m.status, m.minutes] if m.status not in (PRESENT, ABSENT) else []) for m in marks]
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
    if not can_take_attendance(actor, workshop):  # a teaching artist: its own workshops only (not revealed)
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
    changed: dict[str, list[int]] = {}
    out: list[tuple[int, MarkResult]] = []
    # within the batch, too, the later mark wins: apply in the order they were taken
    for index, mark in sorted(indexed, key=lambda pair: (pair[1].marked_at, pair[0])):
        signup = confirmed.get(mark.student_id)
        if signup is None:
            out.append((index, MarkResult(mark, REFUSED, "not_confirmed")))
            continue
        if mark.status not in MARKS or minutes_problem(mark.status, mark.minutes, workshop.duration_minutes):
            out.append((index, MarkResult(mark, REFUSED, "invalid_minutes")))
            continue
        taken = min(mark.marked_at, now)
        row = rows.get(signup.id)
        same = row is not None and (row.status, row.minutes) == (mark.status, mark.minutes)
        if row is None:
            row = rows[signup.id] = Attendance(signup_id=signup.id, status=mark.status, minutes=mark.minutes,
                                               recorded_at=now, marked_at=taken, recorded_by_id=user_id)
            db.session.add(row)
            status = APPLIED
        elif taken <= (row.marked_at or row.recorded_at):
            status = UNCHANGED if same else SUPERSEDED
        elif not same:
            row.status, row.minutes = mark.status, mark.minutes
            row.marked_at, row.recorded_at, row.recorded_by_id = taken, now, user_id
            status = APPLIED
        else:
            row.marked_at = taken  # the same mark, taken again later: newer still
            status = UNCHANGED
        if status == APPLIED:
            changed.setdefault(mark.status, []).append(signup.id)
        out.append((index, MarkResult(mark, status)))
    if changed:
        if first_record:
            workshop.status = "completed"
            workshop.attendance_recorded_at = now
        db.session.flush()
        # the impact facts are recomputed and the change audited by the subscribers
        details = {"batch": key, "first_record": first_record,
                   "present_signup_ids": sorted(set(changed.get(PRESENT, []))),
                   "absent_signup_ids": sorted(set(changed.get(ABSENT, [])))}
        for status in (LATE, EXCUSED):
            if changed.get(status):
                details[f"{status}_signup_ids"] = sorted(set(changed[status]))
        announce(attendance_recorded, workshop_id, actor=actor, action="attendance.synced", subject=workshop,
                 details=details)
    else:
        db.session.flush()
    return out


def _fill_current(items: Sequence[MarkResult]) -> None:
    """What the server holds now for each marked student (after this batch and any newer marks)."""
    pairs = {(item.mark.workshop_id, item.mark.student_id) for item in items}
    if not pairs:
        return
    rows = db.session.execute(select(Signup.workshop_id, Signup.student_id, Attendance.status, Attendance.minutes)
                              .join(Attendance, Attendance.signup_id == Signup.id).where(
        Signup.status == "confirmed", tuple_(Signup.workshop_id, Signup.student_id).in_(list(pairs)))).all()
    current = {(w, s): Recorded(status, minutes) for w, s, status, minutes in rows}
    for item in items:
        item.current = current.get((item.mark.workshop_id, item.mark.student_id))


def keep_until(workshop: Workshop) -> datetime:
    """Until when a phone may keep this workshop's attendance list: its end plus one day."""
    return workshop.ends_at + KEEP_AFTER_WORKSHOP


def lists_to_keep(now: datetime | None = None) -> list[Workshop]:
    """The attendance lists a coordinator can take on a trip: workshops not cancelled that are on now or start
    in the next seven days (from the start of today, so this morning's are included)."""
    now = now or utcnow()
    today = datetime.combine(now.astimezone(local_tz()).date(), time(0), tzinfo=local_tz())
    return list(db.session.scalars(select(Workshop).where(
        Workshop.status != "cancelled", Workshop.ends_at >= today,
        Workshop.starts_at <= now + KEEP_AHEAD).order_by(Workshop.starts_at, Workshop.id)))
