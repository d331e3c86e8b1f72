"""Funding organisations (the table `funder`); which initiatives each funds is the initiatives' business."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.dbtypes import UTCDateTime, utcnow
from outreach.extensions import db


class Funder(db.Model):
    """A funding organisation."""

    __tablename__ = "funder"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
