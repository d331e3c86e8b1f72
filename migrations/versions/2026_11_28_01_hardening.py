"""hardening: import previews in the database, a lock table for schedules, outbox messages given up

Revision ID: 0006_hardening
Revises: 0004_impact_rollups

import_preview keeps the checked rows of an uploaded roster for an hour (any app server can confirm it; erasing
a student of the school deletes them); schedule_lock holds one row per instructor or venue whose time is being
booked; outbox_message.failed_at marks a message that will not be retried on its own.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_hardening"
down_revision = "0004_impact_rollups"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_preview",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_import_preview_school_id_school"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_import_preview_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_import_preview")),
    )
    with op.batch_alter_table("import_preview", schema=None) as batch_op:
        batch_op.create_index("ix_import_preview_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_preview_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_preview_user_id"), ["user_id"], unique=False)
    op.create_table(
        "schedule_lock",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_schedule_lock")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
    op.drop_table("schedule_lock")
    with op.batch_alter_table("import_preview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_preview_user_id"))
        batch_op.drop_index(batch_op.f("ix_import_preview_school_id"))
        batch_op.drop_index("ix_import_preview_expires_at")
    op.drop_table("import_preview")
