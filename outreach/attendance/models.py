"""Attendance of confirmed sign-ups at workshops that took place, and the batches of marks phones send."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.dbtypes import UTCDateTime, utcnow
from outreach.extensions import db


class Attendance(db.Model):
    __tablename__ = "attendance"

    signup_id: Mapped[int] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # when the mark was taken (on a phone that may have been offline); the later mark per student wins
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    signup: Mapped["Signup"] = relationship(backref="attendance_row")  # noqa: F821


class AttendanceBatch(db.Model):
    """A batch of marks sent by a phone, kept under its idempotency key so that sending it again changes
    nothing and answers the same. Keys are per user: one user's key never replays another's answer."""

    __tablename__ = "attendance_batch"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))  # of the marks: the same key with other marks is refused
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    result: Mapped[dict] = mapped_column(JSON, default=dict)  # ids, codes and counts only
