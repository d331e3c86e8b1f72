"""outcome target: an initiative's pupils' questionnaire may set one ("70 % of pupils rate their confidence 4 or 5
in their last answer") — the question's key and the share aimed at

Revision ID: 2026_12_07_outcome_target
Revises: 2026_12_07_turkic_i_folds
"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_07_outcome_target"
down_revision = "2026_12_07_turkic_i_folds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questionnaire") as batch:
        batch.add_column(sa.Column("target_key", sa.String(40), nullable=True))
        batch.add_column(sa.Column("target_percent", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_questionnaire_target_percent_range"),
                                      "target_percent IS NULL OR (target_percent >= 1 AND target_percent <= 100)")


def downgrade() -> None:
    with op.batch_alter_table("questionnaire") as batch:
        batch.drop_constraint(op.f("ck_questionnaire_target_percent_range"), type_="check")
        batch.drop_column("target_percent")
        batch.drop_column("target_key")
