"""scope_version: the data versions per scope (what a page shows), in shards, instead of one data_version row

Revision ID: 2026_12_07_scope_versions
Revises: 2026_12_07_media_consent
"""
import time

import sqlalchemy as sa
from alembic import op

revision = "2026_12_07_scope_versions"
down_revision = "2026_12_07_media_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scope_version",
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("shard", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "shard", name=op.f("pk_scope_version")),
    )
    op.drop_table("data_version")


def downgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": time.time_ns() // 1000}])
    op.drop_table("scope_version")
