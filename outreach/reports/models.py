"""Impact facts: one row per sign-up that counts, with the keys the impact report groups and filters on.

A fact is a copy, never the truth: it is rebuilt from signup, attendance, workshop, student and
school by `outreach.reports.rollups` whenever one of those changes, so the report can count a
national year (a million sign-ups) from covering indexes of one table instead of joining five.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.dbtypes import UTCDateTime
from outreach.extensions import db
from outreach.workshops.models import Workshop

GRADE_BANDS = ("0-4", "5-9", "10-11")
#: the report's bands of a student's attended hours in the filter, each with its lower bound (included)
HOURS_BANDS = (("0-2", 0), ("2-5", 2), ("5-10", 5), ("10+", 10))
#: `ImpactFact.prev_ts` of a student's first attended sign-up (before any instant)
NO_PREVIOUS = -(2**62)


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
    # the minutes attended: the duration when present, a late mark's minutes, 0 otherwise
    minutes: Mapped[int] = mapped_column(Integer)
    # 1 when the workshop's attendance was recorded and the sign-up was not excused (the attendance rate's
    # denominator); attended = recorded and present or late
    recorded: Mapped[int] = mapped_column(SmallInteger)
    attended: Mapped[int] = mapped_column(SmallInteger)
    # for an attended sign-up: when the student's previous attended sign-up started (in the order of start,
    # then sign-up), of any language and of this workshop's language, and the school's previous one;
    # NO_PREVIOUS for the first. A student attended in [a, b) exactly when one attended sign-up in [a, b) has
    # a previous one before a (the first in the period), so a period's students reached (and schools
    # reached) are a count of index entries instead of a DISTINCT
    prev_ts: Mapped[int] = mapped_column(BigInteger, default=NO_PREVIOUS, server_default=str(NO_PREVIOUS))
    prev_lang_ts: Mapped[int] = mapped_column(BigInteger, default=NO_PREVIOUS, server_default=str(NO_PREVIOUS))
    prev_school_ts: Mapped[int] = mapped_column(BigInteger, default=NO_PREVIOUS, server_default=str(NO_PREVIOUS))


# Covering indexes, one per way the report reads. The cube and the languages of every initiative are counted
# as index ranges (a cell or language, then the period; the first attended sign-up of the period: prev_ts);
# the trailing columns are filters, checked inside the index without touching the table.
Index("ix_impact_fact_cube", ImpactFact.attended, ImpactFact.region_code, ImpactFact.settlement_type,
      ImpactFact.gender, ImpactFact.grade_band, ImpactFact.starts_ts, ImpactFact.prev_ts, ImpactFact.student_id)
# months: a student is in one region, so the students of a month are the sum of its regions' (each counted
# from one range of this index, which is how a month's count is kept per region too)
Index("ix_impact_fact_month", ImpactFact.attended, ImpactFact.local_month, ImpactFact.region_code,
      ImpactFact.student_id, ImpactFact.starts_ts, ImpactFact.initiative_id)
Index("ix_impact_fact_language", ImpactFact.attended, ImpactFact.language, ImpactFact.starts_ts,
      ImpactFact.prev_lang_ts, ImpactFact.region_code)
# schools reached and the per-school table
Index("ix_impact_fact_school", ImpactFact.school_id, ImpactFact.student_id, ImpactFact.attended, ImpactFact.starts_ts,
      ImpactFact.recorded, ImpactFact.minutes, ImpactFact.initiative_id, ImpactFact.region_code)
# sign-ups, attendance and student-hours; the sign-ups not delivered yet, per school; over every initiative, a
# period's students reached per month and its schools reached
Index("ix_impact_fact_time", ImpactFact.starts_ts, ImpactFact.attended, ImpactFact.recorded, ImpactFact.minutes,
      ImpactFact.initiative_id, ImpactFact.region_code, ImpactFact.workshop_id, ImpactFact.school_id,
      ImpactFact.prev_ts, ImpactFact.prev_school_ts)
# one region: its totals, and recounting its students per language
Index("ix_impact_fact_region", ImpactFact.region_code, ImpactFact.attended, ImpactFact.language,
      ImpactFact.student_id, ImpactFact.starts_ts, ImpactFact.recorded, ImpactFact.minutes, ImpactFact.workshop_id,
      ImpactFact.initiative_id)
# rebuilding the roll-up of one workshop
Index("ix_impact_fact_workshop", ImpactFact.workshop_id)
# mending a student's chain (prev_ts, prev_lang_ts) after a write
Index("ix_impact_fact_student", ImpactFact.student_id, ImpactFact.attended, ImpactFact.starts_ts, ImpactFact.signup_id,
      ImpactFact.language, ImpactFact.prev_ts, ImpactFact.prev_lang_ts)
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


# -- counts kept per region: students reached with no period and no initiative filter ---------------

#: the scope of the counts of everyone's initiatives (a funder's scope is the funder's id)
EVERYONE = 0
#: what `ImpactReach.key` names: a (settlement type, gender, grade band) cell, a month, a language, a school
REACH_KINDS = ("cell", "month", "language", "school")


class ImpactReach(db.Model):
    """Students reached (distinct students with an attended sign-up) in one region, per key.

    A student lives in one region, so a key's count for the country is the sum over regions. The rows of
    scope `EVERYONE` count every initiative; a funder's rows count the initiatives the funder funds (the set
    is written in `ImpactScope`). Kept by `rollups` from the facts in the transaction that changes them,
    under a lock per region; `rollups.drift()` compares them with a recount.
    """

    __tablename__ = "impact_reach"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    region_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    students: Mapped[int] = mapped_column(Integer)


class ImpactScope(db.Model):
    """The initiatives a funder's `ImpactReach` rows were counted for ("1,4,9"); a funder whose initiatives
    changed since is counted from the facts until the rows are counted again."""

    __tablename__ = "impact_scope"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    initiative_ids: Mapped[str] = mapped_column(String(4000))


class ImpactSchool(db.Model):
    """One school's facts summed: the per-school table with no period and no initiative filter.

    `signups`, `recorded`, `attended` and `minutes` count every fact, those of workshops that have not
    started yet too (the report subtracts those at the time it is read); `students_reached` counts the
    distinct students with an attended sign-up.
    """

    __tablename__ = "impact_school"

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    region_code: Mapped[str] = mapped_column(String(8))
    students_reached: Mapped[int] = mapped_column(Integer)
    signups: Mapped[int] = mapped_column(Integer)
    recorded: Mapped[int] = mapped_column(Integer)
    attended: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer)


Index("ix_impact_school_region", ImpactSchool.region_code, ImpactSchool.students_reached)


# -- what writes changed, until the upkeep has applied it ------------------------------------------------------

#: what an `ImpactPending` row names
PENDING_KINDS = ("workshop", "student", "school", "initiative")


class ImpactPending(db.Model):
    """A workshop, student, school or initiative whose facts a committed write may have changed.

    Appended by the write (one row per thing touched, in the write's transaction), applied and deleted by
    `reports.upkeep.drain()` in a transaction of its own after the write has committed; an initiative row
    (its funders may have changed) has no `ident`.
    """

    __tablename__ = "impact_pending"
    __table_args__ = (CheckConstraint("kind IN ('workshop', 'student', 'school', 'initiative')", name="kind_valid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    ident: Mapped[int | None] = mapped_column(Integer, nullable=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
