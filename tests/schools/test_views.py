"""The schools directory pages: the form, search and filters, a school's page (counts, never names)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from outreach.extensions import db
from outreach.schools.models import School
from tests.conftest import Csrf
from tests.factories import make_school, make_student, make_user, make_workshop
from tests.initiatives.test_services import _signup


def _form(client, path, **overrides):
    data = {"csrf_token": Csrf.token(client, path), "name": "Ұзынағаш ауылының мектебі", "region": "KZ-19",
            "locality": "Ұзынағаш", "settlement_type": "rural", "languages": ["kk"]}
    data.update(overrides)
    return data


def test_coordinator_adds_a_school(client, login):
    login("coordinator")
    response = client.post("/schools/new", data=_form(client, "/schools/new", languages=["kk", "ru"]))
    assert response.status_code == 302
    school = db.session.scalars(db.select(School)).one()
    assert (school.name, school.region_code, school.settlement_type) == ("Ұзынағаш ауылының мектебі", "KZ-19", "rural")
    assert school.languages == ["kk", "ru"]
    page = client.get(response.headers["Location"] + "?lang=ru").get_data(as_text=True)
    assert "Алматинская область" in page  # the region in the viewer's language


def test_form_errors_keep_what_was_typed(client, login):
    login("coordinator")
    response = client.post("/schools/new", data=_form(client, "/schools/new", languages=[], locality="Ұзынағаш ауылы"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose at least one language of instruction." in page
    assert 'value="Ұзынағаш ауылы"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(School)) == 0


def test_region_choices_are_named_in_the_viewers_language(client, login):
    login("coordinator")
    assert "Қарағанды облысы" in client.get("/schools/new?lang=kk").get_data(as_text=True)
    assert "Карагандинская область" in client.get("/schools/new?lang=ru").get_data(as_text=True)
    assert "Karaganda Region" in client.get("/schools/new?lang=en").get_data(as_text=True)


def test_edit_saves_and_keeps_the_search_in_step(client, login):
    login("admin")
    school = make_school(name="Школа №1")
    db.session.commit()
    page = client.get(f"/schools/{school.id}/edit").get_data(as_text=True)
    assert 'value="Школа №1"' in page
    response = client.post(f"/schools/{school.id}/edit", data=_form(client, f"/schools/{school.id}/edit",
                                                                     name="Қостанай №9 мектеп-гимназиясы"))
    assert response.status_code == 302
    found = client.get("/schools?q=" + quote("ҚОСТАНАЙ")).get_data(as_text=True)
    assert "Қостанай №9 мектеп-гимназиясы" in found


def test_search_and_filters_on_the_list(client, login):
    login("coordinator")
    make_school(name="Қарағанды №7 мектеп-лицейі", region_code="KZ-35", languages=["kk", "ru"])
    make_school(name="Школа-гимназия №38 г. Караганды", region_code="KZ-35", languages=["ru"])
    make_school(name="Жаңақорған ауылының мектебі", region_code="KZ-43", settlement_type="rural")
    db.session.commit()
    page = client.get("/schools?q=" + quote("ҚАРАҒАНДЫ")).get_data(as_text=True)
    assert "Қарағанды №7 мектеп-лицейі" in page and "Школа-гимназия №38" not in page
    page = client.get("/schools?region=KZ-35&language=ru").get_data(as_text=True)
    assert "Қарағанды №7" in page and "Школа-гимназия №38" in page and "Жаңақорған" not in page
    page = client.get("/schools?settlement_type=rural").get_data(as_text=True)
    assert "Жаңақорған" in page and "Қарағанды №7" not in page
    assert client.get("/schools?region=nowhere&settlement_type=x&language=de").status_code == 200


def test_school_page_shows_counts_and_representatives_but_no_child_names(client, login):
    login("coordinator")
    school = make_school()
    representative = make_user("school", school=school, name="Сәуле Мектепова")
    make_user("school", name="Елена Школьная")  # another school's representative
    student = make_student(school, first_name="Томирис", last_name="Қасенова")
    workshop = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(days=1))
    _signup(workshop, student, present=True)
    db.session.commit()
    page = client.get(f"/schools/{school.id}?lang=en").get_data(as_text=True)
    assert "Сәуле Мектепова" in page and representative.email in page
    assert "Елена Школьная" not in page
    assert "Томирис" not in page and "Қасенова" not in page
    assert "Students on the roster" in page and "Sessions attended" in page


def test_other_schools_pages_are_not_for_school_users(client, login):
    school = make_school()
    login("school")
    assert client.get(f"/schools/{school.id}").status_code == 403
    assert client.get("/schools/999999").status_code == 403


def test_unknown_school_is_404_for_staff(client, login):
    login("coordinator")
    assert client.get("/schools/999999").status_code == 404


@pytest.mark.parametrize("path", ["/schools", "/schools?q=%D0%BC%D0%B5%D0%BA%D1%82%D0%B5%D0%BF&language=kk"])
def test_list_query_count_does_not_grow_with_rows(client, login, count_queries, path):
    login("coordinator")
    client.get(path)  # the signed-in user and the next workshop's start are read once per version of them
    counts = []
    for n in (5, 45):  # 5, then 50 schools (the page shows 25)
        for i in range(n):
            make_school(name=f"№{i} мектеп", languages=["kk", "ru"], region_code="KZ-71" if i % 2 else "KZ-55")
        db.session.commit()
        with count_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_school_page_query_count_does_not_grow_with_sign_ups(client, login, count_queries):
    login("coordinator")
    school = make_school()
    counts = []
    for n in (5, 45):
        for _ in range(n):
            make_user("school", school=school)
            _signup(make_workshop(), make_student(school))
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/schools/{school.id}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
