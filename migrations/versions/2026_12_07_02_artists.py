"""teaching artists and venues become records; workshops refer to them; the role `artist`; series for a school
and the dates a series skipped

Revision ID: 2026_12_07_artists
Revises: 2026_12_07_attendance_marks

Every distinct instructor and venue string of the workshops becomes one record; strings that are the same once
folded (case, kk/ru letter variants, Latin look-alikes, spaces: the rules of outreach/naming.py, copied here
because a migration imports no application code) become ONE record, named with the spelling most workshops
used. Artists get the art forms of their workshops' initiatives and the languages they delivered in. Venues
made here have no region or locality yet (a coordinator fills them in on the venue page).
"""
import unicodedata
from collections import Counter, defaultdict

import sqlalchemy as sa
from alembic import op

revision = "2026_12_07_artists"
down_revision = "2026_12_07_attendance_marks"
branch_labels = None
depends_on = None

LOOKALIKES = str.maketrans({
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У",
    "a": "а", "c": "с", "e": "е", "h": "һ", "i": "і", "k": "к", "o": "о", "p": "р", "x": "х", "y": "у",
})
VARIANTS = str.maketrans({"і": "и", "ә": "а", "ө": "о", "ү": "у", "ұ": "у", "қ": "к", "ғ": "г", "ң": "н",
                          "һ": "х", "ё": "е"})
PUNCTUATION = str.maketrans({"«": None, "»": None, '"': None, "“": None, "”": None, "„": None, "'": None,
                             "’": None, "–": "-", "—": "-", "‑": "-"})


def fold(name):
    text = unicodedata.normalize("NFKC", name or "").translate(PUNCTUATION).translate(LOOKALIKES)
    return " ".join(text.casefold().translate(VARIANTS).split())


def clean(name):
    return " ".join(unicodedata.normalize("NFC", name or "").split())


KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def _preference(item):
    """The spelling a record is named with: the one most workshops used; on a tie one without Latin letters
    mixed into Cyrillic, then one with the Kazakh letters (the state language), then one not all in one case,
    then the first in code-point order (the same on both databases)."""
    name, count = item
    letters = [c for c in name if c.isalpha()]
    cyrillic = any("\u0400" <= c <= "\u04ff" for c in letters)
    mixed = cyrillic and any(c.isascii() for c in letters)
    kazakh = any(c in KAZAKH_LETTERS for c in name)
    one_case = name == name.lower() or name == name.upper()
    return (-count, mixed, not kazakh, one_case, name)


def _utc_now():
    # the same value on both databases: naive UTC on SQLite, aware on PostgreSQL
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    return now.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else now


def _records_from_strings():
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT w.id, w.instructor, w.venue, w.language, i.art_form FROM workshop w "
        "JOIN initiative i ON i.id = w.initiative_id ORDER BY w.id")).all()
    now = _utc_now()
    artist = sa.table("artist", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("name_folded", sa.String), sa.column("art_forms", sa.JSON),
                      sa.column("languages", sa.JSON), sa.column("created_at", sa.DateTime(timezone=True)))
    venue = sa.table("venue", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("name_folded", sa.String), sa.column("created_at", sa.DateTime(timezone=True)))
    workshop = sa.table("workshop", sa.column("id", sa.Integer), sa.column("artist_id", sa.Integer),
                        sa.column("venue_id", sa.Integer), sa.column("instructor", sa.String),
                        sa.column("venue", sa.String))
    for kind, table, column in (("artist", artist, 1), ("venue", venue, 2)):
        spellings = defaultdict(Counter)
        members = defaultdict(list)
        forms, languages = defaultdict(set), defaultdict(set)
        for row in rows:
            key = fold(row[column])
            spellings[key][clean(row[column])] += 1
            members[key].append(row[0])
            forms[key].add(row[4])
            languages[key].add(row[3])
        for key in sorted(spellings):
            name = sorted(spellings[key].items(), key=_preference)[0][0]
            values = {"name": name, "name_folded": key, "created_at": now}
            if kind == "artist":
                values.update(art_forms=sorted(forms[key]), languages=sorted(languages[key]))
            new_id = conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()
            ids = members[key]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                if kind == "artist":
                    update = workshop.update().values(artist_id=new_id, instructor=name)
                else:
                    update = workshop.update().values(venue_id=new_id, venue=name)
                conn.execute(update.where(workshop.c.id.in_(chunk)))


