"""Attendance of confirmed sign-ups at workshops that took place, and the batches of marks phones send."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.dbtypes import UTCDateTime, one_of, utcnow
from outreach.extensions import db

#: A sign-up's mark. Late carries the minutes the student was there; excused is absent for a good reason
#: (left out of the attendance rate's denominator); absent is without one.
PRESENT, LATE, EXCUSED, ABSENT = "present", "late", "excused", "absent"
MARKS = (PRESENT, LATE, EXCUSED, ABSENT)
#: the marks that count as attended (students reached, attendance rate, hours)
ATTENDED = (PRESENT, LATE)


class Attendance(db.Model):
    """One confirmed sign-up's mark: present, late (with the minutes the student was there), excused (absent
    for a good reason) or absent (without one)."""

    __tablename__ = "attendance"
    __table_args__ = (
        one_of("status", MARKS),
        # minutes attended, for a late mark only (1 … the workshop's duration, checked by the service)
        CheckConstraint("(status = 'late' AND minutes >= 1) OR (status <> 'late' AND minutes IS NULL)",
                        name="minutes_only_late"),
    )

    signup_id: Mapped[int] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    minutes: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # when the mark was taken (on a phone that may have been offline); the later mark per student wins
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    signup: Mapped["Signup"] = relationship(backref="attendance_row")  # noqa: F821

    @hybrid_property
    def present(self) -> bool:
        """Attended: present or late (what the report counts as attended)."""
        return self.status in ATTENDED

    @present.inplace.expression
    @classmethod
    def _present_expression(cls):
        return cls.status.in_(ATTENDED)


class AttendanceBatch(db.Model):
    """A batch of marks sent by a phone, kept under its idempotency key so that sending it again changes
    nothing and answers the same. Keys are per user: one user's key never replays another's answer."""

    __tablename__ = "attendance_batch"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))  # of the marks: the same key with other marks is refused
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    result: Mapped[dict] = mapped_column(JSON, default=dict)  # ids, codes and counts only
