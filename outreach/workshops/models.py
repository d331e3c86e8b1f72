"""Workshops, single or in recurring series."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.artists.models import Artist
from outreach.dbtypes import UTCDateTime, one_of, utcnow
from outreach.extensions import db
from outreach.i18n import TranslatableText, _l, localize
from outreach.venues.models import Venue

WORKSHOP_STATUSES = {"scheduled": _l("Scheduled"), "completed": _l("Completed"), "cancelled": _l("Cancelled")}
DELIVERY_LANGUAGES = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}


class WorkshopSeries(db.Model):
    """The recurrence rule a set of workshops was generated from."""

    __tablename__ = "workshop_series"
    __table_args__ = (
        CheckConstraint("interval_weeks BETWEEN 1 AND 52", name="interval_range"),
        CheckConstraint("count IS NULL OR count BETWEEN 1 AND 200", name="count_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    interval_weeks: Mapped[int] = mapped_column(Integer, default=1)
    weekdays: Mapped[str] = mapped_column(String(20))  # ISO weekdays "1,3" = Monday, Wednesday
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    # the school the series is for (its students are offered it first); None: open to every school
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    # local dates the rule gives that were skipped (exceptions): they clashed when the series was made
    skipped_dates: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Workshop(db.Model):
    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("duration_minutes BETWEEN 1 AND 1440", name="duration_range"),
        CheckConstraint("min_grade BETWEEN 0 AND 11 AND max_grade BETWEEN 0 AND 11 AND min_grade <= max_grade",
                        name="grade_range"),
        one_of("status", tuple(WORKSHOP_STATUSES)),
        one_of("language", tuple(DELIVERY_LANGUAGES)),
        Index("ix_workshop_artist_time", "artist_id", "starts_at"),
        Index("ix_workshop_venue_time", "venue_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_series.id"), index=True)
    title: Mapped[dict] = mapped_column(TranslatableText)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # kept with starts_at so overlap checks are one indexed comparison
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_length: Mapped[int] = mapped_column(Integer, default=0)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"))
    # the records' names, kept on the workshop (renames and merges write them) for the messages, feeds and lists
    # that show them; clashes are decided on the ids
    venue: Mapped[str] = mapped_column(String(200))
    instructor: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    min_grade: Mapped[int] = mapped_column(Integer, default=0)
    max_grade: Mapped[int] = mapped_column(Integer, default=11)
    status: Mapped[str] = mapped_column(String(10), default="scheduled", index=True)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    initiative: Mapped["Initiative"] = relationship(lazy="joined")  # noqa: F821
    series: Mapped[WorkshopSeries | None] = relationship()
    artist: Mapped[Artist] = relationship(lazy="joined")
    place: Mapped[Venue] = relationship(lazy="joined")

    def set_time(self, starts_at: datetime, duration_minutes: int) -> None:
        self.starts_at = starts_at
        self.duration_minutes = duration_minutes
        self.ends_at = starts_at + timedelta(minutes=duration_minutes)

    @property
    def display_title(self):
        return localize(self.title)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())
