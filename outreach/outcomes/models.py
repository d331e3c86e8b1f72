"""Questionnaires of an initiative, the pupils' answers (per sign-up, never a name) and the teachers' links."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.dbtypes import UTCDateTime, one_of, utcnow
from outreach.extensions import db
from outreach.i18n import TranslatableText

STUDENTS, TEACHERS = "students", "teachers"
AUDIENCES = (STUDENTS, TEACHERS)
BEFORE_AFTER, AFTER_EACH = "before_after", "after_each"
WHENS = (BEFORE_AFTER, AFTER_EACH)
BEFORE, AFTER, EACH = "before", "after", "each"
PHASES = (BEFORE, AFTER, EACH)
SCALE5, YESNO, TEXT = "scale5", "yesno", "text"
KINDS = (SCALE5, YESNO, TEXT)


class Questionnaire(db.Model):
    """One initiative's questionnaire for pupils or for teachers (at most one of each)."""

    __tablename__ = "questionnaire"
    __table_args__ = (
        one_of("audience", AUDIENCES),
        one_of("timing", WHENS),
        UniqueConstraint("initiative_id", "audience", name="uq_questionnaire_audience"),
        CheckConstraint("target_percent IS NULL OR (target_percent >= 1 AND target_percent <= 100)",
                        name="target_percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(10))
    # "when" in the API (a reserved word in SQL): before and after, or after each workshop
    timing: Mapped[str] = mapped_column(String(12), default=BEFORE_AFTER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # the outcome target (pupils' questionnaires): this share of pupils rate the question 4 or 5 (or say yes) in
    # their last answer — "70 % of pupils feel confident dancing in front of others"
    target_key: Mapped[str | None] = mapped_column(String(40))
    target_percent: Mapped[int | None] = mapped_column(Integer)
    questions: Mapped[list["Question"]] = relationship(order_by="Question.position", lazy="selectin",
                                                      cascade="all, delete-orphan")


class Question(db.Model):
    """A question: its key (compared across initiatives), its kind and its text in kk/ru/en."""

    __tablename__ = "question"
    __table_args__ = (
        one_of("kind", KINDS),
        UniqueConstraint("questionnaire_id", "key", name="uq_question_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[dict] = mapped_column(TranslatableText)


class Response(db.Model):
    """One pupil's answers at one moment (before, after, each), kept under the sign-up, never a name.

    An erased pupil's sign-up stays (nameless), and so do these: no figure moves."""

    __tablename__ = "response"
    __table_args__ = (
        one_of("phase", PHASES),
        UniqueConstraint("signup_id", "phase", name="uq_response_signup_phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    phase: Mapped[str] = mapped_column(String(6))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # {key: 1..5 | true/false}
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class TeacherLink(db.Model):
    """A one-time link a school's representative gets after a workshop: one teacher's answer, no account.

    Only the SHA-256 of the token is kept; the answers sit on the link (one answer per link)."""

    __tablename__ = "teacher_link"
    __table_args__ = (UniqueConstraint("workshop_id", "school_id", name="uq_teacher_link_workshop_school"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[dict | None] = mapped_column(JSON)
