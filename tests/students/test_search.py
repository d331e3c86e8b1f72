"""No child's name reaches a URL: the roster's and the sign-up page's name searches are sent by POST, the text is
held on the server, and every address the app then makes (the redirect, the page's links and forms, paging)
carries a token. An old ?q= link is sent on to the page without the name."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote_plus

from sqlalchemy import func, select

from outreach.extensions import db
from outreach.students import services
from outreach.students.models import HeldSearch
from tests.conftest import Csrf
from tests.factories import make_school, make_student, make_user, make_workshop

NAME = "Ұлықбекқызы"


def _urls(html: str) -> list[str]:
    return [unquote_plus(u) for u in re.findall(r'(?:href|action|src)="([^"]*)"', html)]


def _assert_no_name(name: str, *urls: str) -> None:
    for url in urls:
        text = unquote_plus(url)
        assert name not in text and name.casefold() not in text.casefold(), url


def _school_user(login, students: int = 0):
    school = make_school()
    user = make_user("school", school=school, locale="en")
    make_student(school, last_name=NAME, first_name="Айару", grade=5)
    make_student(school, last_name="Омарова", first_name="Дана", grade=5)
    for n in range(students):
        make_student(school, last_name=f"{NAME}-{n:02d}", first_name="Әлия", grade=6)
    login(user)
    return school, user


def test_the_roster_search_finds_the_child_and_no_address_holds_the_name(client, login):
    _school_user(login)
    response = client.post("/students/search", data={"q": NAME.upper(), "csrf_token": Csrf.token(client, "/students")})
    assert response.status_code == 303
    location = response.headers["Location"]
    _assert_no_name(NAME, location)
    assert re.search(r"[?&]search=[\w-]{10,}", location)
    page = client.get(location)
    html = page.get_data(as_text=True)
    assert "Айару" in html and "Омарова" not in html and "1 student" in html
    assert f'value="{NAME.upper()}"' in html  # the search box shows what was typed
    _assert_no_name(NAME, *_urls(html))


def test_paging_keeps_the_search_without_the_name(client, login):
    _school_user(login, students=30)
    location = client.post("/students/search", data={"q": NAME, "csrf_token": Csrf.token(client, "/students")}) \
        .headers["Location"]
    first = client.get(location).get_data(as_text=True)
    assert "31 students" in first and "Омарова" not in first
    pages = [u for u in _urls(first) if "page=2" in u]
    assert pages, "no link to the second page"
    _assert_no_name(NAME, *pages)
    second = client.get(pages[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "31 students" in second and f"{NAME}-29" in second and "Омарова" not in second
    _assert_no_name(NAME, *_urls(second))


def test_filters_stay_in_the_address_and_the_name_does_not(client, login):
    _school_user(login, students=2)
    response = client.post("/students/search", data={"q": NAME, "grade": "6",
                                                     "csrf_token": Csrf.token(client, "/students")})
    location = response.headers["Location"]
    assert "grade=6" in location
    html = client.get(location).get_data(as_text=True)
    assert "2 students" in html and "Айару" not in html


def test_an_old_link_with_the_name_goes_to_the_page_without_it(client, login):
    _school_user(login)
    response = client.get(f"/students?q={NAME}&grade=5")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/students?grade=5")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 students" in html  # not searched: the name is not used from a URL


def test_a_search_token_is_its_owners_only_and_expires(client, login, app):
    school, _user = _school_user(login)
    location = client.post("/students/search", data={"q": NAME, "csrf_token": Csrf.token(client, "/students")}) \
        .headers["Location"]
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(make_user("school", school=school, locale="en"), c=other)
    assert "2 students" in other.get(location).get_data(as_text=True)  # another person's token: no search
    for held in db.session.scalars(select(HeldSearch)):
        held.expires_at -= timedelta(hours=9)
    db.session.commit()
    assert "2 students" in client.get(location).get_data(as_text=True)


def test_erasing_a_student_forgets_every_held_search(client, login):
    school, user = _school_user(login)
    client.post("/students/search", data={"q": NAME, "csrf_token": Csrf.token(client, "/students")})
    assert db.session.scalar(select(func.count()).select_from(HeldSearch)) == 1
    child = db.session.scalars(select(services.Student).where(services.Student.last_name == NAME)).one()
    services.erase_student(child, actor=user)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(HeldSearch)) == 0


def test_a_search_without_its_csrf_token_is_refused(client, login):
    _school_user(login)
    assert client.post("/students/search", data={"q": NAME}).status_code == 400


def test_the_sign_up_page_search_finds_the_child_without_a_name_in_any_address(client, login):
    school, _user = _school_user(login)
    workshop = make_workshop(capacity=5, min_grade=0, max_grade=11)
    db.session.commit()
    path = f"/signups/workshops/{workshop.id}"
    response = client.post(f"{path}/search", data={"q": NAME.lower(), "csrf_token": Csrf.token(client, path)})
    assert response.status_code == 303
    _assert_no_name(NAME, response.headers["Location"])
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Айару" in html and "Омарова" not in html
    _assert_no_name(NAME, *_urls(html))
    # the old way, a name in the address: the page without it
    old = client.get(f"{path}?q={NAME}")
    assert old.status_code == 303 and NAME not in unquote_plus(old.headers["Location"])


def test_a_coordinator_searches_the_chosen_schools_pupils(client, login):
    school = make_school()
    make_student(school, last_name=NAME, first_name="Айару", grade=5)
    make_student(school, last_name="Омарова", first_name="Дана", grade=5)
    workshop = make_workshop(capacity=5, min_grade=0, max_grade=11)
    login(make_user("coordinator", locale="en"))
    path = f"/signups/workshops/{workshop.id}"
    response = client.post(f"{path}/search", data={"q": NAME, "school_id": str(school.id),
                                                   "csrf_token": Csrf.token(client, path)})
    location = response.headers["Location"]
    assert f"school_id={school.id}" in location
    _assert_no_name(NAME, location)
    html = client.get(location).get_data(as_text=True)
    assert "Айару" in html and "Омарова" not in html
