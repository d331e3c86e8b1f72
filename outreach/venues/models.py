"""Venues («өткізу орны»): where workshops take place, in a locality (town or village) of a region."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.dbtypes import UTCDateTime, utcnow
from outreach.extensions import db


class Venue(db.Model):
    __tablename__ = "venue"
    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    # venues made from the old free text have no region or locality until a coordinator fills them in
    region: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    locality: Mapped[str | None] = mapped_column(String(120))
    locality_folded: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def place_key(self) -> tuple[str | None, str | None] | None:
        """The locality this venue is in, for travel times (None when not known)."""
        if not self.locality_folded:
            return None
        return (self.region, self.locality_folded)
