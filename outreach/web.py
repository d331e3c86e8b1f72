"""Small helpers shared by the HTML views: pagination, form errors, safe redirects."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import flash, request
from sqlalchemy import Select, func, select

from outreach import params
from outreach.extensions import db

PER_PAGE = 25


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(value: Any = None) -> int:
    """?page= (or the given value) as a page number: junk is page 1, huge numbers stop at params.MAX_PAGE."""
    return params.page_number(value if value is not None else request.args.get("page", "1"))


def paginate(query: Select, page: int | None = None, per_page: int = PER_PAGE, scalars: bool = True) -> Page:
    """One COUNT and one SELECT, whatever the number of rows."""
    page = params.page_number(page) if page else page_number()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars().unique() if scalars else result.all())
    return Page(items=items, page=page, per_page=per_page, total=total)


def domain_error(error: Exception) -> None:
    """Undo the failed change and tell the person why (the form keeps what they typed)."""
    db.session.rollback()
    flash(str(error), "danger")


def is_safe_next(target: str | None) -> bool:
    """Only paths of this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
