"""The language comes from ?lang= (remembered), then the user's preference, then Accept-Language, then kk."""
from __future__ import annotations

import re

import pytest

from outreach.i18n import parse_accept_language


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def test_default_is_kazakh(raw_client):
    assert html_lang(raw_client.get("/")) == "kk"


def test_accept_language_is_used(raw_client):
    assert html_lang(raw_client.get("/", headers={"Accept-Language": "ru-KZ,ru;q=0.9,en;q=0.5"})) == "ru"
    assert html_lang(raw_client.get("/", headers={"Accept-Language": "de-DE,en;q=0.3"})) == "en"
    assert html_lang(raw_client.get("/", headers={"Accept-Language": "fr"})) == "kk"


def test_query_parameter_wins_and_is_remembered(raw_client):
    assert html_lang(raw_client.get("/?lang=ru", headers={"Accept-Language": "en"})) == "ru"
    assert html_lang(raw_client.get("/", headers={"Accept-Language": "en"})) == "ru"


def test_user_preference_comes_before_accept_language(raw_client, login):
    from tests.factories import make_user

    login(make_user(locale="ru"), c=raw_client)
    assert html_lang(raw_client.get("/", headers={"Accept-Language": "en"})) == "ru"


def test_switcher_names_each_language_in_itself(raw_client):
    page = raw_client.get("/").get_data(as_text=True)
    for native in ("Қазақша", "Русский", "English"):
        assert native in page


@pytest.mark.parametrize("header,expected", [
    ("ru-KZ", "ru"), ("en;q=0.1, kk;q=0.8", "kk"), ("xx, ru;q=0.2", "ru"), ("", None), ("en;q=0", None),
])
def test_accept_language_parsing(header, expected):
    assert parse_accept_language(header) == expected


def test_error_pages_are_translated(raw_client):
    kk = raw_client.get("/no-such-page").get_data(as_text=True)
    ru = raw_client.get("/no-such-page?lang=ru").get_data(as_text=True)
    assert "404" in kk and "404" in ru
    assert "Страница не существует" in ru and "Бұл бет" not in ru



def test_a_language_picked_on_the_sign_in_page_becomes_the_accounts(app, raw_client, login):
    from outreach.auth.models import User
    from outreach.extensions import db
    from tests.factories import make_user

    user = make_user(locale="kk")
    raw_client.get("/login?lang=ru")
    login(user, c=raw_client)
    assert html_lang(raw_client.get("/")) == "ru"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "ru"
    # the next sign-in, from another browser that asks for English, opens in the language picked
    other = app.test_client()
    login(user, c=other)
    assert html_lang(other.get("/", headers={"Accept-Language": "en"})) == "ru"


def test_the_note_about_the_saved_language_is_in_the_language_the_person_was_reading(raw_client, login):
    from tests.factories import make_user

    user = make_user(locale="kk")
    headers = {"Accept-Language": "ru-RU,ru;q=0.9"}
    from outreach.extensions import db
    from tests.conftest import PASSWORD, Csrf

    assert html_lang(raw_client.get("/login", headers=headers)) == "ru"
    db.session.commit()
    response = raw_client.post("/login", headers=headers, data={
        "email": user.email, "password": PASSWORD, "csrf_token": Csrf.token(raw_client)})
    assert response.status_code == 302
    page = raw_client.get("/", headers=headers)
    assert html_lang(page) == "kk"  # the account's language wins when nothing was picked …
    # … and the note that says so is in Russian, the language the person was reading
    assert re.search(r'<span lang="ru">Страницы показаны на языке', page.get_data(as_text=True))
