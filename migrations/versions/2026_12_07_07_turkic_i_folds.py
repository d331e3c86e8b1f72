"""artist/venue name keys: İ and ı fold like I and i (outreach.naming.fold now maps them before folding)

Before, 'İ'.casefold() left an i with a combining dot in the key, so "İnkar" and "Inkar" were two names and a
search for "inkar" did not find "İnkar". Students and schools with these letters could not be saved at all (the
sort key broke), so only artists' and venues' keys need refolding. Plain SQL and string replacement: migrations
import no application code.

Revision ID: 2026_12_07_turkic_i_folds
Revises: 2026_12_07_held_search
"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_07_turkic_i_folds"
down_revision = "2026_12_07_held_search"
branch_labels = None
depends_on = None

# In an old key, a Latin i followed by U+0307 came only from İ (a typed Latin i became the Cyrillic і first), and
# ı stayed ı; the new fold makes both the Cyrillic и, as it does for I and i.
_REPLACEMENTS = (("i\u0307", "и"), ("ı", "и"))
_COLUMNS = {"artist": ("name_folded",), "venue": ("name_folded", "locality_folded")}


def _refold(value):
    for old, new in _REPLACEMENTS:
        value = value.replace(old, new)
    return value


def upgrade() -> None:
    connection = op.get_bind()
    for table, columns in _COLUMNS.items():
        for column in columns:
            rows = connection.execute(sa.text(
                f"SELECT id, {column} FROM {table} WHERE {column} LIKE :dotted OR {column} LIKE :dotless"),
                {"dotted": "%i\u0307%", "dotless": "%ı%"}).all()
            for ident, value in rows:
                connection.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                                   {"value": _refold(value), "id": ident})


def downgrade() -> None:
    pass  # the new keys are what the old code would compare wrongly anyway; nothing to restore
