"""No way back in without mail: an administrator makes a one-time password reset link on the account's page —
shown once, in that answer only; only its hash is stored; audited; as long-lived as an e-mailed one; the newest
link is the only one that works. And no one-time link (invitation or reset) ever travels in the session cookie."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.auth.models import PasswordReset
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, Csrf
from tests.factories import make_artist, make_funder, make_school, make_user

NEW_PASSWORD = "a-password-chosen-without-mail"


def _make_link(client, user):
    return client.post(f"/accounts/{user.id}/reset-link",
                       data={"csrf_token": Csrf.token(client, f"/accounts/{user.id}")})


def _reset_link(html: str) -> str:
    return re.search(r'id="reset-link" readonly value="([^"]+)"', html).group(1)


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _session_contents(app, client) -> str:
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    return str(app.session_interface.get_signing_serializer(app).loads(cookie.value))


def test_an_administrator_makes_a_reset_link_for_someone_without_mail(app, client, login):
    app.config["MAIL_SERVER"] = None
    person = make_user("school", email="rep@school.kz")
    login("admin")
    page = client.get(f"/accounts/{person.id}").get_data(as_text=True)
    assert "Make a password reset link" in page and 'id="reset-link"' not in page

    response = _make_link(client, person)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Password reset link for rep@school.kz" in html and "shown only now" in html
    link = _reset_link(html)
    assert link.startswith(app.config["OUTREACH_BASE_URL"] + "/password/reset/")
    raw = link.rsplit("/", 1)[1]
    # kept only as its hash, valid for the usual lifetime, and in no cookie
    reset = db.session.scalars(select(PasswordReset)).one()
    assert reset.token_hash == hashlib.sha256(raw.encode()).hexdigest() != raw
    assert reset.expires_at - reset.created_at == timedelta(minutes=app.config["PASSWORD_RESET_TTL_MINUTES"])
    assert raw not in _session_contents(app, client) and raw not in str(response.headers)
    # shown once: the account page does not show it again; no e-mail was queued
    assert raw not in client.get(f"/accounts/{person.id}").get_data(as_text=True)
    assert db.session.scalars(select(OutboxMessage)).all() == []
    # audited, with a label in the administrator's language
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_reset_link_created")).one()
    assert event.object_id == person.id
    assert "Password reset link made by an administrator" in client.get("/audit").get_data(as_text=True)
    assert "Ссылка для сброса пароля создана администратором" in client.get("/audit?lang=ru").get_data(as_text=True)
    client.get("/audit?lang=en")

    # the person opens it, chooses a password and signs in; the link works once
    person_browser = app.test_client()
    path = _path(link)
    assert person_browser.get(path).status_code == 200
    done = person_browser.post(path, data={"csrf_token": Csrf.token(person_browser, path),
                                           "new_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert app.test_client().get(path).status_code == 404
    signed_in = person_browser.post("/login", data={"email": "rep@school.kz", "password": NEW_PASSWORD,
                                                    "csrf_token": Csrf.token(person_browser)})
    assert signed_in.status_code == 302


def test_only_the_newest_link_works_and_a_waiting_reset_email_is_withdrawn(app, client, login):
    person = make_user("coordinator")
    db.session.commit()
    asked = app.test_client()
    asked.post("/password/forgot", data={"email": person.email, "csrf_token": Csrf.token(asked, "/password/forgot")},
               buffered=True)
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).one()
    login("admin")
    first = _reset_link(_make_link(client, person).get_data(as_text=True))
    second = _reset_link(_make_link(client, person).get_data(as_text=True))
    assert first != second
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).all() == []
    stranger = app.test_client()
    assert stranger.get(_path(first)).status_code == 404
    assert stranger.get(_path(second)).status_code == 200


def test_no_link_for_a_deactivated_an_invited_or_ones_own_account(app, client, login):
    admin = login("admin")
    gone = make_user("school", active=False)
    invited = make_user("school")
    invited.password_hash = None
    db.session.commit()
    refused = _make_link(client, gone)
    assert refused.status_code == 409 and "Reactivate it first" in refused.get_data(as_text=True)
    refused = _make_link(client, invited)
    assert refused.status_code == 409 and "send the invitation again" in refused.get_data(as_text=True)
    own = client.post(f"/accounts/{admin.id}/reset-link", data={"csrf_token": Csrf.token(client, "/accounts")})
    assert own.status_code == 403
    assert "Make a password reset link" not in client.get(f"/accounts/{admin.id}").get_data(as_text=True)
    assert db.session.scalars(select(PasswordReset)).all() == []


def test_no_one_time_link_travels_in_the_session_cookie(app, client, login):
    """Every place that makes an invitation or reset link shows it in its own answer; the cookie never holds it."""
    school, funder, artist = make_school(), make_funder(), make_artist("Әсел Мұратова")
    person = make_user("funder", funder=funder)
    login("admin")

    def invite(path, page, email, **extra):
        return client.post(path, data={"csrf_token": Csrf.token(client, page), "email": email, "name": "",
                                       "locale": "kk", **extra})

    answers = [
        invite(f"/schools/{school.id}/invite", f"/schools/{school.id}", "a@school.kz"),
        invite(f"/funders/{funder.id}/invite", f"/funders/{funder.id}", "b@funder.kz"),
        invite(f"/artists/{artist.id}/invite", f"/artists/{artist.id}", "c@artist.kz"),
        invite("/invitations/new", "/invitations/new", "d@staff.kz", role="coordinator"),
        _make_link(client, person),
    ]
    from outreach.auth.models import Invitation

    first = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
    answers.append(client.post(f"/invitations/{first.id}/resend", data={"csrf_token": Csrf.token(client, "/invitations")}))
    for response in answers:
        assert response.status_code == 200, response.status_code
        html = response.get_data(as_text=True)
        assert re.search(r'id="(invitation|reset)-link" readonly value="https://', html)
        stored = _session_contents(app, client)
        assert "/invitation/" not in stored and "/password/reset/" not in stored, stored


def test_the_sign_in_and_forgot_pages_say_to_ask_an_administrator(client):
    for path in ("/login", "/password/forgot"):
        html = client.get(path).get_data(as_text=True)
        assert "Ask an administrator of the programme" in html
    assert "администратор" in client.get("/login?lang=ru").get_data(as_text=True)
    assert "әкімші" in client.get("/login?lang=kk").get_data(as_text=True)
