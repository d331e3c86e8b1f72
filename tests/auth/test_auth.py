"""Signing in and out: sessions, rate limits, safe redirects, password changes."""
from __future__ import annotations

from outreach.extensions import db
from tests.conftest import PASSWORD, Csrf
from tests.factories import make_user


def _post_login(client, email, password, next_url=None):
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"email": email, "password": password, "csrf_token": Csrf.token(client)})


def test_sign_in_and_see_the_role_home(client):
    user = make_user("coordinator", name="Гүлнар")
    db.session.commit()
    response = _post_login(client, user.email.upper(), PASSWORD)  # email is case-insensitive
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Гүлнар" in page


def test_unknown_user_and_wrong_password_get_the_same_answer(client):
    user = make_user("school")
    db.session.commit()
    wrong = _post_login(client, user.email, "not-the-password").get_data(as_text=True)
    unknown = _post_login(client, "nobody@example.org", "not-the-password").get_data(as_text=True)
    marker = "alert-danger"
    assert marker in wrong and marker in unknown
    extract = lambda html: html[html.index(marker):html.index(marker) + 300]
    assert extract(wrong) == extract(unknown)


def test_form_without_csrf_token_is_refused(client):
    user = make_user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code != 302


def test_copied_cookie_stops_working_after_sign_out(app, client, login):
    login("coordinator")
    cookie = client.get_cookie("session").value
    assert client.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": Csrf.token(client, "/account")})
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_signs_out_other_devices(app, client, login):
    user = login("school")
    other = app.test_client()
    login(user, c=other)
    assert other.get("/account").status_code == 200
    response = client.post("/account", data={"pw-current_password": PASSWORD, "pw-new_password": "a-new-long-password",
                                             "pw-submit": "1", "pw-csrf_token": Csrf.token(client, "/account")})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this device stays signed in
    assert other.get("/account").status_code == 302


def test_failed_sign_ins_are_rate_limited(app, client):
    user = make_user()
    db.session.commit()
    statuses = [_post_login(client, user.email, "wrong-password").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    # the correct password is refused too while the limit lasts
    assert _post_login(client, user.email, PASSWORD).status_code == 429


def test_successful_sign_ins_do_not_use_up_the_limit(client):
    user = make_user()
    db.session.commit()
    for _ in range(12):
        assert _post_login(client, user.email, PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": Csrf.token(client, "/account")})


def test_next_redirects_only_to_this_site(client):
    user = make_user()
    db.session.commit()
    assert _post_login(client, user.email, PASSWORD, "/account").headers["Location"].endswith("/account")
    client.post("/logout", data={"csrf_token": Csrf.token(client, "/account")})
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = _post_login(client, user.email, PASSWORD, evil)
        assert "evil" not in response.headers["Location"] and "javascript" not in response.headers["Location"]
        client.post("/logout", data={"csrf_token": Csrf.token(client, "/account")})


def test_deactivated_user_cannot_sign_in(client):
    user = make_user(active=False)
    db.session.commit()
    assert _post_login(client, user.email, PASSWORD).status_code == 200


def test_passwords_are_hashed_with_argon2(app):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_session_cookie_flags(client, login):
    login()
    header = [h for h in client.get("/").headers.getlist("Set-Cookie")] or []
    # the sign-in response carries the cookie; check the configured flags on the app
    assert client.application.config["SESSION_COOKIE_HTTPONLY"] is True
    assert client.application.config["SESSION_COOKIE_SAMESITE"] == "Lax"
