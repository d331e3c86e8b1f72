"""Searches over children's names that never reach a URL.

A search form over names is sent by POST (with its CSRF token); the text is kept here under a random token bound
to the person who searched, and the page is then asked for as `?search=<token>`, so paging, the language links
and the browser's history carry the token and no access log, history entry or Referer carries a child's name.
A token is good for its owner only, for `HOURS` hours; another person's, an expired or an unknown token is no
search. Erasing a student deletes every held search (one of them may be the child's name).
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.students.models import HeldSearch

#: how long a held search can be paged through
HOURS = 8
#: the query parameter that carries the token
PARAMETER = "search"
MAX_TEXT = 200


def hold(text: str, *, user_id: int) -> str:
    """Keep `text` for this user; the token that stands for it in URLs."""
    now = utcnow()
    db.session.execute(delete(HeldSearch).where(HeldSearch.expires_at <= now)
                       .execution_options(synchronize_session=False))
    token = secrets.token_urlsafe(12)
    db.session.add(HeldSearch(token=token, user_id=user_id, text=text[:MAX_TEXT],
                              expires_at=now + timedelta(hours=HOURS)))
    db.session.flush()
    return token


def held(token: str | None, *, user_id: int) -> str | None:
    """The text this user's token stands for; None for no token, another person's, an expired or unknown one."""
    if not token or not isinstance(token, str) or len(token) > 32:
        return None
    return db.session.scalar(select(HeldSearch.text).where(
        HeldSearch.token == token, HeldSearch.user_id == user_id, HeldSearch.expires_at > utcnow()))


def forget_all() -> None:
    """Delete every held search (after an erasure)."""
    db.session.execute(delete(HeldSearch).execution_options(synchronize_session=False))
