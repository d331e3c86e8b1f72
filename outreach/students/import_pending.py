"""The checked rows of a roster import, kept server-side in the import_preview table under a random token
between the preview and the confirmation (an hour at most), never in the browser."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.students.import_checks import ImportPreview
from outreach.students.models import ImportPreview as ImportPreviewRow

PENDING_TTL = timedelta(hours=1)


# --- rows kept between the preview and the confirmation ----------------------------------------

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _valid_token(token: Any) -> bool:
    return isinstance(token, str) and _TOKEN_RE.fullmatch(token) is not None


def _payload(row: ImportPreview) -> dict[str, Any]:
    return {"token": row.token, "user_id": row.user_id, "school_id": row.school_id, "filename": row.filename,
            "created_at": row.created_at.isoformat(), "rows": row.rows}


def save_pending(preview: ImportPreview, *, user_id: int, school_id: int) -> str:
    """Keep the checked rows in the database for PENDING_TTL (any app server can confirm); returns the token."""
    purge_pending()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(ImportPreviewRow(token=token, user_id=user_id, school_id=school_id,
                                    filename=(preview.filename or "")[:255],
                                    rows=[row.values() for row in preview.rows], created_at=now,
                                    expires_at=now + PENDING_TTL))
    db.session.flush()
    return token


def load_pending(token: str, *, user_id: int) -> dict[str, Any] | None:
    """The stored import, if it is this user's, not expired and not taken by a confirmation under way."""
    if not _valid_token(token):
        return None
    row = db.session.get(ImportPreviewRow, token)
    if row is None or row.user_id != user_id or row.claimed_at is not None or row.expires_at <= utcnow():
        return None
    return _payload(row)


def discard_pending(token: str) -> None:
    if _valid_token(token):
        db.session.execute(delete(ImportPreviewRow).where(ImportPreviewRow.token == token)
                           .execution_options(synchronize_session=False))


def claim_pending(token: str, *, user_id: int) -> dict[str, Any] | None:
    """Take the stored import for confirming, with one conditional UPDATE: of two clicks on "Add", only one
    gets it (the other waits for the first's transaction and then finds it taken or gone)."""
    if not _valid_token(token):
        return None
    now = utcnow()
    result = db.session.execute(
        update(ImportPreviewRow)
        .where(ImportPreviewRow.token == token, ImportPreviewRow.user_id == user_id,
               ImportPreviewRow.claimed_at.is_(None), ImportPreviewRow.expires_at > now)
        .values(claimed_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    row = db.session.get(ImportPreviewRow, token, populate_existing=True)
    return _payload(row) if row is not None else None


def release_pending(token: str) -> None:
    """Give a claimed import back (the confirmation failed), so that it can be tried again."""
    if _valid_token(token):
        db.session.execute(update(ImportPreviewRow).where(ImportPreviewRow.token == token)
                           .values(claimed_at=None).execution_options(synchronize_session=False))


def purge_pending(max_age: timedelta | None = None) -> int:
    """Delete expired previews (or, with max_age, those older than that); returns how many."""
    now = utcnow()
    condition = (ImportPreviewRow.expires_at <= now if max_age is None
                 else ImportPreviewRow.created_at <= now - max_age)
    result = db.session.execute(delete(ImportPreviewRow).where(condition).execution_options(synchronize_session=False))
    return result.rowcount or 0


def purge_school_previews(school_id: int) -> int:
    """Delete every waiting preview of a school (on erasure of any of its students: they may name the child)."""
    result = db.session.execute(delete(ImportPreviewRow).where(ImportPreviewRow.school_id == school_id)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0
