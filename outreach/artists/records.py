"""What artists and venues share as records: names checked and folded, similar names caught, near-duplicates
found, and two records merged into one (every workshop kept)."""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any, Iterable

from sqlalchemy import select, update

from outreach import locks, naming, params
from outreach.errors import Conflict, FieldErrors
from outreach.extensions import db
from outreach.i18n import _, _l
from outreach.workshops.models import Workshop

NAME_MAX = 200
CONTROL_CHARACTERS = _l("Line breaks, tabs and other control characters are not allowed here.")
#: how alike two folded names must be to be listed as possible duplicates (difflib ratio)
NEAR_RATIO = 0.85


def clean_text(data: dict, name: str, errors: FieldErrors, *, limit: int, required: bool = False) -> str | None:
    """A one-line text field: trimmed, spaces made one; None when empty and not required."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(name, _l("This field is required."))
        return None
    if not isinstance(value, str):
        errors.add(name, _l("Enter text."))
    elif params.has_control_characters(value):
        errors.add(name, CONTROL_CHARACTERS)
    elif len(naming.clean(value)) > limit:
        errors.add(name, _l("At most %(n)s characters.", n=limit))
    else:
        return naming.clean(value)
    return None


def same_name(model: Any, name: str, *, exclude_id: int | None = None) -> Any | None:
    """The record whose name is the same as `name` once folded (the oldest, if several were confirmed distinct)."""
    query = select(model).where(model.name_folded == naming.fold(name)).order_by(model.id)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


def refuse_similar(model: Any, name: str, *, exclude_id: int | None, confirm_distinct: bool, kind: str) -> None:
    """409 similar_name (the existing record's id in `fields.name`) unless the caller confirmed it is another."""
    if confirm_distinct:
        return
    existing = same_name(model, name, exclude_id=exclude_id)
    if existing is None:
        return
    message = _("Did you mean: %(name)s?", name=existing.name)
    raise Conflict(message, code="similar_name", fields={"name": [existing.id]})


def lock_record(kind: str, ident: int) -> None:
    """The lock of one artist's or venue's time (the conflicts check holds the same key)."""
    locks.hold([locks.lock_key(kind, str(ident))])


def near_duplicates(records: Iterable[Any]) -> list[tuple[Any, Any]]:
    """Pairs of records whose folded names are alike but not the same: one letter off, words in another order,
    an initial for a first name. A coordinator decides (the migration only joined identical folded names)."""
    items = list(records)
    pairs = []
    for i, first in enumerate(items):
        a = first.name_folded
        words_a = sorted(a.replace(".", " ").split())
        for second in items[i + 1:]:
            b = second.name_folded
            words_b = sorted(b.replace(".", " ").split())
            if a == b or words_a == words_b or _initials_match(words_a, words_b) \
                    or SequenceMatcher(None, a, b).ratio() >= NEAR_RATIO:
                pairs.append((first, second))
    return pairs


def _initials_match(a: list[str], b: list[str]) -> bool:
    """«А. Сарсенова» and «Айгерим Сарсенова»: the same surname, and a first name given by its initial."""
    if len(a) != len(b) or len(a) < 2:
        return False
    short, long_ = (a, b) if sum(map(len, a)) <= sum(map(len, b)) else (b, a)
    rest = [w for w in long_]
    for word in short:
        match = next((w for w in rest if w == word or (len(word) == 1 and w.startswith(word))), None)
        if match is None:
            return False
        rest.remove(match)
    return True


def merge_workshops(column: Any, name_column: Any, keep: Any, drop: Any) -> int:
    """Point every workshop of `drop` at `keep` (with `keep`'s name); the number of workshops moved."""
    result = db.session.execute(update(Workshop).where(column == drop.id)
                                .values({column: keep.id, name_column: keep.name})
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def overlapping_pairs(column: Any, ident: int) -> list[tuple[Workshop, Workshop]]:
    """Live workshops of one artist or venue that overlap in time (what a merge of two records may bring out)."""
    rows = db.session.scalars(select(Workshop).where(column == ident, Workshop.status != "cancelled")
                              .order_by(Workshop.starts_at, Workshop.id)).all()
    pairs = []
    for i, first in enumerate(rows):
        for second in rows[i + 1:]:
            if second.starts_at >= first.ends_at:
                break
            pairs.append((first, second))
    return pairs
