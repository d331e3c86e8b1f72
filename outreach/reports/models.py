"""Impact facts: one row per sign-up that counts, with the keys the impact report groups and filters on.

A fact is a copy, never the truth: it is rebuilt from signup, attendance, workshop, student and
school by `outreach.reports.rollups` whenever one of those changes, so the report can count a
national year (a million sign-ups) from covering indexes of one table instead of joining five.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db
from outreach.workshops.models import Workshop

GRADE_BANDS = ("0-4", "5-9", "10-11")


def grade_band(grade: int) -> str:
    """The report's grade band of a grade (0 is the pre-school class)."""
    return "0-4" if grade <= 4 else ("5-9" if grade <= 9 else "10-11")


class ImpactFact(db.Model):
    """A confirmed sign-up to a workshop that is not cancelled (others do not count in any figure)."""

    __tablename__ = "impact_fact"

    signup_id: Mapped[int] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    workshop_id: Mapped[int] = mapped_column(Integer)
    initiative_id: Mapped[int] = mapped_column(Integer)
    student_id: Mapped[int] = mapped_column(Integer)
    school_id: Mapped[int] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(8))
    settlement_type: Mapped[str] = mapped_column(String(10))
    gender: Mapped[str] = mapped_column(String(12))
    grade_band: Mapped[str] = mapped_column(String(5))
    language: Mapped[str] = mapped_column(String(2))
    # the workshop's start as Unix seconds (delivered = started; a period is converted to two
    # instants), small in every index; and its month in the programme's time zone, "YYYY-MM"
    # (SQLite has no time zones to group by)
    starts_ts: Mapped[int] = mapped_column(BigInteger)
    local_month: Mapped[str] = mapped_column(String(7))
    minutes: Mapped[int] = mapped_column(Integer)
    # 1 when the workshop's attendance was recorded; attended = recorded and present
    recorded: Mapped[int] = mapped_column(SmallInteger)
    attended: Mapped[int] = mapped_column(SmallInteger)


# Covering indexes, one per way the report reads: each query streams one of them in order, so
# COUNT(DISTINCT student_id) needs no sort. The trailing columns are the filters (period, initiative,
# region), checked inside the index without touching the table.
Index("ix_impact_fact_cube", ImpactFact.attended, ImpactFact.region_code, ImpactFact.settlement_type,
      ImpactFact.gender, ImpactFact.grade_band, ImpactFact.student_id, ImpactFact.starts_ts, ImpactFact.initiative_id)
Index("ix_impact_fact_month", ImpactFact.attended, ImpactFact.local_month, ImpactFact.student_id,
      ImpactFact.starts_ts, ImpactFact.initiative_id, ImpactFact.region_code)
Index("ix_impact_fact_language", ImpactFact.attended, ImpactFact.language, ImpactFact.student_id,
      ImpactFact.starts_ts, ImpactFact.initiative_id, ImpactFact.region_code)
# schools reached and the per-school table
Index("ix_impact_fact_school", ImpactFact.school_id, ImpactFact.student_id, ImpactFact.attended, ImpactFact.starts_ts,
      ImpactFact.recorded, ImpactFact.minutes, ImpactFact.initiative_id, ImpactFact.region_code)
# sign-ups, attendance and student-hours
Index("ix_impact_fact_time", ImpactFact.starts_ts, ImpactFact.attended, ImpactFact.recorded, ImpactFact.minutes,
      ImpactFact.initiative_id, ImpactFact.region_code, ImpactFact.workshop_id)
# rebuilding the roll-up of one workshop
Index("ix_impact_fact_workshop", ImpactFact.workshop_id)
# everything about one initiative
Index("ix_impact_fact_initiative", ImpactFact.initiative_id, ImpactFact.attended, ImpactFact.starts_ts,
      ImpactFact.region_code, ImpactFact.settlement_type, ImpactFact.gender, ImpactFact.grade_band,
      ImpactFact.local_month, ImpactFact.language, ImpactFact.school_id, ImpactFact.student_id,
      ImpactFact.recorded, ImpactFact.minutes, ImpactFact.workshop_id)


class ImpactWorkshop(db.Model):
    """A roll-up of one workshop's facts: sign-ups, attendance and minutes, for the report's totals.

    Kept by the same calls as the facts (a GROUP BY over the workshop's facts), so it is always their sum.
    """

    __tablename__ = "impact_workshop"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True,
                                             autoincrement=False)
    initiative_id: Mapped[int] = mapped_column(Integer)
    starts_ts: Mapped[int] = mapped_column(BigInteger)
    signups: Mapped[int] = mapped_column(Integer)
    recorded: Mapped[int] = mapped_column(Integer)
    attended: Mapped[int] = mapped_column(Integer)
    attended_minutes: Mapped[int] = mapped_column(Integer)


Index("ix_impact_workshop_time", ImpactWorkshop.starts_ts, ImpactWorkshop.initiative_id, ImpactWorkshop.signups,
      ImpactWorkshop.recorded, ImpactWorkshop.attended, ImpactWorkshop.attended_minutes)

# Workshops delivered (started, not cancelled) counted from an index of the workshop table alone.
# Declared here, with the report that needs it; created by migration 0004.
Index("ix_workshop_report_delivered", Workshop.starts_at, Workshop.status, Workshop.initiative_id)
