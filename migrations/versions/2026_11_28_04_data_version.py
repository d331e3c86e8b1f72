"""data_version: one counter that every committed write increases (the key of cached pages and figures)

Revision ID: 0009_data_version
Revises: 0007_attendance_sync
"""
import time

import sqlalchemy as sa
from alembic import op

revision = "0009_data_version"
down_revision = "0007_attendance_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": time.time_ns() // 1000}])


def downgrade() -> None:
    op.drop_table("data_version")
