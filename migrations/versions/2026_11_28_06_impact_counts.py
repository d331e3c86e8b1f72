"""impact counts: students reached per region and key (for everyone and for each funder), sums per school,
and each attended fact's previous attended start (a period's students reached without a DISTINCT)

Revision ID: 0010_impact_counts
Revises: 0005_accounts

impact_reach holds distinct counts of students reached per (scope, region, kind, key) — kind is a
(settlement, gender, grade band) cell, a month, a language or a school; scope 0 counts every
initiative, scope N the initiatives funder N funds (the set is in impact_scope). impact_school
sums each school's facts. Both are counted here from impact_fact; the application keeps them after.
impact_fact.prev_ts / prev_lang_ts / prev_school_ts: when the student's previous attended sign-up
started (of any language / of the same language) and the school's, NO_PREVIOUS for the first.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_impact_counts"
down_revision = "0005_accounts"
branch_labels = None
depends_on = None

NO_PREVIOUS = -(2**62)
CUBE_OLD = ["attended", "region_code", "settlement_type", "gender", "grade_band", "student_id", "starts_ts",
            "initiative_id"]
LANGUAGE_OLD = ["attended", "language", "student_id", "starts_ts", "initiative_id", "region_code"]
TIME_OLD = ["starts_ts", "attended", "recorded", "minutes", "initiative_id", "region_code", "workshop_id"]
MONTH_OLD = ["attended", "local_month", "student_id", "starts_ts", "initiative_id", "region_code"]
NEW_INDEXES = {
    "ix_impact_fact_cube": ["attended", "region_code", "settlement_type", "gender", "grade_band", "starts_ts", "prev_ts",
                            "student_id"],
    "ix_impact_fact_language": ["attended", "language", "starts_ts", "prev_lang_ts", "region_code"],
    "ix_impact_fact_time": TIME_OLD + ["school_id", "prev_ts", "prev_school_ts"],
    "ix_impact_fact_month": ["attended", "local_month", "region_code", "student_id", "starts_ts", "initiative_id"],
    "ix_impact_fact_student": ["student_id", "attended", "starts_ts", "signup_id", "language", "prev_ts", "prev_lang_ts"],
    "ix_impact_fact_region": ["region_code", "attended", "language", "student_id", "starts_ts", "recorded", "minutes",
                              "workshop_id", "initiative_id"],
}
# what each kind's key is made of, as SQL (both databases)
KEYS = {
    "cell": ("settlement_type || '|' || gender || '|' || grade_band", "settlement_type, gender, grade_band"),
    "month": ("local_month", "local_month"),
    "language": ("language", "language"),
    "school": ("CAST(school_id AS VARCHAR)", "school_id"),
}


def _count(conn, scope: int, initiative_ids: list[int] | None) -> None:
    where = "attended = 1"
    params: dict[str, int] = {"scope": scope}
    if initiative_ids is not None:
        names = []
        for i, ident in enumerate(initiative_ids):
            params[f"i{i}"] = ident
            names.append(f":i{i}")
        where += f" AND initiative_id IN ({', '.join(names)})"
    for kind, (key, columns) in KEYS.items():
        conn.execute(sa.text(
            f"INSERT INTO impact_reach (scope, region_code, kind, key, students) "
            f"SELECT :scope, region_code, '{kind}', {key}, COUNT(DISTINCT student_id) FROM impact_fact "
            f"WHERE {where} GROUP BY region_code, {columns}"), params)


def upgrade():
    op.create_table(
        "impact_reach",
        sa.Column("scope", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("students", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "region_code", "kind", "key", name=op.f("pk_impact_reach")),
    )
    op.create_table(
        "impact_scope",
        sa.Column("scope", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("initiative_ids", sa.String(length=4000), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_impact_scope")),
    )
    op.create_table(
        "impact_school",
        sa.Column("school_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("students_reached", sa.Integer(), nullable=False),
        sa.Column("signups", sa.Integer(), nullable=False),
        sa.Column("recorded", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_impact_school_school_id_school"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("school_id", name=op.f("pk_impact_school")),
    )
    with op.batch_alter_table("impact_school", schema=None) as batch_op:
        batch_op.create_index("ix_impact_school_region", ["region_code", "students_reached"], unique=False)
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name in NEW_INDEXES:
            if name not in ("ix_impact_fact_region", "ix_impact_fact_student"):
                batch_op.drop_index(name)
        batch_op.add_column(sa.Column("prev_ts", sa.BigInteger(), server_default=str(NO_PREVIOUS), nullable=False))
        batch_op.add_column(sa.Column("prev_lang_ts", sa.BigInteger(), server_default=str(NO_PREVIOUS),
                                      nullable=False))
        batch_op.add_column(sa.Column("prev_school_ts", sa.BigInteger(), server_default=str(NO_PREVIOUS),
                                      nullable=False))

    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE impact_fact SET prev_ts = chained.p, prev_lang_ts = chained.pl, prev_school_ts = chained.ps FROM ("
        " SELECT signup_id AS sid,"
        f" LAG(starts_ts, 1, {NO_PREVIOUS}) OVER (PARTITION BY student_id ORDER BY starts_ts, signup_id) AS p,"
        f" LAG(starts_ts, 1, {NO_PREVIOUS}) OVER (PARTITION BY student_id, language ORDER BY starts_ts, signup_id)"
        " AS pl,"
        f" LAG(starts_ts, 1, {NO_PREVIOUS}) OVER (PARTITION BY school_id ORDER BY starts_ts, signup_id) AS ps"
        " FROM impact_fact WHERE attended = 1) AS chained WHERE chained.sid = impact_fact.signup_id"))
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name, columns in NEW_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)

    _count(conn, 0, None)
    conn.execute(sa.text(
        "INSERT INTO impact_school (school_id, region_code, students_reached, signups, recorded, attended, minutes) "
        "SELECT school_id, MAX(region_code), COUNT(DISTINCT CASE WHEN attended = 1 THEN student_id END), COUNT(*), "
        "SUM(recorded), SUM(attended), SUM(attended * minutes) FROM impact_fact GROUP BY school_id"))
    funded: dict[int, list[int]] = {}
    for funder_id, initiative_id in conn.execute(sa.text(
            "SELECT funder_id, initiative_id FROM initiative_funder ORDER BY funder_id, initiative_id")):
        funded.setdefault(funder_id, []).append(initiative_id)
    for funder_id, ids in funded.items():
        _count(conn, funder_id, ids)
        conn.execute(sa.text("INSERT INTO impact_scope (scope, initiative_ids) VALUES (:scope, :ids)"),
                     {"scope": funder_id, "ids": ",".join(str(i) for i in ids)})
    # the planner's statistics for the new indexes and tables (SQLite keeps them per index: without them it
    # may read a large table through a new index that does not cover the query)
    if conn.dialect.name == "postgresql":
        # every attended fact was rewritten: without a VACUUM the index-only scans of the report read the table
        # until autovacuum comes by (VACUUM cannot run inside the migration's transaction)
        with op.get_context().autocommit_block():
            for table in ("impact_fact", "impact_reach", "impact_school"):
                op.execute(f"VACUUM ANALYZE {table}")
    else:
        for table in ("impact_fact", "impact_reach", "impact_school"):
            conn.execute(sa.text(f"ANALYZE {table}"))


def downgrade():
    with op.batch_alter_table("impact_fact", schema=None) as batch_op:
        for name in NEW_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column("prev_school_ts")
        batch_op.drop_column("prev_lang_ts")
        batch_op.drop_column("prev_ts")
        batch_op.create_index("ix_impact_fact_cube", CUBE_OLD, unique=False)
        batch_op.create_index("ix_impact_fact_language", LANGUAGE_OLD, unique=False)
        batch_op.create_index("ix_impact_fact_time", TIME_OLD, unique=False)
        batch_op.create_index("ix_impact_fact_month", MONTH_OLD, unique=False)
    with op.batch_alter_table("impact_school", schema=None) as batch_op:
        batch_op.drop_index("ix_impact_school_region")
    op.drop_table("impact_school")
    op.drop_table("impact_scope")
    op.drop_table("impact_reach")
