"""Initiative pages as people use them: the form, the list and its filters, a funder's read-only view."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from outreach.extensions import db
from outreach.initiatives.models import Initiative
from tests.conftest import Csrf
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop
from tests.initiatives.test_services import _signup


def _form(client, path, **overrides):
    data = {"csrf_token": Csrf.token(client, path), "title_kk": "Сахна — балаларға", "title_ru": "", "title_en": "",
            "description_kk": "", "description_ru": "Театральные мастер-классы.", "description_en": "",
            "art_form": "theatre", "starts_on": "2027-02-01", "ends_on": "2027-06-30", "target_students": "200"}
    data.update(overrides)
    return data


def test_coordinator_creates_an_initiative_through_the_form(client, login):
    login("coordinator")
    funder = make_funder(name="Алтын Сахна қоры")
    db.session.commit()
    response = client.post("/initiatives/new", data=_form(client, "/initiatives/new", funder_ids=[str(funder.id)]))
    assert response.status_code == 302
    initiative = db.session.scalars(db.select(Initiative)).one()
    assert initiative.title == {"kk": "Сахна — балаларға"}
    assert initiative.description == {"ru": "Театральные мастер-классы."}
    assert [f.name for f in initiative.funders] == ["Алтын Сахна қоры"]
    page = client.get(response.headers["Location"] + "?lang=kk").get_data(as_text=True)
    assert "Сахна — балаларға" in page and "Алтын Сахна қоры" in page


def test_form_without_any_title_is_refused_and_keeps_what_was_typed(client, login):
    login("coordinator")
    response = client.post("/initiatives/new", data=_form(client, "/initiatives/new", title_kk="  ",
                                                          description_ru="Оставлено как было"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a title in at least one language." in page
    assert "Оставлено как было" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Initiative)) == 0


def test_end_before_start_is_shown_at_the_end_date(client, login):
    login("coordinator")
    response = client.post("/initiatives/new", data=_form(client, "/initiatives/new", ends_on="2027-01-01"))
    assert response.status_code == 422
    assert re.search(r'id="ends_on"[^>]*is-invalid|is-invalid[^>]*id="ends_on"',
                     response.get_data(as_text=True))


def test_edit_shows_the_current_values_and_saves_changes(client, login):
    login("admin")
    initiative = make_initiative(title={"ru": "Звуки домбры"}, art_form="music", target_students=250)
    db.session.commit()
    page = client.get(f"/initiatives/{initiative.id}/edit").get_data(as_text=True)
    assert 'value="Звуки домбры"' in page
    response = client.post(f"/initiatives/{initiative.id}/edit", data=_form(
        client, f"/initiatives/{initiative.id}/edit", title_kk="Домбыра үні", title_ru="Звуки домбры",
        art_form="music", target_students="300"))
    assert response.status_code == 302
    db.session.refresh(initiative)
    assert initiative.title == {"kk": "Домбыра үні", "ru": "Звуки домбры"}
    assert initiative.target_students == 300


def test_archive_hides_it_from_the_active_list_and_restore_brings_it_back(client, login):
    login("coordinator")
    initiative = make_initiative(title={"en": "Swan Lake for Schools"})
    db.session.commit()
    token = Csrf.token(client, f"/initiatives/{initiative.id}")
    assert client.post(f"/initiatives/{initiative.id}/archive", data={"csrf_token": token}).status_code == 302
    assert "Swan Lake for Schools" not in client.get("/initiatives").get_data(as_text=True)
    assert "Swan Lake for Schools" in client.get("/initiatives?status=archived").get_data(as_text=True)
    detail = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert 'name="restore"' in detail
    client.post(f"/initiatives/{initiative.id}/archive", data={"csrf_token": token, "restore": "1"})
    assert "Swan Lake for Schools" in client.get("/initiatives").get_data(as_text=True)


def test_list_filters_by_art_form_and_funder(client, login):
    login("coordinator")
    nomad = make_funder(name="Nomad Arts Foundation")
    make_initiative(title={"en": "Swan Lake for Schools"}, art_form="ballet", funders=[nomad])
    make_initiative(title={"en": "Kara Zhorga"}, art_form="folk_dance")
    db.session.commit()
    by_art = client.get("/initiatives?art_form=folk_dance").get_data(as_text=True)
    assert "Kara Zhorga" in by_art and "Swan Lake for Schools" not in by_art
    by_funder = client.get(f"/initiatives?funder={nomad.id}").get_data(as_text=True)
    assert "Swan Lake for Schools" in by_funder and "Kara Zhorga" not in by_funder
    # a filter value that means nothing is ignored rather than an error
    assert client.get("/initiatives?art_form=opera&funder=abc&status=zzz").status_code == 200


def test_coordinators_see_which_languages_are_filled(client, login):
    login("coordinator")
    make_initiative(title={"kk": "Сахна — балаларға"}, description={"ru": "Театр"})
    db.session.commit()
    page = client.get("/initiatives?lang=en").get_data(as_text=True)
    assert "kk: description only" not in page
    assert re.search(r'title="[^"]*: title only"', page)           # kk: title, no description
    assert re.search(r'title="[^"]*: description only"', page)     # ru: description, no title
    assert re.search(r'title="[^"]*: missing"', page)              # en: nothing


def test_funder_reads_only_its_own_initiatives(client, login):
    mine, other = make_funder(), make_funder()
    funded = make_initiative(title={"en": "Swan Lake for Schools"}, funders=[mine], target_students=10)
    foreign = make_initiative(title={"en": "Kara Zhorga"}, funders=[other])
    school = make_school(name="Қарағанды №7 мектеп-лицейі")
    workshop = make_workshop(initiative=funded, starts_at=datetime.now(timezone.utc) - timedelta(days=1))
    _signup(workshop, make_student(school, first_name="Айару"), present=True)
    login(make_user("funder", funder=mine))
    listing = client.get("/initiatives").get_data(as_text=True)
    assert "Swan Lake for Schools" in listing and "Kara Zhorga" not in listing
    assert "/initiatives/new" not in listing and "/edit" not in listing
    detail = client.get(f"/initiatives/{funded.id}")
    page = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert "/edit" not in page and "/archive" not in page
    # one child reached: under the threshold, so hidden (reports/privacy.py), and the page says why
    assert "1 of 10 students reached" not in page
    assert "Students reached: fewer than 10, not shown to protect the children" in page
    assert "How we protect children in these figures" in page
    # how many schools, but neither the schools' nor the students' names
    assert "Қарағанды №7" not in page and "Айару" not in page
    assert client.get(f"/initiatives/{foreign.id}").status_code == 404
    assert client.get(f"/initiatives/{foreign.id}/edit").status_code == 403


def test_school_representatives_do_not_use_initiative_pages(client, login):
    initiative = make_initiative()
    login("school")
    assert client.get("/initiatives").status_code == 403
    assert client.get(f"/initiatives/{initiative.id}").status_code == 403


def test_detail_shows_workshop_times_in_almaty_and_seats(client, login):
    login("coordinator")
    initiative = make_initiative(starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31), target_students=3)
    make_workshop(initiative=initiative, title={"en": "Barre basics"}, capacity=12,
                  starts_at=datetime(2027, 3, 8, 5, 0, tzinfo=timezone.utc))  # 10:00 in Almaty
    db.session.commit()
    page = client.get(f"/initiatives/{initiative.id}?lang=en").get_data(as_text=True)
    assert "Barre basics" in page
    assert re.search(r"March 8, 2027 · 10:00\sAM", page)  # Babel puts a narrow no-break space before AM
    assert not re.search(r"\b5:00\sAM", page)
    assert "0 of 12 seats taken" in page
    assert "0 of 3 students reached" in page


def test_detail_lists_schools_involved_for_staff(client, login):
    login("coordinator")
    initiative = make_initiative()
    workshop = make_workshop(initiative=initiative)
    school = make_school(name="Павлодар №24 мектебі")
    _signup(workshop, make_student(school))
    db.session.commit()
    page = client.get(f"/initiatives/{initiative.id}?lang=en").get_data(as_text=True)
    assert "Павлодар №24 мектебі" in page
    assert f"/schools/{school.id}" in page


def _fill(n_initiatives: int, funder):
    school = make_school()
    students = [make_student(school) for _ in range(3)]
    now = datetime.now(timezone.utc)
    for i in range(n_initiatives):
        initiative = make_initiative(title={"kk": f"Бастама {i}"}, funders=[funder])
        workshop = make_workshop(initiative=initiative, starts_at=now - timedelta(days=1))
        for student in students:
            _signup(workshop, student, present=True)
    db.session.commit()


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_list_query_count_does_not_grow_with_rows(client, login, count_queries, role):
    funder = make_funder()
    user = make_user(role, **({"funder": funder} if role == "funder" else {}))
    login(user)
    client.get("/initiatives?status=active")  # the signed-in user is cached from here on, as in real use
    counts = []
    for n in (5, 45):  # 5, then 50 initiatives on the database (the page shows 25)
        _fill(n, funder)
        with count_queries() as counter:
            response = client.get("/initiatives?status=active")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_detail_query_count_does_not_grow_with_workshops_and_schools(client, login, count_queries):
    login("coordinator")
    initiative = make_initiative()
    db.session.commit()
    client.get(f"/initiatives/{initiative.id}")  # the signed-in user is cached from here on, as in real use
    now = datetime.now(timezone.utc)
    counts = []
    for n in (5, 45):
        for i in range(n):
            workshop = make_workshop(initiative=initiative, starts_at=now - timedelta(days=i + 1))
            _signup(workshop, make_student(make_school()), present=True)
        db.session.commit()
        with count_queries() as counter:
            response = client.get(f"/initiatives/{initiative.id}")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
