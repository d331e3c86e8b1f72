"""retention: student.kept_at (the school said the student is still in the programme) and
student.retention_noticed_at (the school was told the student is due for erasure)

Revision ID: 2026_12_07_retention
Revises: 2026_12_07_outcome_target
"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_07_retention"
down_revision = "2026_12_07_outcome_target"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("student") as batch:
        batch.add_column(sa.Column("kept_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("retention_noticed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("student") as batch:
        batch.drop_column("retention_noticed_at")
        batch.drop_column("kept_at")
