"""attendance sync: when each mark was taken, and the batches of marks phones send (idempotency keys)

Revision ID: 0007_attendance_sync
Revises: 0008_collation

attendance.marked_at is the time a mark was taken on the device (the later mark per student wins); rows
already recorded get their recorded_at. attendance_batch keeps each batch's answer under (user, key).
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_attendance_sync"
down_revision = "0008_collation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE attendance SET marked_at = recorded_at")
    op.create_table(
        "attendance_batch",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_attendance_batch_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_attendance_batch")),
    )
    op.create_index(op.f("ix_attendance_batch_received_at"), "attendance_batch", ["received_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_attendance_batch_received_at"), table_name="attendance_batch")
    op.drop_table("attendance_batch")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_column("marked_at")
