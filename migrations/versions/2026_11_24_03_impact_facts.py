"""impact_fact: one row per counted sign-up with the keys the impact report groups and filters on

Revision ID: 0003_impact_facts
Revises: 0002_student_name_folded

The facts of an existing database are computed here from signup, attendance, workshop, student and
school (the local month in the programme's time zone, OUTREACH_TIMEZONE, Asia/Almaty by default).
"""
import os
from datetime import timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0003_impact_facts"
down_revision = "0002_student_name_folded"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_impact_fact_cube": ["attended", "region_code", "settlement_type", "gender", "grade_band", "student_id",
                            "starts_at", "initiative_id"],
    "ix_impact_fact_month": ["attended", "local_month", "student_id", "starts_at", "initiative_id", "region_code"],
    "ix_impact_fact_language": ["attended", "language", "student_id", "starts_at", "initiative_id", "region_code"],
    "ix_impact_fact_school": ["school_id", "student_id", "starts_at", "attended", "recorded", "minutes",
                              "initiative_id", "region_code"],
    "ix_impact_fact_time": ["starts_at", "attended", "recorded", "minutes", "initiative_id", "region_code",
                            "workshop_id"],
    "ix_impact_fact_initiative": ["initiative_id", "attended", "starts_at", "region_code", "settlement_type",
                                  "gender", "grade_band", "local_month", "language", "school_id", "student_id",
                                  "recorded", "minutes", "workshop_id"],
}


def upgrade():
    op.create_table(
        "impact_fact",
        sa.Column("signup_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("settlement_type", sa.String(length=10), nullable=False),
        sa.Column("gender", sa.String(length=12), nullable=False),
        sa.Column("grade_band", sa.String(length=5), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_month", sa.String(length=7), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("recorded", sa.SmallInteger(), nullable=False),
        sa.Column("attended", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["signup_id"], ["signup.id"], name=op.f("fk_impact_fact_signup_id_signup"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("signup_id", name=op.f("pk_impact_fact")),
    )
    _backfill()
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def _backfill():
    """Facts of the sign-ups already there: copied in SQL, then the local month per workshop."""
    conn = op.get_bind()
    conn.execute(sa.text(
        "INSERT INTO impact_fact (signup_id, workshop_id, initiative_id, student_id, school_id, region_code, "
        "settlement_type, gender, grade_band, language, starts_at, local_month, minutes, recorded, attended) "
        "SELECT s.id, s.workshop_id, w.initiative_id, s.student_id, st.school_id, sc.region_code, "
        "sc.settlement_type, st.gender, "
        "CASE WHEN st.grade <= 4 THEN '0-4' WHEN st.grade <= 9 THEN '5-9' ELSE '10-11' END, "
        "w.language, w.starts_at, '', w.duration_minutes, "
        "CASE WHEN w.attendance_recorded_at IS NOT NULL THEN 1 ELSE 0 END, "
        "CASE WHEN w.attendance_recorded_at IS NOT NULL AND a.present THEN 1 ELSE 0 END "
        "FROM signup s JOIN workshop w ON w.id = s.workshop_id JOIN student st ON st.id = s.student_id "
        "JOIN school sc ON sc.id = st.school_id LEFT JOIN attendance a ON a.signup_id = s.id "
        "WHERE s.status = 'confirmed' AND w.status != 'cancelled'"))
    tz = ZoneInfo(os.environ.get("OUTREACH_TIMEZONE", "Asia/Almaty"))
    workshop = sa.table("workshop", sa.column("id", sa.Integer), sa.column("starts_at", sa.DateTime(timezone=True)))
    months = []
    for ident, starts_at in conn.execute(sa.select(workshop.c.id, workshop.c.starts_at)):
        if starts_at.tzinfo is None:  # SQLite keeps UTC without an offset
            starts_at = starts_at.replace(tzinfo=timezone.utc)
        months.append({"w": ident, "m": starts_at.astimezone(tz).strftime("%Y-%m")})
    if months:
        op.create_index("tmp_impact_fact_workshop", "impact_fact", ["workshop_id"])
        conn.execute(sa.text("UPDATE impact_fact SET local_month = :m WHERE workshop_id = :w"), months)
        op.drop_index("tmp_impact_fact_workshop", "impact_fact")


def downgrade():
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
    op.drop_table("impact_fact")
