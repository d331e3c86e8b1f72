"""media consent and follow-up: students' media_consent (no photos or video unless the guardian agreed),
users' reminders (off on the account page), and the follow-up notices already sent (so each goes once)

Revision ID: 2026_12_07_media_consent
Revises: 2026_12_07_outcomes
Create Date: 2026-12-07 13:45:00

"""
import sqlalchemy as sa
from alembic import op


revision = "2026_12_07_media_consent"
down_revision = "2026_12_07_outcomes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.add_column(sa.Column("media_consent", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminders", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "notice_sent",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_notice_sent")),
    )


def downgrade():
    op.drop_table("notice_sent")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("reminders")
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_column("media_consent")
