"""Small helpers shared by the HTML views: pagination, form errors, safe redirects."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlencode, urlsplit

from flask import Response, flash, redirect, request, session
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


def without_query(*names: str) -> Response | None:
    """For a GET whose query string has one of these parameters (a name, in an old link or bookmark): a redirect
    to the same page without them, so that the page's links, the browser's history and the Referer of the next
    click do not repeat it; None when there is none of them."""
    if not any(name in request.args for name in names):
        return None
    kept = [(key, value) for key, values in request.args.lists() if key not in names for value in values]
    return redirect(f"{request.path}?{urlencode(kept)}" if kept else request.path, 303)


def domain_error(error: Exception, form: Any = None, *, fields: dict[str, str] | None = None) -> None:
    """Undo the failed change and tell the person why (the form keeps what they typed).

    With a form, the error's field messages go next to the inputs they concern (`fields` renames the
    service's names to the form's: {"password": "new_password"}); a message no input takes is flashed."""
    db.session.rollback()
    placed = False
    for name, messages in (getattr(error, "fields", None) or {}).items():
        field = getattr(form, (fields or {}).get(name, name), None) if form is not None else None
        if field is not None:
            field.errors = list(field.errors) + [str(m) for m in messages if str(m) not in field.errors]
            placed = True
    if not placed:
        flash(str(error), "danger")


def is_safe_next(target: str | None) -> bool:
    """Only paths of this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


@contextmanager
def interface_language_kept() -> Iterator[None]:
    """?lang= on a download picks the document's language; the pages stay in the user's language."""
    remembered = session.get("lang")
    try:
        yield
    finally:
        if session.get("lang") != remembered:
            if remembered is None:
                session.pop("lang", None)
            else:
                session["lang"] = remembered
