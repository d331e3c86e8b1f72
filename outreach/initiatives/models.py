"""Initiatives, and which funders fund each (the funders themselves: outreach/funders/models.py)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.dbtypes import UTCDateTime, one_of, utcnow
from outreach.extensions import db
from outreach.funders.models import Funder
from outreach.i18n import TranslatableText, _l, localize

ART_FORMS = {
    "ballet": _l("Ballet"),
    "folk_dance": _l("Folk dance"),
    "music": _l("Music"),
    "theatre": _l("Theatre"),
    "visual_arts": _l("Visual arts"),
    "other": _l("Other"),
}
INITIATIVE_STATUSES = {"active": _l("Active"), "archived": _l("Archived")}

initiative_funder = Table(
    "initiative_funder",
    db.metadata,
    Column("initiative_id", Integer, ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True),
    Column("funder_id", Integer, ForeignKey("funder.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Initiative(db.Model):
    __tablename__ = "initiative"
    __table_args__ = (
        one_of("art_form", tuple(ART_FORMS)),
        one_of("status", tuple(INITIATIVE_STATUSES)),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("target_students IS NULL OR target_students >= 0", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[dict] = mapped_column(TranslatableText)
    description: Mapped[dict] = mapped_column(TranslatableText, default=dict)
    art_form: Mapped[str] = mapped_column(String(20), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    target_students: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    funders: Mapped[list[Funder]] = relationship(secondary=initiative_funder, lazy="selectin",
                                                 order_by=Funder.name)

    @property
    def display_title(self):
        return localize(self.title)

    @property
    def art_form_title(self) -> str:
        return str(ART_FORMS.get(self.art_form, self.art_form))
