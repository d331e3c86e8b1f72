"""attendance marks: present / late (with the minutes attended) / excused / absent instead of yes/no

Revision ID: 2026_12_07_attendance_marks
Revises: 0010_impact_counts

attendance.status replaces attendance.present (true -> present, false -> absent); attendance.minutes holds
the minutes a late student attended (null for every other mark). The impact facts keep their columns:
`minutes` becomes the minutes attended and `recorded` leaves excused sign-ups out (rebuilt here).
"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_07_attendance_marks"
down_revision = "0010_impact_counts"
branch_labels = None
depends_on = None

STATUSES = "'present', 'late', 'excused', 'absent'"


def upgrade():
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("minutes", sa.Integer(), nullable=True))
    op.execute("UPDATE attendance SET status = CASE WHEN present THEN 'present' ELSE 'absent' END")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=8), nullable=False)
        batch_op.drop_column("present")
        batch_op.create_check_constraint(op.f("ck_attendance_status_valid"), f"status IN ({STATUSES})")
        batch_op.create_check_constraint(
            op.f("ck_attendance_minutes_only_late"), "(status = 'late' AND minutes >= 1) OR (status <> 'late' AND minutes IS NULL)")
    # facts: minutes are the minutes attended (the workshop's duration for everyone marked so far)
    op.execute("UPDATE impact_fact SET minutes = 0 WHERE attended = 0")


def downgrade():
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("present", sa.Boolean(), nullable=True))
    op.execute("UPDATE attendance SET present = status IN ('present', 'late')")
    # facts as the yes/no marks had them: every sign-up's minutes the workshop's duration, excused ones recorded
    op.execute("UPDATE impact_fact SET minutes = (SELECT duration_minutes FROM workshop "
               "WHERE workshop.id = impact_fact.workshop_id)")
    op.execute("UPDATE impact_fact SET recorded = 1 WHERE recorded = 0 AND signup_id IN "
               "(SELECT signup_id FROM attendance WHERE status = 'excused')")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attendance_minutes_only_late"), type_="check")
        batch_op.drop_constraint(op.f("ck_attendance_status_valid"), type_="check")
        batch_op.drop_column("minutes")
        batch_op.drop_column("status")
        batch_op.alter_column("present", existing_type=sa.Boolean(), nullable=False)
