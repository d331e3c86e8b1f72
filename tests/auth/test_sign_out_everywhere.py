"""Issue 22, part 2, server side: the list key is handed only to a live session and changes when the account's
sessions end; "Sign out on all devices" ends every session (the others' too) and every API token, audited."""
from __future__ import annotations

from outreach.audit.models import AuditEvent
from outreach.extensions import db
from tests.conftest import Csrf


def _session(client):
    return client.get("/attendance/session", headers={"Accept": "application/json"})


def test_the_list_key_lives_as_long_as_the_sessions(app, client, login):
    user = login("coordinator")
    first = _session(client).get_json()
    assert len(first["list_key"]) == 43 and len(first["list_key_id"]) == 16  # 32 bytes, base64url
    assert _session(client).get_json()["list_key"] == first["list_key"]  # stable while the session lives
    assert _session(client).headers["Cache-Control"] == "no-store"

    phone = app.test_client()
    login(user, c=phone)
    assert _session(phone).get_json()["user_id"] == user.id

    token = client.post("/api/v1/tokens", json={"email": user.email, "password": "correct-horse-battery"})
    api = {"Authorization": f"Bearer {token.get_json()['token']}"}
    response = client.post("/account/sign-out-everywhere", data={"everywhere-csrf_token": Csrf.token(client, "/account")})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # every session is gone, the phone's too, and the API token: no key for anyone
    assert _session(phone).status_code == 401 and _session(client).status_code == 401
    assert client.get("/api/v1/workshops", headers=api).status_code == 401
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.signed_out_everywhere")) == 1
    # signing in again gives a new key: the lists sealed under the old one are not opened with it
    login(user)
    assert _session(client).get_json()["list_key"] != first["list_key"]


def test_the_account_page_offers_it(client, login):
    login("school")
    page = client.get("/account?lang=en").get_data(as_text=True)
    assert 'action="/account/sign-out-everywhere"' in page and "data-sign-out" in page
