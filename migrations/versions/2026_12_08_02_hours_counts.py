"""hours counts: students per band of attended hours kept per region (impact_reach kind 'hours'), for everyone's
initiatives and for each funder's counted scope, so the report's hours bands are read, not summed per student

Revision ID: 2026_12_08_hours_counts
Revises: 2026_12_08_impact_pending
"""
import sqlalchemy as sa
from alembic import op

revision = "2026_12_08_hours_counts"
down_revision = "2026_12_08_impact_pending"
branch_labels = None
depends_on = None

# the bands of the day (reports/models.py HOURS_BANDS then): key, lower bound in hours
BANDS = (("0-2", 0), ("2-5", 2), ("5-10", 5), ("10+", 10))


def _insert(scope: int, initiative_ids: list[int] | None) -> None:
    band = "CASE " + " ".join(f"WHEN s.minutes >= {low * 60} THEN '{key}'" for key, low in reversed(BANDS[1:])) \
        + f" ELSE '{BANDS[0][0]}' END"
    where = "attended = 1"
    if initiative_ids is not None:
        if not initiative_ids:
            return
        where += " AND initiative_id IN (" + ", ".join(str(int(i)) for i in initiative_ids) + ")"
    op.execute(sa.text(
        f"INSERT INTO impact_reach (scope, region_code, kind, \"key\", students) "
        f"SELECT {int(scope)}, s.region_code, 'hours', {band}, count(*) FROM "
        f"(SELECT region_code, student_id, sum(minutes) AS minutes FROM impact_fact WHERE {where} "
        f"GROUP BY region_code, student_id) AS s GROUP BY s.region_code, {band}"))


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM impact_reach WHERE kind = 'hours'"))
    _insert(0, None)
    for scope, ids in op.get_bind().execute(sa.text("SELECT scope, initiative_ids FROM impact_scope")).all():
        _insert(scope, [int(i) for i in ids.split(",") if i.strip()])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM impact_reach WHERE kind = 'hours'"))
