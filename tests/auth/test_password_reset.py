"""Password reset by e-mail: one link, one hour, once; the same answer for unknown addresses; limits; and
afterwards every session and token of the account is dead. One test goes through a real SMTP server."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from outreach.auth.models import PasswordReset
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, Csrf
from tests.factories import make_user

NEW_PASSWORD = "a-brand-new-password"


def _ask(client, email, **kw):
    # buffered: the test client closes the response, as a server does once it has gone out; the request for a
    # reset is handled then, so that the answer takes the same time whether the address has an account or not
    kw.setdefault("buffered", True)
    return client.post("/password/forgot", data={"email": email, "csrf_token": Csrf.token(client, "/password/forgot")},
                       **kw)


def _link_in(body: str) -> str:
    return re.search(r"https?://\S+/password/reset/[A-Za-z0-9_\-]+", body).group(0)


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _sign_in(client, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": Csrf.token(client)})


def _without_csrf(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


def test_the_sign_in_page_offers_forgot_your_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Forgot your password?" in page


def test_reset_journey_without_mail_server(app, client):
    user = make_user("school", locale="ru")
    db.session.commit()
    known = _ask(app.test_client(), user.email.upper())
    unknown = _ask(app.test_client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.get_data(as_text=True)) == _without_csrf(unknown.get_data(as_text=True))
    message = db.session.scalars(select(OutboxMessage)).one()  # only for the known address
    assert (message.kind, message.locale, message.to_email) == ("password_reset", "ru", user.email)
    assert "пароль" in message.body.lower()
    link = _path(_link_in(message.body))

    stranger = app.test_client()
    assert stranger.get(link).status_code == 200
    response = stranger.post(link, data={"new_password": NEW_PASSWORD, "csrf_token": Csrf.token(stranger, link)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert _sign_in(app.test_client(), user.email, PASSWORD).status_code == 200  # the old password is refused
    assert _sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    # once only
    assert stranger.get(link).status_code == 404
    again = stranger.post(link, data={"new_password": "yet-another-password", "csrf_token": Csrf.token(stranger)})
    assert again.status_code == 404


def test_a_reset_kills_every_session_and_token(app, client, login):
    user = login("coordinator")
    token = app.test_client().post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    _ask(app.test_client(), user.email)
    link = _path(_link_in(db.session.scalars(select(OutboxMessage)).one().body))
    browser = app.test_client()
    browser.post(link, data={"new_password": NEW_PASSWORD, "csrf_token": Csrf.token(browser, link)})
    assert client.get("/account").status_code == 302
    assert app.test_client().get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_link_expires_after_an_hour(app, client):
    user = make_user()
    db.session.commit()
    _ask(client, user.email)
    reset = db.session.scalars(select(PasswordReset)).one()
    assert timedelta(minutes=59) < reset.expires_at - reset.created_at <= timedelta(hours=1)
    link = _path(_link_in(db.session.scalars(select(OutboxMessage)).one().body))
    db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert app.test_client().get(link).status_code == 404


def test_a_short_password_is_refused_and_the_link_still_works(app, client):
    user = make_user()
    db.session.commit()
    _ask(client, user.email)
    link = _path(_link_in(db.session.scalars(select(OutboxMessage)).one().body))
    browser = app.test_client()
    response = browser.post(link, data={"new_password": "short", "csrf_token": Csrf.token(browser, link)})
    assert response.status_code == 422
    assert browser.get(link).status_code == 200


def test_deactivated_and_passwordless_accounts_get_no_reset(app, client):
    off = make_user(active=False)
    invited = make_user()
    invited.password_hash = None
    db.session.commit()
    _ask(client, off.email)
    _ask(client, invited.email)
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 0


def test_limited_per_email_and_per_client_address(app):
    user = make_user()
    db.session.commit()
    for n in range(5):  # from five addresses: at most three e-mails an hour go to one person
        assert _ask(app.test_client(), user.email, environ_base={"REMOTE_ADDR": f"10.5.0.{n}"}).status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 3
    limit = int(app.config["PASSWORD_RESET_RATE_LIMIT"].split()[0])
    browser = app.test_client()
    statuses = [_ask(browser, f"x{n}@example.org", environ_base={"REMOTE_ADDR": "10.6.0.1"}).status_code
                for n in range(limit + 1)]
    assert statuses[:limit] == [200] * limit and statuses[limit] == 429


def test_reset_email_through_a_real_smtp_server(app, client, smtp_server):
    user = make_user("school", locale="kk", name="Сәуле")
    db.session.commit()
    assert _ask(client, user.email).status_code == 200
    messages = smtp_server.wait_for(1)
    assert len(messages) == 1
    email = messages[0]
    assert email["To"] == user.email and email["Content-Language"] == "kk"
    body = email.get_content()
    assert "Сәуле" in body and "құпиясөз" in body.lower()
    link = _path(_link_in(body))
    browser = app.test_client()
    assert browser.post(link, data={"new_password": NEW_PASSWORD,
                                    "csrf_token": Csrf.token(browser, link)}).status_code == 302
    assert _sign_in(app.test_client(), user.email, PASSWORD).status_code == 200
    assert _sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    assert browser.get(link).status_code == 404
    # an unknown address: the same page, and no e-mail
    unknown = _ask(app.test_client(), "nobody@example.org")
    assert unknown.status_code == 200
    assert len(smtp_server.wait_for(2, timeout=1.5)) == 1


def test_the_address_is_looked_up_only_after_the_answer_has_gone_out(app):
    """So the answer takes as long for an unknown address as for a known one (nothing is done before it)."""
    user = make_user()
    db.session.commit()
    response = _ask(app.test_client(), user.email, buffered=False)
    assert response.status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(PasswordReset)) == 0
    response.close()  # what the server does once the page has been sent
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(PasswordReset)) == 1
