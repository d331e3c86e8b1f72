"""student.name_folded: case-insensitive name search and duplicate checks (Cyrillic on SQLite too)

Revision ID: 0002_student_name_folded
Revises: 0001_whole_schema
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002_student_name_folded"
down_revision = "0001_whole_schema"
branch_labels = None
depends_on = None


def _fold(text):
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def upgrade():
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_folded", sa.String(length=201), nullable=True))
    conn = op.get_bind()
    student = sa.table("student", sa.column("id", sa.Integer), sa.column("first_name", sa.String),
                       sa.column("last_name", sa.String), sa.column("name_folded", sa.String))
    rows = conn.execute(sa.select(student.c.id, student.c.first_name, student.c.last_name)
                        .where(sa.or_(student.c.first_name.is_not(None), student.c.last_name.is_not(None)))).all()
    for ident, first, last in rows:
        conn.execute(student.update().where(student.c.id == ident)
                     .values(name_folded=f"{_fold(last)}\t{_fold(first)}"))
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.create_check_constraint("erased_has_no_folded_name", "erased_at IS NULL OR name_folded IS NULL")
        batch_op.create_index("ix_student_school_name_folded", ["school_id", "name_folded"], unique=False)


def downgrade():
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_index("ix_student_school_name_folded")
        batch_op.drop_constraint(op.f("ck_student_erased_has_no_folded_name"), type_="check")
        batch_op.drop_column("name_folded")
