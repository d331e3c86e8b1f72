"""Names with letters whose case mapping is not one letter: İ (Kazakh Latin: 'İ'.lower() is two characters), ß
and ligatures like ﬁ. Every student, school, artist and venue write takes them; the lists sort them next to
their plain letters and the searches find them however they are typed."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from outreach.collation import sort_key, stored_key
from outreach.extensions import db
from outreach.naming import casefold, fold
from tests.api.conftest import Api
from tests.factories import make_school, make_user
from tests.clock import programme_today

HARD = ["İnkar", "Straße", "ﬁlm"]


@pytest.fixture
def api(client):
    return Api(client)


def _consent():
    return {"guardian_name": "Гүлнар İnkar", "relationship": "анасы",
            "given_on": (programme_today() - timedelta(days=1)).isoformat()}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_sort_keys_take_every_letter_and_put_it_by_its_plain_letter(language):
    names = ["Inna", "İnkar", "Inkar", "Ilyas", "Strat", "Straße", "Strase", "film", "ﬁlm", "Fin", "Әлия"]
    ordered = sorted(names, key=lambda n: stored_key(language, n, "Айя"))
    assert ordered.index("Ilyas") < ordered.index("Inkar") < ordered.index("İnkar") < ordered.index("Inna")
    assert ordered.index("Strase") < ordered.index("Straße") < ordered.index("Strat")  # ß sorts as ss
    assert abs(ordered.index("film") - ordered.index("ﬁlm")) == 1 and ordered.index("ﬁlm") < ordered.index("Fin")
    assert ordered[0] == "Әлия"  # Cyrillic first, as before
    assert sorted(names, key=lambda n: sort_key(n, language)) == ordered
    for ch in ("İ", "ẞ", "ß", "ﬃ", "ǅ", "ŉ", "ΐ"):  # every letter whose lower case or folding is longer
        assert stored_key(language, ch)


def test_search_folding_makes_one_key_of_every_spelling():
    assert casefold("İnkar") == casefold("Inkar") == casefold("inkar") == "inkar"
    assert casefold("Straße") == casefold("STRASSE") == "strasse"
    assert casefold("ﬁlm") == "film"
    assert fold("İnkar") == fold("Inkar")


def test_students_with_these_names_are_saved_sorted_and_found(api):
    school = make_school()
    user = make_user("school", school=school)
    for last, first in [("İnkar", "Айя"), ("Inna", "Аня"), ("Ilyas", "Ақ"), ("Straße", "Ева"), ("ﬁlm", "Ира")]:
        response = api.post("/students", as_=user, json={"first_name": first, "last_name": last, "grade": 5,
                                                        "gender": "female", "guardian_consent": _consent()})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["last_name"] == last
    listed = [s["last_name"] for s in api.get("/students", as_=user, lang="kk").get_json()["items"]]
    assert listed.index("Ilyas") < listed.index("İnkar") < listed.index("Inna") < listed.index("Straße")
    for typed, expected in [("inkar", "İnkar"), ("İnkar", "İnkar"), ("INKAR", "İnkar"), ("strasse", "Straße"),
                            ("straße", "Straße"), ("film", "ﬁlm"), ("ﬁlm", "ﬁlm")]:
        found = [s["last_name"] for s in api.get(f"/students?q={typed}", as_=user).get_json()["items"]]
        assert found == [expected], typed


def test_the_roster_form_takes_these_names(client, csrf, login):
    user = login(make_user("school", school=make_school(), locale="en"))
    for last in HARD:
        response = client.post("/students/new", data={
            "csrf_token": csrf.token(client, "/students/new"), "last_name": last, "first_name": "Әлия", "grade": "5",
            "gender": "female", "guardian_name": "Гүлнар", "relationship": "анасы",
            "given_on": (programme_today() - timedelta(days=1)).isoformat(), "method": "paper"})
        assert response.status_code == 302, last
    assert user.school_id
    page = client.get("/students").get_data(as_text=True)
    assert all(last in page for last in HARD)


def test_schools_with_these_names_are_saved_sorted_and_found(api):
    coordinator = make_user("coordinator")
    for name in ["İnkar mektebi", "Inna mektebi", "Straße Schule", "ﬁlm mektebi"]:
        response = api.post("/schools", as_=coordinator, json={"name": name, "region": "KZ-75",
                                                              "locality": "Алматы", "settlement_type": "urban",
                                                              "languages": ["kk"]})
        assert response.status_code == 201, response.get_json()
    listed = [s["name"] for s in api.get("/schools", as_=coordinator).get_json()["items"]]
    assert listed.index("İnkar mektebi") < listed.index("Inna mektebi") < listed.index("Straße Schule")
    for typed, expected in [("inkar", "İnkar mektebi"), ("strasse", "Straße Schule"), ("film", "ﬁlm mektebi")]:
        found = [s["name"] for s in api.get(f"/schools?q={typed}", as_=coordinator).get_json()["items"]]
        assert found == [expected], typed


def test_artists_and_venues_with_these_names_are_saved_and_found(api):
    coordinator = make_user("coordinator")
    for name in ["İnkar Sapar", "Straße Ensemble", "ﬁlm studio"]:
        artist = api.post("/artists", as_=coordinator, json={"name": name, "art_forms": ["music"],
                                                            "languages": ["kk"], "home_region": "KZ-75"})
        assert artist.status_code == 201, artist.get_json()
        venue = api.post("/venues", as_=coordinator, json={"name": name + " hall", "region": "KZ-75",
                                                          "locality": "İnkar"})
        assert venue.status_code == 201, venue.get_json()
    # one person typed the Kazakh Latin way and the plain way is one name
    again = api.post("/artists", as_=coordinator, json={"name": "Inkar Sapar", "art_forms": ["music"],
                                                       "languages": ["kk"], "home_region": "KZ-75"})
    assert again.status_code == 409
    for typed, expected in [("inkar", "İnkar Sapar"), ("strasse", "Straße Ensemble"), ("film", "ﬁlm studio")]:
        found = [a["name"] for a in api.get(f"/artists?q={typed}", as_=coordinator).get_json()["items"]]
        assert found == [expected], typed
        venues = [v["name"] for v in api.get(f"/venues?q={typed}", as_=coordinator).get_json()["items"]]
        assert expected + " hall" in venues, typed
    db.session.rollback()


def test_the_migration_refolds_artists_saved_with_the_old_key(tmp_path):
    """An artist saved before had 'i' + a combining dot in its key: the migration gives it the key of today's fold."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from outreach.app import create_app
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'refold.sqlite'}"})
    old_key = "i\u0307nкаr sараr"  # what naming.fold gave before: İ case folded to i + a combining dot
    assert old_key != fold("İnkar Sapar") == fold("Inkar Sapar")
    with app.app_context():
        upgrade(revision="2026_12_07_held_search")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO artist (id, name, name_folded, art_forms, languages, created_at) "
                              "VALUES (1, 'İnkar Sapar', :key, '[]', '[]', '2026-12-01 00:00:00')"), {"key": old_key})
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name_folded FROM artist")).scalar() == fold("İnkar Sapar")
        db.engine.dispose()
