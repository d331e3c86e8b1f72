"""Sign-ups of students to workshops: confirmed, waitlisted or cancelled."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.dbtypes import UTCDateTime, one_of, utcnow
from outreach.extensions import db
from outreach.i18n import _l

SIGNUP_STATUSES = {"confirmed": _l("Confirmed"), "waitlisted": _l("Waitlisted"), "cancelled": _l("Cancelled")}


class Signup(db.Model):
    __tablename__ = "signup"
    __table_args__ = (
        one_of("status", tuple(SIGNUP_STATUSES)),
        CheckConstraint("(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name="position_iff_waitlisted"),
        CheckConstraint("waitlist_position IS NULL OR waitlist_position >= 1", name="position_positive"),
        # one live sign-up per student and workshop; cancelled ones stay as history
        Index("uq_signup_active", "workshop_id", "student_id", unique=True,
              sqlite_where=text("status != 'cancelled'"), postgresql_where=text("status != 'cancelled'")),
        Index("ix_signup_workshop_status", "workshop_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    workshop: Mapped["Workshop"] = relationship()  # noqa: F821
    student: Mapped["Student"] = relationship()  # noqa: F821
