"""Bearer tokens: issued for an email and password, stored hashed, expiring, dead with the user;
failed attempts rate-limited per email and per client address; ordinary calls never limited."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from outreach.auth.models import ApiToken
from outreach.auth.services import sha256
from outreach.dbtypes import utcnow
from outreach.extensions import db
from tests.api.conftest import error_of
from tests.factories import PASSWORD, make_user


def ask(api, email, password, ip="10.0.0.1"):
    return api.post("/tokens", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def test_a_token_for_the_right_password_opens_the_api(api):
    user = make_user("funder")
    response = ask(api, user.email.upper(), PASSWORD)
    assert response.status_code == 201
    body = response.get_json()
    assert body["role"] == "funder"
    assert datetime.fromisoformat(body["expires_at"]).utcoffset() == timedelta(hours=5)
    assert datetime.fromisoformat(body["expires_at"]) > utcnow() + timedelta(days=1)
    listed = api.get("/regions", headers={"Authorization": f"Bearer {body['token']}"})
    assert listed.status_code == 200


def test_tokens_are_stored_hashed(api):
    user = make_user("coordinator")
    raw = ask(api, user.email, PASSWORD).get_json()["token"]
    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert [t.token_hash for t in stored] == [sha256(raw)]
    assert raw not in stored[0].token_hash


def test_wrong_credentials_are_401_the_same_for_unknown_emails(api):
    user = make_user("coordinator")
    wrong = ask(api, user.email, "not-the-password")
    unknown = ask(api, "nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown)
    assert error_of(wrong)["code"] == "invalid_credentials"


def test_a_deactivated_user_gets_no_token_and_its_tokens_stop_working(api):
    user = make_user("school")
    token = ask(api, user.email, PASSWORD).get_json()["token"]
    user.active = False
    db.session.commit()
    assert api.get("/regions", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert ask(api, user.email, PASSWORD).status_code == 401


def test_expired_and_revoked_tokens_are_401(api):
    user = make_user("coordinator")
    first = ask(api, user.email, PASSWORD).get_json()["token"]
    second = ask(api, user.email, PASSWORD).get_json()["token"]
    rows = {t.token_hash: t for t in db.session.scalars(select(ApiToken))}
    rows[sha256(first)].expires_at = utcnow() - timedelta(seconds=1)
    rows[sha256(second)].revoked_at = utcnow()
    db.session.commit()
    for token in (first, second):
        response = api.get("/regions", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_token_or_a_malformed_header_is_401(api):
    for header in (None, "", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Token abc", "Bearer not-a-token"):
        headers = {"Authorization": header} if header is not None else {}
        response = api.get("/regions", headers=headers)
        assert response.status_code == 401, header
        assert error_of(response)["code"] == "unauthorized"


def test_the_session_cookie_alone_is_not_enough(api, login):
    login("coordinator", c=api.client)  # signed in to the HTML pages
    assert api.get("/regions").status_code == 401
    assert api.post("/schools", json={"name": "X"}).status_code == 401


def test_token_calls_need_no_csrf_token(api, users):
    # CSRF protection is on in the tests; the API is exempt because it only accepts bearer tokens
    response = api.post("/schools", as_=users["coordinator"], json={
        "name": "Жаңа мектеп", "region": "KZ-71", "locality": "Астана", "settlement_type": "urban",
        "languages": ["kk"]})
    assert response.status_code == 201


def test_failed_attempts_are_limited_per_email_and_client_address(api, app):
    user = make_user("coordinator")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _attempt in range(limit):
        assert ask(api, user.email, "wrong", ip="10.1.0.1").status_code == 401
    # from that address, even the right password waits now
    response = ask(api, user.email, PASSWORD, ip="10.1.0.1")
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    # from another address the right password works: failures cannot lock a user out
    assert ask(api, user.email, PASSWORD, ip="10.1.1.1").status_code == 201
    # and another account from the first address is not affected
    other = make_user("coordinator")
    assert ask(api, other.email, PASSWORD, ip="10.1.0.1").status_code == 201


def test_failed_attempts_are_limited_per_client_address(api, app):
    limit = int(app.config["LOGIN_ADDRESS_RATE_LIMIT"].split()[0])
    for attempt in range(limit):
        assert ask(api, f"guess{attempt}@example.org", "wrong", ip="10.2.0.1").status_code == 401
    user = make_user("coordinator")
    assert ask(api, user.email, PASSWORD, ip="10.2.0.1").status_code == 429
    assert ask(api, user.email, PASSWORD, ip="10.2.0.2").status_code == 201


def test_successful_sign_ins_are_not_counted(api, app):
    user = make_user("coordinator")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _attempt in range(limit + 5):
        assert ask(api, user.email, PASSWORD).status_code == 201


def test_ordinary_authenticated_calls_are_never_rate_limited(api, users, app):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _call in range(limit * 4):
        assert api.get("/regions", as_=users["coordinator"], environ_base={"REMOTE_ADDR": "10.3.0.1"}).status_code == 200
