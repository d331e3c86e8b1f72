"""Teaching artists («педагог»): the people who give the workshops, and the periods they cannot."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.dbtypes import UTCDateTime, utcnow
from outreach.extensions import db


class Artist(db.Model):
    __tablename__ = "artist"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # outreach.naming.fold(name): the same person spelled the Kazakh or the Russian way has one key
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    art_forms: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    home_region: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Unavailability(db.Model):
    """A period (leave, a tour) in which the artist takes no workshops."""

    __tablename__ = "artist_unavailable"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period_order"),
        Index("ix_artist_unavailable_artist_time", "artist_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artist.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
