"""Accounts, invitations, funders and the audit log as the people who use them see them."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from outreach.audit.models import AuditEvent
from outreach.auth.models import Invitation, User
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.funders.models import Funder
from tests.conftest import Csrf
from tests.factories import make_funder, make_initiative, make_school, make_user


def _post(client, path, data=None):
    return client.post(path, data={"csrf_token": Csrf.token(client, "/account"), **(data or {})})


# -- accounts ------------------------------------------------------------------------------------------------------

def test_admin_finds_accounts_by_search_and_filters(client, login):
    school = make_school(name="Гимназия №159")
    funder = make_funder(name="Nomad Arts Foundation")
    make_user("school", school=school, name="Сәуле Мектепова", email="saule@example.org")
    make_user("funder", funder=funder, name="Aidos Bekenov", email="aidos@example.org")
    off = make_user("coordinator", name="Former Coordinator", active=False)
    login("admin")
    page = client.get("/accounts").get_data(as_text=True)
    assert "Сәуле Мектепова" in page and "Aidos Bekenov" in page and "4 accounts" in page
    # the search goes by POST and the page comes back under a token: no e-mail or name in any URL
    found = _post(client, "/accounts/search", {"q": "SAULE@"})
    assert found.status_code == 303 and "saule" not in found.headers["Location"].lower()
    page = client.get(found.headers["Location"]).get_data(as_text=True)
    assert "Сәуле" in page and "Aidos" not in page and "SAULE@" in page  # the box keeps what was typed
    assert "saule" not in " ".join(re.findall(r'href="([^"]*)"', page)).lower()
    old = client.get("/accounts?q=saule&role=school")  # an old link with the e-mail in it
    assert old.status_code in (301, 302, 303) and "saule" not in old.headers["Location"]
    by_role = client.get("/accounts?role=funder").get_data(as_text=True)
    assert "Aidos Bekenov" in by_role and "Сәуле" not in by_role
    by_org = client.get(f"/accounts?organisation=school:{school.id}").get_data(as_text=True)
    assert "Сәуле" in by_org and "Aidos" not in by_org
    deactivated = client.get("/accounts?status=deactivated").get_data(as_text=True)
    assert "Former Coordinator" in deactivated and "Сәуле" not in deactivated
    never = client.get("/accounts?signed_in=never").get_data(as_text=True)
    assert "Former Coordinator" in never and "1 account" not in never
    recent = client.get("/accounts?signed_in=30d").get_data(as_text=True)
    assert "Former Coordinator" not in recent and "1 account" in recent  # only the admin who just signed in
    assert client.get(f"/accounts/{off.id}").status_code == 200
    # nonsense filters are ignored, not errors
    assert client.get("/accounts?role=king&status=x&organisation=school:abc&page=-3").status_code == 200


def test_accounts_list_is_paginated(client, login):
    for n in range(30):
        make_user("coordinator", name=f"Coordinator {n:02d}")
    login("admin")
    first = client.get("/accounts").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get("/accounts?page=2").get_data(as_text=True)
    assert second.count('href="/accounts/') == 31 - 25


def test_admin_changes_role_and_organisation_and_it_is_audited(app, client, login):
    rep = make_user("school")
    funder = make_funder()
    admin = login("admin")
    response = _post(client, f"/accounts/{rep.id}/role", {"role": "funder", "funder_id": str(funder.id),
                                                           "school_id": ""})
    assert response.status_code == 302
    db.session.expire_all()
    rep = db.session.get(User, rep.id)
    assert (rep.role, rep.funder_id, rep.school_id) == ("funder", funder.id, None)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_changed")).one()
    assert (event.actor_id, event.object_id, event.details["role"], event.details["previous_role"]) == \
        (admin.id, rep.id, "funder", "school")
    # a school representative needs a school
    response = _post(client, f"/accounts/{rep.id}/role", {"role": "school", "school_id": "", "funder_id": ""})
    assert response.status_code == 422
    assert "Choose the school this person represents." in response.get_data(as_text=True)


def test_an_admin_cannot_demote_or_deactivate_themself(client, login):
    admin = login("admin")
    page = client.get(f"/accounts/{admin.id}").get_data(as_text=True)
    assert "This is your own account" in page and "/deactivate" not in page
    assert _post(client, f"/accounts/{admin.id}/deactivate").status_code == 403
    assert _post(client, f"/accounts/{admin.id}/role", {"role": "school"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).active and db.session.get(User, admin.id).role == "admin"


def test_deactivation_and_reactivation_are_audited(client, login):
    rep = make_user("school")
    login("admin")
    _post(client, f"/accounts/{rep.id}/deactivate")
    _post(client, f"/accounts/{rep.id}/reactivate")
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == rep.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["user.deactivated", "user.reactivated"]


# -- invitations ---------------------------------------------------------------------------------------------------

def _link(html):
    return re.search(r'id="invitation-link" readonly value="([^"]+)"', html).group(1)


def test_admin_invites_a_coordinator_who_sets_a_password(app, client, login):
    login("admin")
    response = client.post("/invitations/new", data={"csrf_token": Csrf.token(client, "/invitations/new"),
                                                     "email": "new.coordinator@example.org", "name": "Гүлнар",
                                                     "role": "coordinator", "locale": "kk"})
    assert response.status_code == 200  # the list of invitations, with the link in this answer only
    listing = response.get_data(as_text=True)
    assert "Гүлнар" in listing and "valid until" in listing
    link = _link(listing)
    assert 'id="invitation-link"' not in client.get("/invitations").get_data(as_text=True)
    invitee = app.test_client()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert invitee.post(path, data={"csrf_token": Csrf.token(invitee, path),
                                    "new_password": "a-long-enough-password"}).status_code == 302
    assert invitee.get("/workshops").status_code == 200  # a coordinator's page
    assert "Гүлнар" not in client.get("/invitations").get_data(as_text=True)  # accepted: no longer pending


def test_pending_invitations_expire_can_be_revoked_and_sent_again(app, client, login):
    school = make_school()
    login("coordinator")
    invited = client.post(f"/schools/{school.id}/invite", data={
        "csrf_token": Csrf.token(client, f"/schools/{school.id}"), "email": "rep@example.org", "name": "Rep",
        "locale": "ru"})
    link = _link(invited.get_data(as_text=True))
    invitation = db.session.scalars(select(Invitation)).one()
    assert _post(client, f"/invitations/{invitation.id}/revoke").status_code == 302
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert app.test_client().get(path).status_code == 404
    assert "Revoked" in client.get("/invitations").get_data(as_text=True)
    assert "rep@example.org" in client.get("/invitations?state=revoked").get_data(as_text=True)
    assert "rep@example.org" not in client.get("/invitations?state=pending").get_data(as_text=True)
    resent = _post(client, f"/invitations/{invitation.id}/resend")
    assert resent.status_code == 200
    new_link = _link(resent.get_data(as_text=True))
    assert new_link != link
    newest = db.session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
    newest.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "rep@example.org" in client.get("/invitations?state=expired").get_data(as_text=True)


def test_coordinators_see_and_manage_only_invitations_of_school_and_funder_representatives(client, login):
    admin = make_user("admin")
    staff = make_user("coordinator", name="Invited Coordinator")
    staff.password_hash = None
    db.session.add(Invitation(user_id=staff.id, token_hash="x" * 64, created_by_id=admin.id,
                              expires_at=utcnow() + timedelta(hours=1)))
    db.session.flush()
    invitation_id = db.session.scalar(select(Invitation.id))
    login("coordinator")
    assert "Invited Coordinator" not in client.get("/invitations").get_data(as_text=True)
    assert _post(client, f"/invitations/{invitation_id}/revoke").status_code == 404
    assert client.get("/invitations/new").status_code == 403


def test_resending_to_a_person_who_set_a_password_is_refused(client, login):
    rep = make_user("school")
    db.session.add(Invitation(user_id=rep.id, token_hash="y" * 64, expires_at=utcnow() + timedelta(hours=1)))
    db.session.flush()
    invitation_id = db.session.scalar(select(Invitation.id))
    login("coordinator")
    response = client.post(f"/invitations/{invitation_id}/resend",
                           data={"csrf_token": Csrf.token(client, "/account")}, follow_redirects=True)
    assert "already set a password" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Invitation)) == 1


# -- funders -------------------------------------------------------------------------------------------------------

def test_coordinator_adds_edits_and_invites_to_a_funder(app, client, login):
    login("coordinator")
    response = client.post("/funders/new", data={"csrf_token": Csrf.token(client, "/funders/new"),
                                                 "name": "  Дала   өнері қоры "})
    assert response.status_code == 302
    funder = db.session.scalars(select(Funder)).one()
    assert funder.name == "Дала өнері қоры"
    make_initiative(funders=[funder], title={"kk": "Қара жорға", "en": "Kara Zhorga"})
    db.session.commit()
    page = client.get(f"/funders/{funder.id}").get_data(as_text=True)
    assert "Kara Zhorga" in page
    listing = client.get("/funders").get_data(as_text=True)
    assert "Дала өнері қоры" in listing and "1 initiative" in listing
    # a second organisation may not take the same name, whatever its case
    duplicate = client.post("/funders/new", data={"csrf_token": Csrf.token(client, "/funders/new"),
                                                  "name": "ДАЛА ӨНЕРІ ҚОРЫ"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.get_data(as_text=True)
    edited = client.post(f"/funders/{funder.id}/edit", data={"csrf_token": Csrf.token(client, "/funders/new"),
                                                             "name": "Дала өнері"})
    assert edited.status_code == 302 and db.session.get(Funder, funder.id).name == "Дала өнері"
    invited = client.post(f"/funders/{funder.id}/invite", data={
        "csrf_token": Csrf.token(client, "/funders/new"), "email": "board@dala.kz", "name": "", "locale": "en"})
    assert invited.status_code == 200
    user = db.session.scalar(select(User).where(User.email_normalized == "board@dala.kz"))
    assert (user.role, user.funder_id, user.password_hash) == ("funder", funder.id, None)
    assert 'id="invitation-link"' in invited.get_data(as_text=True)
    assert 'id="invitation-link"' not in client.get(f"/funders/{funder.id}").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"funder.created", "funder.updated", "user.created", "user.invited"} <= actions


# -- audit log -----------------------------------------------------------------------------------------------------

def test_audit_log_filters_and_speaks_in_labels_not_codes(client, login):
    admin = login("admin")
    rep = make_user("school", name="Сәуле Мектепова", email="saule@example.org")
    _post(client, f"/accounts/{rep.id}/deactivate")
    client.post("/funders/new", data={"csrf_token": Csrf.token(client, "/funders/new"), "name": "Nomad Arts"})
    def listed(html):  # the events, without the filter form's options
        return html.split('<ul class="list-group">', 1)[-1]

    page = listed(client.get("/audit").get_data(as_text=True))
    assert "Account deactivated" in page and "Funder organisation added" in page
    assert ">user.deactivated<" not in page and "user.deactivated ·" not in page  # codes are shown as labels
    assert "Nomad Arts" in page and admin.display_name in page
    only = listed(client.get("/audit?action=user.deactivated").get_data(as_text=True))
    assert "Account deactivated" in only and "Funder organisation added" not in only
    by_object = listed(client.get(f"/audit?object_type=user&object_id={rep.id}").get_data(as_text=True))
    assert "Account deactivated" in by_object and "Nomad Arts" not in by_object
    by_actor = client.get(f"/audit?actor={admin.id}").get_data(as_text=True)
    assert "Account deactivated" in by_actor
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    assert "No changes match these filters." in client.get(f"/audit?since={tomorrow}").get_data(as_text=True)
    assert client.get("/audit?object_id=abc&since=never").status_code == 200


def test_the_audit_trail_holds_no_personal_data(app, client, login):
    school = make_school()
    login("admin")
    client.post("/invitations/new", data={"csrf_token": Csrf.token(client, "/invitations/new"),
                                          "email": "secret.person@example.org", "name": "Secret Person",
                                          "role": "coordinator", "locale": "kk"})
    client.post(f"/schools/{school.id}/invite", data={"csrf_token": Csrf.token(client, f"/schools/{school.id}"),
                                                      "email": "another.secret@example.org", "name": "Another Secret",
                                                      "locale": "kk"})
    events = db.session.scalars(select(AuditEvent)).all()
    assert len(events) >= 4
    dump = repr([(e.action, e.object_type, e.details) for e in events])
    assert "secret" not in dump.lower() and "@" not in dump


def test_both_invitation_forms_list_their_errors_first_and_keep_what_was_typed(client, login):
    login("coordinator")
    funder = make_funder(name="Дала қоры")
    school = make_school(name="№ 12 мектеп")
    db.session.commit()
    for path, organisation in ((f"/funders/{funder.id}/invite", "Дала қоры"),
                               (f"/schools/{school.id}/invite", "№ 12 мектеп")):
        response = client.post(path, data={"csrf_token": Csrf.token(client, path), "email": "not an address",
                                           "name": "Айгерім", "locale": "kk"})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, path
        # the summary (which takes the focus) links to the field; the breadcrumb and the lead name the organisation
        assert "data-error-summary" in page and 'href="#email"' in page, path
        assert page.count(organisation) >= 2 and 'value="Айгерім"' in page, path


def test_an_invitation_sent_again_replaces_the_queued_one_so_only_the_working_link_is_mailed(
        app, client, login, smtp_server):
    from outreach.notifications import sending
    from outreach.notifications.models import OutboxMessage

    server = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = None  # the mail server is down while the invitation is made and sent again
    school = make_school()
    login("coordinator")
    client.post(f"/schools/{school.id}/invite", data={"csrf_token": Csrf.token(client, f"/schools/{school.id}"),
                                                      "email": "rep@example.org", "name": "Rep", "locale": "ru"})
    invitation = db.session.scalars(select(Invitation)).one()
    assert _post(client, f"/invitations/{invitation.id}/resend").status_code == 200
    db.session.expire_all()
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation",
                                                             OutboxMessage.sent_at.is_(None))).all()
    assert len(waiting) == 1

    app.config["MAIL_SERVER"] = server  # back up: the outbox goes out
    sending.send_due()
    [mail] = smtp_server.wait_for(1)
    link = re.search(r"https?://\S+/invitation/\S+", mail.get_content()).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert app.test_client().get(path).status_code == 200
    assert len(smtp_server.messages) == 1


def test_a_too_short_password_is_marked_on_its_field_not_flashed(app, client, login):
    from outreach.auth import services as auth

    user = make_user("school")
    user.password_hash = None
    token = auth.create_invitation(user, actor=None)
    db.session.commit()
    visitor = app.test_client()
    path = f"/invitation/{token}"
    response = visitor.post(path, data={"csrf_token": Csrf.token(visitor, path), "new_password": "short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    field = re.search(r'<input[^>]*name="new_password"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and "is-invalid" in field
    assert re.search(r'class="invalid-feedback[^"]*"[^>]*>[^<]*10', html)  # the rule, under the field
    assert "alert-danger" not in html.split("<form", 1)[0]  # no flash above the form