def upgrade():
    op.create_table(
        "artist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("art_forms", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("home_region", sa.String(length=8), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["home_region"], ["region.code"], name=op.f("fk_artist_home_region_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artist")),
    )
    with op.batch_alter_table("artist") as batch_op:
        batch_op.create_index(batch_op.f("ix_artist_name_folded"), ["name_folded"], unique=False)
        batch_op.create_index(batch_op.f("ix_artist_home_region"), ["home_region"], unique=False)
    op.create_table(
        "artist_unavailable",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_artist_unavailable_period_order")),
        sa.ForeignKeyConstraint(["artist_id"], ["artist.id"], name=op.f("fk_artist_unavailable_artist_id_artist"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artist_unavailable")),
    )
    op.create_index("ix_artist_unavailable_artist_time", "artist_unavailable", ["artist_id", "starts_at"])
    op.create_table(
        "venue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=True),
        sa.Column("locality", sa.String(length=120), nullable=True),
        sa.Column("locality_folded", sa.String(length=120), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name=op.f("ck_venue_capacity_positive")),
        sa.ForeignKeyConstraint(["region"], ["region.code"], name=op.f("fk_venue_region_region")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_venue_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue")),
    )
    with op.batch_alter_table("venue") as batch_op:
        batch_op.create_index(batch_op.f("ix_venue_name_folded"), ["name_folded"], unique=False)
        batch_op.create_index(batch_op.f("ix_venue_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_venue_school_id"), ["school_id"], unique=False)

    with op.batch_alter_table("workshop") as batch_op:
        batch_op.add_column(sa.Column("artist_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("venue_id", sa.Integer(), nullable=True))
    _records_from_strings()
    with op.batch_alter_table("workshop") as batch_op:
        batch_op.alter_column("artist_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("venue_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_workshop_artist_id_artist"), "artist", ["artist_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_workshop_venue_id_venue"), "venue", ["venue_id"], ["id"])
        batch_op.drop_index("ix_workshop_instructor_time")
        batch_op.drop_index("ix_workshop_venue_time")
        batch_op.create_index("ix_workshop_artist_time", ["artist_id", "starts_at"], unique=False)
        batch_op.create_index("ix_workshop_venue_time", ["venue_id", "starts_at"], unique=False)

    with op.batch_alter_table("workshop_series") as batch_op:
        batch_op.add_column(sa.Column("school_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("skipped_dates", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_workshop_series_school_id_school"), "school", ["school_id"],
                                    ["id"])
        batch_op.create_index(batch_op.f("ix_workshop_series_school_id"), ["school_id"], unique=False)
    op.execute("UPDATE workshop_series SET skipped_dates = '[]'")
    with op.batch_alter_table("workshop_series") as batch_op:
        batch_op.alter_column("skipped_dates", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("artist_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_user_artist_id_artist"), "artist", ["artist_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_user_artist_id"), ["artist_id"], unique=False)
        batch_op.drop_constraint(op.f("ck_user_role_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_role_valid"),
                                         "role IN ('admin', 'coordinator', 'school', 'funder', 'artist')")
        batch_op.create_check_constraint(op.f("ck_user_artist_bound"), "role != 'artist' OR artist_id IS NOT NULL")


def downgrade():
    op.execute("DELETE FROM \"user\" WHERE role = 'artist'")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_constraint(op.f("ck_user_artist_bound"), type_="check")
        batch_op.drop_constraint(op.f("ck_user_role_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_role_valid"), "role IN ('admin', 'coordinator', 'school', 'funder')")
        batch_op.drop_index(batch_op.f("ix_user_artist_id"))
        batch_op.drop_constraint(batch_op.f("fk_user_artist_id_artist"), type_="foreignkey")
        batch_op.drop_column("artist_id")
    with op.batch_alter_table("workshop_series") as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_series_school_id"))
        batch_op.drop_constraint(batch_op.f("fk_workshop_series_school_id_school"), type_="foreignkey")
        batch_op.drop_column("skipped_dates")
        batch_op.drop_column("school_id")
    with op.batch_alter_table("workshop") as batch_op:
        batch_op.drop_index("ix_workshop_venue_time")
        batch_op.drop_index("ix_workshop_artist_time")
        batch_op.drop_constraint(batch_op.f("fk_workshop_venue_id_venue"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_workshop_artist_id_artist"), type_="foreignkey")
        batch_op.drop_column("venue_id")
        batch_op.drop_column("artist_id")
        batch_op.create_index("ix_workshop_instructor_time", ["instructor", "starts_at"], unique=False)
        batch_op.create_index("ix_workshop_venue_time", ["venue", "starts_at"], unique=False)
    op.drop_table("venue")
    op.drop_index("ix_artist_unavailable_artist_time", table_name="artist_unavailable")
    op.drop_table("artist_unavailable")
    op.drop_table("artist")
