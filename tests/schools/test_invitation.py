"""Inviting a school representative: invite → link → set password → signed in as that school's representative."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from outreach.auth.models import Invitation, User
from outreach.dbtypes import utcnow
from outreach.errors import Conflict
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage
from outreach.schools import services
from tests.conftest import Csrf
from tests.factories import make_school, make_user


def _invite(client, school, **fields):
    data = {"csrf_token": Csrf.token(client, f"/schools/{school.id}"), "email": "zhanna@example.org",
            "name": "Жанна Ахметова", "locale": "ru", **fields}
    return client.post(f"/schools/{school.id}/invite", data=data)


def _link_in(response) -> str:
    """The one-time link, shown in the answer to the invitation itself (never kept in the session cookie)."""
    match = re.search(r'id="invitation-link" readonly value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the invitation link is not shown"
    return match.group(1)


def test_invite_link_set_password_and_sign_in_as_the_schools_representative(app, client, login):
    school = make_school(name="Гимназия №159")
    login("coordinator")
    response = _invite(client, school)
    assert response.status_code == 200 and "Гимназия №159" in response.get_data(as_text=True)  # the school's page
    assert "invitation" not in str(response.headers.get("Set-Cookie", "")).lower()

    user = db.session.scalars(db.select(User).where(User.email_normalized == "zhanna@example.org")).one()
    assert (user.role, user.school_id, user.locale, user.name) == ("school", school.id, "ru", "Жанна Ахметова")
    assert user.password_hash is None  # no password until the link is used

    link = _link_in(response)
    assert "/invitation/" in link
    # shown once: the next visit no longer has it
    assert 'id="invitation-link"' not in client.get(f"/schools/{school.id}").get_data(as_text=True)

    message = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)).one()
    assert (message.kind, message.locale, message.to_email) == ("invitation", "ru", "zhanna@example.org")
    assert link in message.body and "Гимназия №159" in message.body

    invitee = app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert invitee.get("/" + path).status_code == 200
    token = Csrf.token(invitee, "/" + path)
    answer = invitee.post("/" + path, data={"csrf_token": token, "new_password": "a-long-enough-password"})
    assert answer.status_code == 302
    home = invitee.get("/").get_data(as_text=True)
    assert "Гимназия №159" in home  # the school representative's own dashboard
    assert invitee.get("/schools").status_code == 403

    # the link works once
    assert invitee.get("/" + path).status_code == 404
    again = app.test_client()
    assert again.get("/" + path).status_code == 404


def test_expired_link_is_refused(app, client, login):
    school = make_school()
    login("coordinator")
    link = _link_in(_invite(client, school))
    db.session.execute(db.update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    stranger = app.test_client()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    response = stranger.get(path)
    assert response.status_code == 404
    assert 'name="new_password"' not in response.get_data(as_text=True)


def test_sending_again_issues_a_new_link_and_the_old_one_stops_working(app, client, login):
    school = make_school()
    login("coordinator")
    first = _link_in(_invite(client, school))
    # inviting the same address again is refused, with the way out named
    again = _invite(client, school, name="", locale="kk")
    assert again.status_code == 422
    assert "Send the invitation again from the list of invitations" in again.get_data(as_text=True)
    invitation = db.session.scalars(db.select(Invitation)).one()
    page = client.get(f"/schools/{school.id}").get_data(as_text=True)
    assert f"/invitations/{invitation.id}/resend" in page
    response = client.post(f"/invitations/{invitation.id}/resend",
                           data={"csrf_token": Csrf.token(client, "/invitations")})
    assert response.status_code == 200
    second = _link_in(response)
    assert 'id="invitation-link"' not in client.get("/invitations").get_data(as_text=True)  # shown once
    assert first != second
    users = db.session.scalars(db.select(User).where(User.school_id == school.id)).all()
    assert len(users) == 1 and users[0].name == "Жанна Ахметова"
    # the first letter was never sent: it is withdrawn, so the person gets one letter, with the live link
    letters = db.session.scalars(db.select(OutboxMessage)).all()
    assert len(letters) == 1 and second in letters[0].body and first not in letters[0].body
    other = app.test_client()
    path = lambda link: "/" + link.split("://", 1)[1].split("/", 1)[1]  # noqa: E731
    assert other.get(path(first)).status_code == 404
    assert other.get(path(second)).status_code == 200


def test_school_page_says_who_is_still_invited(client, login):
    school = make_school()
    make_user("school", school=school, name="Сәуле Мектепова")
    login("coordinator")
    _invite(client, school)
    page = client.get(f"/schools/{school.id}?lang=en").get_data(as_text=True)
    assert "Has access" in page and "Invitation sent, valid until" in page


def test_an_email_of_another_account_is_refused_at_the_email_field(client, login):
    school = make_school()
    coordinator = login("coordinator")
    response = _invite(client, school, email=coordinator.email.upper())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "An account with this email already exists." in page
    assert re.search(r'id="email"[^>]*is-invalid|is-invalid[^>]*id="email"', page)
    assert db.session.scalar(db.select(db.func.count()).select_from(Invitation)) == 0


def test_a_representative_of_another_school_cannot_be_taken_over():
    other = make_user("school")
    with pytest.raises(Conflict) as caught:
        services.invite_representative(make_school(), {"email": other.email, "locale": "kk"},
                                       actor=make_user("coordinator"), link_for=lambda token: f"/invitation/{token}")
    assert "email" in caught.value.fields


def test_invalid_invitation_data_names_the_fields(client, login):
    school = make_school()
    login("coordinator")
    response = _invite(client, school, email="not-an-email", locale="de")
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(User.role == "school")) == 0
    from outreach.errors import OutreachError

    with pytest.raises(OutreachError) as caught:
        services.invite_representative(school, {"email": "x", "locale": "de"}, actor=make_user("coordinator"),
                                       link_for=lambda token: token)
    assert set(caught.value.fields) == {"email", "locale"}


def test_the_invitation_email_is_written_in_the_invitees_language(app):
    """Rendered inside force_locale(user.locale), whatever language the coordinator's page is in."""
    from outreach.auth.services import find_invitation
    from outreach.dates import fmt_datetime
    from outreach.i18n import force_locale

    school = make_school()
    with app.test_request_context("/"), force_locale("en"):
        _user, link = services.invite_representative(school, {"email": "a@example.org", "locale": "ru"},
                                                     actor=make_user("coordinator"), link_for=lambda token: token)
        expires_at = find_invitation(link).expires_at
        in_english = fmt_datetime(expires_at, zone=True)
        with force_locale("ru"):
            in_russian = fmt_datetime(expires_at, zone=True)
    assert in_english != in_russian
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.locale == "ru"
    assert in_russian in message.body and in_english not in message.body
