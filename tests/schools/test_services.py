"""Schools directory rules: validation with field names, who sees which school, Cyrillic search, the summary."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from outreach.errors import Forbidden, NotFound, OutreachError
from outreach.extensions import db
from outreach.schools import services
from tests.factories import make_school, make_student, make_user, make_workshop
from tests.initiatives.test_services import _signup


def _data(**overrides):
    data = {"name": "  Қарағанды №7   мектеп-лицейі ", "region": "KZ-35", "locality": "Қарағанды",
            "settlement_type": "urban", "languages": ["kk", "ru"]}
    data.update(overrides)
    return data


def _names(user, **filters):
    return [s.name for s in db.session.scalars(services.schools_query(user, **filters))]


def test_create_tidies_the_name_and_keeps_the_folded_copy_in_step():
    school = services.create_school(_data(), actor=make_user("coordinator"))
    assert school.name == "Қарағанды №7 мектеп-лицейі"
    assert school.name_folded == "қарағанды №7 мектеп-лицейі"
    assert school.languages == ["kk", "ru"]
    services.update_school(school, {"name": "ШКОЛА-ГИМНАЗИЯ №38"}, actor=None)
    assert school.name_folded == "школа-гимназия №38"
    assert school.region_code == "KZ-35" and school.languages == ["kk", "ru"]


@pytest.mark.parametrize("overrides,field", [
    ({"name": " "}, "name"),
    ({"name": None}, "name"),
    ({"name": "№" * 201}, "name"),
    ({"region": "KZ-99"}, "region"),
    ({"region": None}, "region"),
    ({"locality": ""}, "locality"),
    ({"settlement_type": "suburban"}, "settlement_type"),
    ({"languages": []}, "languages"),
    ({"languages": ["kk", "de"]}, "languages"),
    ({"languages": "kk"}, "languages"),
])
def test_invalid_data_names_the_field(overrides, field):
    with pytest.raises(OutreachError) as caught:
        services.create_school(_data(**overrides), actor=None)
    assert caught.value.status == 422
    assert list(caught.value.fields) == [field]


def test_update_changes_region_and_languages():
    school = make_school(region_code="KZ-71", languages=["kk"])
    services.update_school(school, {"region": "KZ-55", "languages": ["ru", "kk"], "settlement_type": "rural"},
                           actor=None)
    assert school.region.code == "KZ-55" and school.settlement_type == "rural"
    assert sorted(school.languages) == ["kk", "ru"]


CYRILLIC = ["Қарағанды №7 мектеп-лицейі", "Школа-гимназия №38 г. Караганды", "Ұзынағаш ауылының мектебі",
            "Lyceum of Arts №2", "100% мектеп"]


@pytest.mark.parametrize("query,expected", [
    ("ҚАРАҒАНДЫ", ["Қарағанды №7 мектеп-лицейі"]),
    ("қарағанды", ["Қарағанды №7 мектеп-лицейі"]),
    ("КАРАГАНДЫ", ["Школа-гимназия №38 г. Караганды"]),  # Russian spelling: a different word
    ("гимназия", ["Школа-гимназия №38 г. Караганды"]),
    ("ұЗЫНАҒАШ", ["Ұзынағаш ауылының мектебі"]),
    ("LYCEUM", ["Lyceum of Arts №2"]),
    ("arts  №2", ["Lyceum of Arts №2"]),
    ("%", ["100% мектеп"]),    # LIKE wildcards are taken literally
    ("_", []),
    ("  ", CYRILLIC),
])
def test_name_search_ignores_case_for_cyrillic_and_latin(query, expected):
    for name in CYRILLIC:
        make_school(name=name)
    assert sorted(_names(make_user("coordinator"), q=query)) == sorted(expected)


def test_filters_by_region_settlement_and_language():
    make_school(name="Павлодар №24 мектебі", region_code="KZ-55", settlement_type="urban", languages=["kk", "ru"])
    make_school(name="Школа села Железинка", region_code="KZ-55", settlement_type="rural", languages=["ru"])
    make_school(name="Ақтау №5 мектеп", region_code="KZ-47", settlement_type="urban", languages=["kk"])
    coordinator = make_user("coordinator")
    assert sorted(_names(coordinator, region="KZ-55")) == ["Павлодар №24 мектебі", "Школа села Железинка"]
    assert _names(coordinator, region="KZ-55", settlement_type="rural") == ["Школа села Железинка"]
    assert sorted(_names(coordinator, language="kk")) == ["Ақтау №5 мектеп", "Павлодар №24 мектебі"]
    assert _names(coordinator, language="ru", q="павлодар") == ["Павлодар №24 мектебі"]
    with pytest.raises(OutreachError) as caught:
        services.schools_query(coordinator, settlement_type="suburban", language="de")
    assert set(caught.value.fields) == {"settlement_type", "language"}


def test_a_school_sees_only_itself_and_a_funder_not_at_all():
    own, other = make_school(name="№45 мектеп-гимназия"), make_school(name="Гимназия №159")
    representative = make_user("school", school=own)
    assert _names(representative) == ["№45 мектеп-гимназия"]
    assert services.get_school(representative, own.id) is own
    with pytest.raises(NotFound):
        services.get_school(representative, other.id)
    with pytest.raises(Forbidden):
        services.schools_query(make_user("funder"))


def test_regions_are_in_alphabet_order_in_the_viewers_language(app):
    from outreach.i18n import force_locale

    with force_locale("kk"):
        names = [r.name for r in services.regions()]
    assert len(names) == 20
    # Kazakh letters sort where the Kazakh alphabet has them, not after Я
    assert names.index("Қарағанды облысы") < names.index("Шымкент")
    assert names.index("Ұлытау облысы") < names.index("Шығыс Қазақстан облысы")
    with force_locale("ru"):
        assert "Карагандинская область" in [r.name for r in services.regions()]


def test_summary_counts_without_names():
    now = datetime.now(timezone.utc)
    school, other = make_school(), make_school()
    a, b, c = (make_student(school) for _ in range(3))
    erased = make_student(school)
    erased.first_name = erased.last_name = None
    erased.erased_at = now
    past = make_workshop(starts_at=now - timedelta(days=3), status="completed")
    future = make_workshop(starts_at=now + timedelta(days=3))
    cancelled = make_workshop(starts_at=now + timedelta(days=4), status="cancelled")
    _signup(past, a, present=True)
    _signup(past, b, present=False)
    _signup(past, erased, present=True)          # an erased student's visit still counts
    _signup(past, c, status="waitlisted")        # a past waitlist no longer matters
    _signup(future, a)
    _signup(future, b, status="waitlisted")
    _signup(future, c, status="cancelled")
    _signup(cancelled, c)
    _signup(future, make_student(other))         # another school
    db.session.flush()
    assert services.summary(school) == {"students": 3, "confirmed": 4, "upcoming_confirmed": 1, "waitlisted": 1,
                                        "attended": 2, "students_reached": 2}
