"""Black-box: inviting an existing address never yields a way into that account; tokens and sessions die when
they should; failed sign-ins cannot lock a person out; look-alike addresses are refused."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from outreach.auth.models import ApiToken, Invitation, User
from outreach.extensions import db
from tests.conftest import PASSWORD, Csrf
from tests.factories import make_school, make_user


def _sign_in(client, email, password=PASSWORD, **kw):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": Csrf.token(client)}, **kw)


def _token(app, email, password=PASSWORD, ip="10.9.0.1"):
    response = app.test_client().post("/api/v1/tokens", json={"email": email, "password": password},
                                      environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def _api_status(app, token):
    return app.test_client().get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"}).status_code


def _invite(client, school, email):
    return client.post(f"/schools/{school.id}/invite", data={
        "csrf_token": Csrf.token(client, f"/schools/{school.id}/invite"), "email": email, "name": "", "locale": "kk"})


@pytest.mark.parametrize("which_school", ["own", "other"])
def test_reinviting_an_existing_representative_gives_no_way_to_set_their_password(app, client, login, which_school):
    school2 = make_school(name="Школа-лицей №8")
    school2_rep = make_user("school", school=school2, email="school2@example.org")
    target = school2 if which_school == "own" else make_school()
    login("coordinator")
    for spelling in ("school2@example.org", "SCHOOL2@Example.ORG", " school2@example.org "):
        response = _invite(client, target, spelling)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Ask an administrator" in page  # says who can help
        assert "/invitation/" not in page
        detail = client.get(f"/schools/{target.id}").get_data(as_text=True)
        assert "/invitation/" not in detail and 'id="invitation-link"' not in detail
    assert db.session.scalar(select(db.func.count()).select_from(Invitation)) == 0
    # no invitation e-mail either, and school2's own password still works
    from outreach.notifications.models import OutboxMessage

    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 0
    assert _sign_in(app.test_client(), school2_rep.email).status_code == 302


def test_reinviting_a_deactivated_account_leaves_it_deactivated_and_its_token_dead(app, client, login):
    school = make_school()
    rep = make_user("school", school=school, email="school2@example.org")
    db.session.commit()
    token = _token(app, rep.email)
    admin = make_user("admin")
    login(admin)
    response = client.post(f"/accounts/{rep.id}/deactivate", data={"csrf_token": Csrf.token(client, "/account")})
    assert response.status_code == 302
    assert _api_status(app, token) == 401
    client.post("/logout", data={"csrf_token": Csrf.token(client, "/account")})
    login("coordinator")
    assert _invite(client, school, rep.email).status_code == 422
    db.session.expire_all()
    assert db.session.get(User, rep.id).active is False
    assert _api_status(app, token) == 401
    assert _sign_in(app.test_client(), rep.email).status_code == 200  # refused: still deactivated


def test_an_old_invitation_link_cannot_set_the_password_once_one_is_set(app, client, login):
    """An invitation left over from before (e.g. made by the old code) never resets an existing password."""
    from outreach.auth import services

    rep = make_user("school")
    rep.password_hash = None
    db.session.flush()
    raw = services.create_invitation(rep, actor=None)
    from outreach.auth.passwords import hash_password

    rep.password_hash = hash_password(PASSWORD)  # the person chose a password another way
    db.session.commit()
    stranger = app.test_client()
    assert stranger.get(f"/invitation/{raw}").status_code == 404
    response = stranger.post(f"/invitation/{raw}", data={"csrf_token": Csrf.token(stranger),
                                                        "new_password": "taken-over-password"})
    assert response.status_code == 404
    assert _sign_in(app.test_client(), rep.email).status_code == 302


def test_invitations_are_refused_for_roles_the_inviter_may_not_give(app):
    from outreach.auth import invitations
    from outreach.errors import Forbidden

    coordinator = make_user("coordinator")
    with app.test_request_context("/"):
        for role in ("admin", "coordinator"):
            with pytest.raises(Forbidden):
                invitations.invite({"email": f"new-{role}@example.org"}, role=role, actor=coordinator)
        user, _link = invitations.invite({"email": "new-coordinator@example.org"}, role="coordinator",
                                         actor=make_user("admin"))
    assert user.role == "coordinator" and user.password_hash is None


# -- tokens ------------------------------------------------------------------------------------------------------

def test_delete_tokens_current_revokes_only_that_token(app):
    user = make_user("funder")
    db.session.commit()
    first, second = _token(app, user.email), _token(app, user.email)
    client = app.test_client()
    response = client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {first}"})
    assert response.status_code == 204 and response.get_data() == b""
    assert _api_status(app, first) == 401
    assert _api_status(app, second) == 200
    again = client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {first}"})
    assert again.status_code == 401


def test_a_password_change_kills_every_token_and_other_session(app, client, login):
    user = login("school")
    token = _token(app, user.email)
    other = app.test_client()
    login(user, c=other)
    response = client.post("/account", data={"pw-current_password": PASSWORD, "pw-new_password": "a-new-long-password",
                                             "pw-submit": "1", "pw-csrf_token": Csrf.token(client, "/account")})
    assert response.status_code == 302
    assert _api_status(app, token) == 401
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 200  # this device stays signed in


def test_deactivation_kills_sessions_and_tokens_at_once_and_reactivation_never_revives_them(app, client, login):
    rep = make_user("school")
    db.session.commit()
    token = _token(app, rep.email)
    rep_browser = app.test_client()
    _sign_in(rep_browser, rep.email)
    assert rep_browser.get("/account").status_code == 200
    login("admin")
    csrf = Csrf.token(client, "/account")
    assert client.post(f"/accounts/{rep.id}/deactivate", data={"csrf_token": csrf}).status_code == 302
    assert _api_status(app, token) == 401
    assert rep_browser.get("/account").status_code == 302
    assert client.post(f"/accounts/{rep.id}/reactivate", data={"csrf_token": csrf}).status_code == 302
    assert _api_status(app, token) == 401
    assert rep_browser.get("/account").status_code == 302
    # the password works again, and a new token does
    assert _sign_in(app.test_client(), rep.email).status_code == 302
    assert _api_status(app, _token(app, rep.email)) == 200


def test_the_account_page_lists_live_tokens_and_revokes_one(app, client, login):
    user = login("coordinator")
    keep, drop = _token(app, user.email), _token(app, user.email)
    page = client.get("/account").get_data(as_text=True)
    assert page.count("/revoke") == 2 and "API tokens" in page
    from outreach.auth.services import sha256

    drop_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == sha256(drop)))
    response = client.post(f"/account/tokens/{drop_id}/revoke", data={"csrf_token": Csrf.token(client, "/account")})
    assert response.status_code == 302
    assert _api_status(app, drop) == 401 and _api_status(app, keep) == 200
    assert client.get("/account").get_data(as_text=True).count("/revoke") == 1
    # someone else's token is not found
    other = make_user("coordinator")
    db.session.commit()
    other_token = _token(app, other.email)
    other_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == sha256(other_token)))
    assert client.post(f"/account/tokens/{other_id}/revoke",
                       data={"csrf_token": Csrf.token(client, "/account")}).status_code == 404
    assert _api_status(app, other_token) == 200


# -- throttling ----------------------------------------------------------------------------------------------------

@pytest.fixture
def one_proxy(app):
    app.config["TRUSTED_PROXY_HOPS"] = 1
    yield
    app.config["TRUSTED_PROXY_HOPS"] = 0


def test_twelve_wrong_passwords_from_one_address_do_not_stop_the_right_one_from_another(app, one_proxy):
    user = make_user("school")
    db.session.commit()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    attacker = app.test_client()
    web = [attacker.post("/login", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.5"},
                         data={"email": user.email, "password": "wrong", "csrf_token": Csrf.token(attacker)}).status_code
           for _ in range(12)]
    assert web[-1] == 429  # the attacker's address is throttled...
    api = [app.test_client().post("/api/v1/tokens", json={"email": user.email, "password": "wrong"},
                                  environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.5"}).status_code
           for _ in range(12)]
    assert api[-1] == 429
    # ...the person, behind the same proxy from their own address, is not
    person = app.test_client()
    token = person.get("/login")  # noqa: F841  (a session for the CSRF token)
    response = person.post("/login", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.7"},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": Csrf.token(person)})
    assert response.status_code == 302
    answer = app.test_client().post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD},
                                    environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.7"})
    assert answer.status_code == 201


def test_forwarded_for_is_believed_only_from_the_trusted_hops(app):
    """Without a trusted proxy a made-up X-Forwarded-For changes nothing: the attacker stays one address."""
    user = make_user("school")
    db.session.commit()
    statuses = [app.test_client().post("/api/v1/tokens", json={"email": user.email, "password": "wrong"},
                                       environ_base={"REMOTE_ADDR": "10.7.0.1"},
                                       headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code for n in range(12)]
    assert statuses[-1] == 429
    app.config["TRUSTED_PROXY_HOPS"] = 1
    try:
        # with one trusted proxy, only the address it appended counts (not what the client put before it)
        statuses = [app.test_client().post("/api/v1/tokens", json={"email": user.email, "password": "wrong"},
                                           environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                           headers={"X-Forwarded-For": f"192.0.2.{n}, 203.0.113.9"}).status_code
                    for n in range(12)]
        assert statuses[-1] == 429
    finally:
        app.config["TRUSTED_PROXY_HOPS"] = 0


def test_keep_me_signed_in_lasts_at_most_30_days(app, client):
    user = make_user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y",
                                           "csrf_token": Csrf.token(client)})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    from email.utils import parsedate_to_datetime

    days = (parsedate_to_datetime(expires) - datetime.now(timezone.utc)).total_seconds() / 86400
    assert 29 < days <= 30.01


# -- e-mail addresses ----------------------------------------------------------------------------------------------

def test_addresses_are_normalised_and_look_alikes_refused(app, client, login):
    school = make_school()
    make_user("school", school=school, email="school2@example.org")
    login("coordinator")
    # Cyrillic «а» in the domain: refused with a clear message, no account made
    response = _invite(client, school, "school2@exаmple.org")
    assert response.status_code == 422
    assert "mixes Latin and Cyrillic" in response.get_data(as_text=True)
    # full-width letters and an upper-case domain are the same address
    response = _invite(client, school, "ｓｃｈｏｏｌ２@EXAMPLE.ORG")
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)
    # a new address keeps its local part, with the domain lower-cased
    assert _invite(client, school, "Zhanna.A@Mektep.KZ").status_code == 200
    user = db.session.scalar(select(User).where(User.email_normalized == "zhanna.a@mektep.kz"))
    assert user.email == "Zhanna.A@mektep.kz"
    # an all-Cyrillic local part beside a Latin domain is a real address, not a look-alike
    assert _invite(client, school, "жанна@mektep.kz").status_code == 200
    # signing in with the look-alike finds nobody
    assert _sign_in(app.test_client(), "school2@exаmple.org").status_code == 200
