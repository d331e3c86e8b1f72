"""Attendance of confirmed sign-ups at workshops that took place."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.dbtypes import UTCDateTime, utcnow
from outreach.extensions import db


class Attendance(db.Model):
    __tablename__ = "attendance"

    signup_id: Mapped[int] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    signup: Mapped["Signup"] = relationship(backref="attendance_row")  # noqa: F821
