"""The data version and the page cache: every write is seen at once, no page reaches another session."""
from __future__ import annotations

from sqlalchemy import text

from outreach import cache
from outreach.extensions import db
from tests.factories import make_school, make_student, make_user


def version() -> int | None:
    """Every scope's version together (any committed write that pages show moves it)."""
    db.session.rollback()
    return sum(cache._read_versions(cache.CONTENT).values())


def test_every_committed_write_bumps_the_version_and_reading_does_not(app, client, login):
    school = make_school()
    db.session.commit()
    first = version()
    assert first
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


def _shown() -> dict[str, int]:
    db.session.rollback()
    return cache._read_versions(cache.CONTENT)


def test_a_sign_in_a_token_an_email_or_an_audit_entry_changes_no_pages_version(app, client, login):
    from outreach.audit import services as audit
    from outreach.auth import services as auth
    from outreach.notifications import services as notifications

    user = make_user("coordinator")
    db.session.commit()
    before = _shown()
    login(user)  # a sign-in: the last-login time (and the audit trail's entry)
    raw, _token = auth.issue_api_token(user)
    db.session.commit()
    assert auth.user_for_api_token(raw) is not None  # a token's use: its last-used time
    notifications.queue(user, "invitation", "Subject", "Body")  # an e-mail in the outbox
    audit.record(user, "user.password_changed", user)
    db.session.commit()
    assert _shown() == before
    user.name = "Someone else"  # what the pages show of a user does change it
    db.session.commit()
    assert _shown()["users"] > before["users"]


def test_one_schools_roster_change_keeps_the_other_schools_pages(app, client, login):
    one, two = make_user("school"), make_user("school")
    make_student(one.school, first_name="Айару")
    make_student(two.school, first_name="Ерасыл")
    db.session.commit()
    login(one)
    assert "Айару" in client.get("/students").get_data(as_text=True)
    cached = dict(cache.pages.items)
    assert cached
    make_student(two.school, first_name="Томирис")  # another school's roster
    db.session.commit()
    cache.versions()  # this worker sees the versions move
    assert all(key in cache.pages.items for key in cached)
    body = client.get("/students").get_data(as_text=True)
    assert "Айару" in body and "Томирис" not in body
    make_student(one.school, first_name="Нұрлан")  # their own
    db.session.commit()
    assert "Нұрлан" in client.get("/students").get_data(as_text=True)


def test_no_key_follows_the_clock(app, client, login, monkeypatch):
    """The same data, seventy seconds and a minute boundary later: the same ETag (what is upcoming expires by
    itself when a workshop starts or ends, or at midnight)."""
    import time as clock

    login("coordinator")
    first = client.get("/reports/impact")
    assert first.status_code == 200 and first.headers.get("ETag")
    real = clock.time
    monkeypatch.setattr(clock, "time", lambda: real() + 70)
    again = client.get("/reports/impact", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
