"""impact_pending: what a write changed for the impact report, kept until the report's upkeep has applied it

A write appends one row per workshop, student, school or initiative it touched (an O(1) insert in its own
transaction); the upkeep (outreach/reports/upkeep.py) claims the rows, recomputes the facts and the kept counts
and deletes them in one transaction after the write has committed.

Revision ID: 2026_12_08_impact_pending
Revises: 2026_12_07_retention
"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_08_impact_pending"
down_revision = "2026_12_07_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "impact_pending",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ident", sa.Integer(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('workshop', 'student', 'school', 'initiative')",
                           name=op.f("ck_impact_pending_kind_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_pending")),
    )


def downgrade() -> None:
    op.drop_table("impact_pending")
