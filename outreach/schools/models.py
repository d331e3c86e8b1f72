"""Regions (reference data) and partner schools."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.collation import sort_key_column, stored_key
from outreach.dbtypes import UTCDateTime, one_of, utcnow
from outreach.extensions import db
from outreach.i18n import _l, localize
from outreach.naming import casefold

SETTLEMENT_TYPES = {"urban": _l("urban"), "rural": _l("rural")}
INSTRUCTION_LANGUAGES = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}
#: ISO 3166-2:KZ codes of the regions and cities of republican significance (the `region` table's rows, from
#: the first migration); the API documents them as an enum
REGION_CODES = ("KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39", "KZ-43",
                "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79")


class Region(db.Model):
    """An oblys or a city of republican significance, keyed by its ISO 3166-2:KZ code."""

    __tablename__ = "region"
    __table_args__ = (one_of("kind", ("region", "city")),)

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name_kk: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    @property
    def names(self) -> dict[str, str]:
        return {"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en}

    @property
    def name(self) -> str:
        return localize(self.names).text


class School(db.Model):
    __tablename__ = "school"
    __table_args__ = (one_of("settlement_type", tuple(SETTLEMENT_TYPES)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # casefolded copy of the name: case-insensitive search for Cyrillic on SQLite too
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    # the name in Kazakh and in Russian alphabet order (outreach.collation): the directory's order
    sort_kk: Mapped[str | None] = mapped_column(sort_key_column(), index=True)
    sort_ru: Mapped[str | None] = mapped_column(sort_key_column(), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    locality: Mapped[str] = mapped_column(String(120))
    settlement_type: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined")
    language_rows: Mapped[list["SchoolLanguage"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SchoolLanguage.language")

    @property
    def languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        wanted = [c for c in dict.fromkeys(codes) if c in INSTRUCTION_LANGUAGES]
        keep = [row for row in self.language_rows if row.language in wanted]
        have = {row.language for row in keep}
        self.language_rows = keep + [SchoolLanguage(language=c) for c in wanted if c not in have]

    @property
    def written_language(self) -> str:
        """The language the school is written to in (teachers' links, certificates): kk when it teaches in Kazakh,
        else ru when it teaches in Russian, else kk (its languages are kept in alphabet order, not by weight)."""
        return next((code for code in self.languages if code in ("kk", "ru")), "kk")

    def set_name(self, name: str) -> None:
        self.name = name.strip()
        self.name_folded = casefold(self.name)
        self.sort_kk, self.sort_ru = stored_key("kk", self.name), stored_key("ru", self.name)


class SchoolLanguage(db.Model):
    """A language of instruction at a school."""

    __tablename__ = "school_language"
    __table_args__ = (one_of("language", tuple(INSTRUCTION_LANGUAGES)),)

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)


Index("ix_school_language_language", SchoolLanguage.language)
