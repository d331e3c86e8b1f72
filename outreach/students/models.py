"""Students on a school's roster, and their guardians' consent. Nothing more about a child."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, false, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach import unitofwork
from outreach.collation import sort_key_column, stored_key
from outreach.dbtypes import UTCDateTime, one_of, utcnow
from outreach.extensions import db
from outreach.naming import casefold
from outreach.i18n import _l

GENDERS = {"female": _l("female"), "male": _l("male"), "unspecified": _l("unspecified")}
CONSENT_METHODS = {"paper": _l("paper form"), "electronic": _l("electronic")}


class Student(db.Model):
    __tablename__ = "student"
    __table_args__ = (
        CheckConstraint("grade BETWEEN 0 AND 11", name="grade_range"),
        one_of("gender", tuple(GENDERS)),
        # an erased student keeps no name
        CheckConstraint("erased_at IS NULL OR (first_name IS NULL AND last_name IS NULL)", name="erased_has_no_name"),
        CheckConstraint("erased_at IS NULL OR name_folded IS NULL", name="erased_has_no_folded_name"),
        Index("ix_student_school_name_folded", "school_id", "name_folded"),
        Index("ix_student_sort_kk", "sort_kk"),
        Index("ix_student_sort_ru", "sort_ru"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    # "last<TAB>first", casefolded: case-insensitive search and duplicate checks for Cyrillic on SQLite too
    name_folded: Mapped[str | None] = mapped_column(String(201))
    # "last name, first name" in Kazakh and in Russian alphabet order (outreach.collation): the roster's order
    sort_kk: Mapped[str | None] = mapped_column(sort_key_column())
    sort_ru: Mapped[str | None] = mapped_column(sort_key_column())
    grade: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(12), default="unspecified")
    # the guardian agreed to photos and video of the child at workshops (recorded with the consent); without it,
    # nobody photographs the child — the attendance sheet marks them for the teaching artist
    media_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # retention (outreach/students/retention.py): when the school said the student is still in the programme (the
    # retention period runs from then), and when the school was told the student is due for erasure
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retention_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped["School"] = relationship()  # noqa: F821
    consent: Mapped["GuardianConsent | None"] = relationship(back_populates="student", uselist=False,
                                                             cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name) if part)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


def fold(text: str | None) -> str:
    """Casefolded (outreach.naming.casefold: ß, ﬁ and İ too), NFC, inner whitespace collapsed: how names are compared."""
    return " ".join(casefold(text).split())


def folded_name(first_name: str | None, last_name: str | None) -> str | None:
    if first_name is None and last_name is None:
        return None
    return f"{fold(last_name)}\t{fold(first_name)}"


def _keep_name_folded(student: Student) -> None:
    # kept in step with the names whoever writes them (services, factories, the demo seed)
    student.name_folded = folded_name(student.first_name, student.last_name)
    names = (student.last_name, student.first_name) if student.first_name or student.last_name else (None,)
    student.sort_kk, student.sort_ru = stored_key("kk", *names), stored_key("ru", *names)


unitofwork.keep_on_save(Student, _keep_name_folded)


class GuardianConsent(db.Model):
    __tablename__ = "guardian_consent"
    __table_args__ = (one_of("method", tuple(CONSENT_METHODS)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), unique=True)
    guardian_name: Mapped[str | None] = mapped_column(String(200))
    relationship_to_student: Mapped[str | None] = mapped_column("relationship", String(100))
    given_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(12), default="paper")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student: Mapped[Student] = relationship(back_populates="consent")


class ImportPreview(db.Model):
    """Checked rows of an uploaded roster, waiting for the confirmation (an hour at most).

    In the database rather than on one server's disk: any app server can confirm it, and erasing a student of
    the school deletes the school's waiting previews too (they may hold the child's name)."""

    __tablename__ = "import_preview"
    __table_args__ = (Index("ix_import_preview_expires_at", "expires_at"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    rows: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HeldSearch(db.Model):
    """What someone typed into a search over children's names, kept on the server under a random token, so
    that the page's address (an access log, the browser's history, a Referer) carries the token, never the
    name. A few hours at most; erasing any student deletes them all (outreach/students/searches.py)."""

    __tablename__ = "held_search"
    __table_args__ = (Index("ix_held_search_expires_at", "expires_at"),)

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _rosters(school_ids: Any) -> set[str]:
    """A change to a school's roster: that school's pages, and those that show every school's students."""
    return {"students", *(f"school:{ident}" for ident in school_ids if ident is not None)}


def _student_changes(student: Student, _kind: str) -> set[str]:
    history = inspect(student).attrs.school_id.history
    return _rosters({student.school_id, *history.deleted})


def _consent_changes(consent: GuardianConsent, _kind: str) -> set[str]:
    student = db.session.get(Student, consent.student_id)
    return _rosters({student.school_id} if student is not None else ())


# what a flushed row changes, for the cache versions (outreach/cache.py): its school's roster
unitofwork.describe(Student, _student_changes)
unitofwork.describe(GuardianConsent, _consent_changes)

