"""The data version and the page cache: every write is seen at once, no page reaches another session."""
from __future__ import annotations

from sqlalchemy import text

from outreach import cache
from outreach.extensions import db
from tests.factories import make_school, make_student, make_user


def version() -> int | None:
    db.session.rollback()
    return db.session.scalar(text("SELECT version FROM data_version WHERE id = 1"))


def test_every_committed_write_bumps_the_version_and_reading_does_not(app, client, login):
    school = make_school()
    db.session.commit()
    first = version()
    assert first is not None
    student = make_student(school)
    db.session.commit()
    second = version()
    assert second > first
    # a Core statement on the session, and a write outside the session altogether
    db.session.execute(text("UPDATE student SET grade = 6 WHERE id = :id"), {"id": student.id})
    db.session.commit()
    third = version()
    assert third > second
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE student SET grade = 7 WHERE id = :id"), {"id": student.id})
    assert version() > third
    # a rolled-back write and a page view leave it alone
    db.session.execute(text("UPDATE student SET grade = 8 WHERE id = :id"), {"id": student.id})
    db.session.rollback()
    settled = version()
    login("coordinator")
    settled = version()
    assert client.get("/schools").status_code == 200
    assert version() == settled


def test_a_cached_roster_shows_a_new_student_at_once(app, client, login):
    user = make_user("school")
    make_student(user.school, first_name="Айару")
    db.session.commit()
    login(user)
    assert "Айару" in client.get("/students").get_data(as_text=True)
    assert "Айару" in client.get("/students").get_data(as_text=True)  # from the cache
    make_student(user.school, first_name="Томирис")
    db.session.commit()
    assert "Томирис" in client.get("/students").get_data(as_text=True)


def test_the_same_url_never_serves_another_users_page(app):
    one, two = make_user("school"), make_user("school")
    make_student(one.school, first_name="Айару")
    make_student(two.school, first_name="Ерасыл")
    db.session.commit()
    pages = {}
    for user, name in ((one, "Айару"), (two, "Ерасыл"), (one, "Айару")):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        from tests.conftest import PASSWORD, Csrf

        client.post("/login", data={"email": user.email, "password": PASSWORD,
                                    "csrf_token": Csrf.token(client)})
        body = client.get("/students").get_data(as_text=True)
        assert name in body
        assert ({"Айару", "Ерасыл"} - {name}).pop() not in body
        pages.setdefault(user.id, []).append(body)
    # another session of the same person gets a page with its own CSRF token (sign-out works)
    first, again = pages[one.id]
    assert first != again


def test_each_language_is_cached_on_its_own(app, client, login):
    login("coordinator")
    english = client.get("/schools?lang=en").get_data(as_text=True)
    russian = client.get("/schools?lang=ru").get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="ru"' in russian


def test_the_cache_can_be_turned_off(app, client, login):
    app.config["OUTREACH_CACHE"] = False
    try:
        login("coordinator")
        cache.pages.clear()
        assert client.get("/schools").status_code == 200
        assert not cache.pages.items
    finally:
        app.config["OUTREACH_CACHE"] = True


def test_signing_in_as_someone_else_in_the_same_browser_shows_their_page(app, client, csrf):
    from tests.conftest import PASSWORD

    one, two = make_user("school"), make_user("school")
    make_student(one.school, first_name="Айару")
    make_student(two.school, first_name="Ерасыл")
    db.session.commit()
    for user, name, other in ((one, "Айару", "Ерасыл"), (two, "Ерасыл", "Айару")):
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf.token(client)})
        body = client.get("/students").get_data(as_text=True)
        assert name in body and other not in body
        client.post("/logout", data={"csrf_token": csrf.token(client, "/students")})
