"""held_search: searches over children's names kept on the server under a token, so no URL carries a name

Revision ID: 2026_12_07_held_search
Revises: 2026_12_07_scope_versions
"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_07_held_search"
down_revision = "2026_12_07_scope_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "held_search",
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_held_search_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_held_search")),
    )
    op.create_index("ix_held_search_expires_at", "held_search", ["expires_at"])
    op.create_index(op.f("ix_held_search_user_id"), "held_search", ["user_id"])


def downgrade() -> None:
    op.drop_table("held_search")
