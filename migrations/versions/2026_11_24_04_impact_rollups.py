"""impact facts v2: start as Unix seconds (smaller indexes), a per-workshop roll-up, an index for delivered workshops

Revision ID: 0004_impact_rollups
Revises: 0003_impact_facts

impact_fact is rebuilt from signup, attendance, workshop, student and school (the local month in the
programme's time zone, OUTREACH_TIMEZONE, Asia/Almaty by default); impact_workshop is its sum per workshop.
"""
import os
from datetime import timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0004_impact_rollups"
down_revision = "0003_impact_facts"
branch_labels = None
depends_on = None

OLD_INDEXES = ["ix_impact_fact_cube", "ix_impact_fact_month", "ix_impact_fact_language", "ix_impact_fact_school",
               "ix_impact_fact_time", "ix_impact_fact_initiative"]
INDEXES = {
    "ix_impact_fact_cube": ["attended", "region_code", "settlement_type", "gender", "grade_band", "student_id",
                            "starts_ts", "initiative_id"],
    "ix_impact_fact_month": ["attended", "local_month", "student_id", "starts_ts", "initiative_id", "region_code"],
    "ix_impact_fact_language": ["attended", "language", "student_id", "starts_ts", "initiative_id", "region_code"],
    "ix_impact_fact_school": ["school_id", "student_id", "attended", "starts_ts", "recorded", "minutes",
                              "initiative_id", "region_code"],
    "ix_impact_fact_time": ["starts_ts", "attended", "recorded", "minutes", "initiative_id", "region_code",
                            "workshop_id"],
    "ix_impact_fact_initiative": ["initiative_id", "attended", "starts_ts", "region_code", "settlement_type",
                                  "gender", "grade_band", "local_month", "language", "school_id", "student_id",
                                  "recorded", "minutes", "workshop_id"],
}


def upgrade():
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name in OLD_INDEXES:
            batch_op.drop_index(name)
    op.drop_table("impact_fact")
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
        sa.Column("starts_ts", sa.BigInteger(), nullable=False),
        sa.Column("local_month", sa.String(length=7), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("recorded", sa.SmallInteger(), nullable=False),
        sa.Column("attended", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["signup_id"], ["signup.id"], name=op.f("fk_impact_fact_signup_id_signup"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("signup_id", name=op.f("pk_impact_fact")),
    )
    op.create_index("ix_impact_fact_workshop", "impact_fact", ["workshop_id"])
    op.create_table(
        "impact_workshop",
        sa.Column("workshop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("starts_ts", sa.BigInteger(), nullable=False),
        sa.Column("signups", sa.Integer(), nullable=False),
        sa.Column("recorded", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.Column("attended_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], name=op.f("fk_impact_workshop_workshop_id_workshop"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workshop_id", name=op.f("pk_impact_workshop")),
    )
    _backfill()
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    op.create_index("ix_impact_workshop_time", "impact_workshop",
                    ["starts_ts", "initiative_id", "signups", "recorded", "attended", "attended_minutes"])
    op.create_index("ix_workshop_report_delivered", "workshop", ["starts_at", "status", "initiative_id"])


def _backfill():
    """Facts of the sign-ups already there, copied in SQL, then the start and local month per workshop;
    the roll-up is their sum per workshop."""
    conn = op.get_bind()
    conn.execute(sa.text(
        "INSERT INTO impact_fact (signup_id, workshop_id, initiative_id, student_id, school_id, region_code, "
        "settlement_type, gender, grade_band, language, starts_ts, local_month, minutes, recorded, attended) "
        "SELECT s.id, s.workshop_id, w.initiative_id, s.student_id, st.school_id, sc.region_code, "
        "sc.settlement_type, st.gender, "
        "CASE WHEN st.grade <= 4 THEN '0-4' WHEN st.grade <= 9 THEN '5-9' ELSE '10-11' END, "
        "w.language, 0, '', w.duration_minutes, "
        "CASE WHEN w.attendance_recorded_at IS NOT NULL THEN 1 ELSE 0 END, "
        "CASE WHEN w.attendance_recorded_at IS NOT NULL AND a.present THEN 1 ELSE 0 END "
        "FROM signup s JOIN workshop w ON w.id = s.workshop_id JOIN student st ON st.id = s.student_id "
        "JOIN school sc ON sc.id = st.school_id LEFT JOIN attendance a ON a.signup_id = s.id "
        "WHERE s.status = 'confirmed' AND w.status != 'cancelled'"))
    tz = ZoneInfo(os.environ.get("OUTREACH_TIMEZONE", "Asia/Almaty"))
    workshop = sa.table("workshop", sa.column("id", sa.Integer), sa.column("starts_at", sa.DateTime(timezone=True)))
    values = []
    for ident, starts_at in conn.execute(sa.select(workshop.c.id, workshop.c.starts_at)):
        if starts_at.tzinfo is None:  # SQLite keeps UTC without an offset
            starts_at = starts_at.replace(tzinfo=timezone.utc)
        values.append({"w": ident, "m": starts_at.astimezone(tz).strftime("%Y-%m"), "t": int(starts_at.timestamp())})
    if values:
        conn.execute(sa.text("UPDATE impact_fact SET local_month = :m, starts_ts = :t WHERE workshop_id = :w"), values)
    conn.execute(sa.text(
        "INSERT INTO impact_workshop (workshop_id, initiative_id, starts_ts, signups, recorded, attended, "
        "attended_minutes) SELECT workshop_id, max(initiative_id), max(starts_ts), count(*), sum(recorded), "
        "sum(attended), sum(attended * minutes) FROM impact_fact GROUP BY workshop_id"))


def downgrade():
    op.drop_index("ix_workshop_report_delivered", "workshop")
    op.drop_index("ix_impact_workshop_time", "impact_workshop")
    op.drop_table("impact_workshop")
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_index("ix_impact_fact_workshop")
    op.drop_table("impact_fact")
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
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, [c.replace("starts_ts", "starts_at") for c in columns
                                         if name != "ix_impact_fact_school" or c != "attended"]
                                  if name != "ix_impact_fact_school" else
                                  ["school_id", "student_id", "starts_at", "attended", "recorded", "minutes",
                                   "initiative_id", "region_code"], unique=False)
    # the facts come back with `flask reports rebuild-facts` on the older code

