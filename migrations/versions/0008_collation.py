"""student.sort_kk/sort_ru, school.sort_kk/sort_ru: the roster and the schools directory in alphabet order

Revision ID: 0008_collation
Revises: 0006_hardening

Lists sorted by name follow the alphabet of the page's language (Kazakh: Ә after А, Қ after К, Ұ Ү after У,
Һ after Х, І after Ы). Short lists sort with ICU collations on PostgreSQL and a registered collation on
SQLite (outreach.collation); the two long ones keep the key in indexed columns, filled here for existing rows.
"""
import sqlalchemy as sa
from alembic import op

from outreach.collation import sort_key_column, stored_key

revision = "0008_collation"
down_revision = "0006_hardening"
branch_labels = None
depends_on = None

BATCH = 2000


def _backfill(conn, table, key_columns):
    rows = conn.execute(sa.select(table.c.id, *[table.c[c] for c in key_columns])).all()
    updates = []
    for ident, *names in rows:
        parts = names if any(n is not None for n in names) else [None]
        updates.append({"ident": ident, "kk": stored_key("kk", *parts), "ru": stored_key("ru", *parts)})
    statement = (table.update().where(table.c.id == sa.bindparam("ident"))
                 .values(sort_kk=sa.bindparam("kk"), sort_ru=sa.bindparam("ru")))
    for start in range(0, len(updates), BATCH):
        conn.execute(statement, updates[start:start + BATCH])


def upgrade():
    for name in ("student", "school"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("sort_kk", sort_key_column(), nullable=True))
            batch_op.add_column(sa.Column("sort_ru", sort_key_column(), nullable=True))
    conn = op.get_bind()
    student = sa.table("student", sa.column("id", sa.Integer), sa.column("last_name", sa.String),
                       sa.column("first_name", sa.String), sa.column("sort_kk", sa.String),
                       sa.column("sort_ru", sa.String))
    school = sa.table("school", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("sort_kk", sa.String), sa.column("sort_ru", sa.String))
    _backfill(conn, student, ["last_name", "first_name"])
    _backfill(conn, school, ["name"])
    for name in ("student", "school"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(f"ix_{name}_sort_kk", ["sort_kk"], unique=False)
            batch_op.create_index(f"ix_{name}_sort_ru", ["sort_ru"], unique=False)


def downgrade():
    # plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of school would trip the foreign keys
    for name in ("school", "student"):
        op.drop_index(f"ix_{name}_sort_ru", table_name=name)
        op.drop_index(f"ix_{name}_sort_kk", table_name=name)
        op.drop_column(name, "sort_ru")
        op.drop_column(name, "sort_kk")
