"""The role `artist`: its own workshops, their attendance (page, offline sync, API), the names of their confirmed
students, its own hours and calendar feed — and nothing else."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.signups.services import register
from tests.api.conftest import Api
from tests.factories import make_artist, make_school, make_student, make_user, make_workshop


@pytest.fixture
def world():
    artist, other = make_artist("Айгерім Сәрсенова"), make_artist("Ерлан Қасымов")
    started = datetime.now(timezone.utc) - timedelta(minutes=30)
    mine = make_workshop(artist=artist, starts_at=started, title={"en": "My class"})
    theirs = make_workshop(artist=other, starts_at=started + timedelta(hours=3), title={"en": "Their class"})
    school = make_school()
    coordinator = make_user("coordinator")
    confirmed, waitlisted = make_student(school, first_name="Дана"), make_student(school, first_name="Әсел")
    register(mine.id, [confirmed.id], actor=coordinator)
    mine.capacity = 1
    register(mine.id, [waitlisted.id], actor=coordinator)
    register(theirs.id, [make_student(school, first_name="Томирис").id], actor=coordinator)
    user = make_user("artist", artist=artist, locale="en")
    db.session.commit()
    return {"user": user, "mine": mine, "theirs": theirs, "confirmed": confirmed, "waitlisted": waitlisted,
            "artist": artist, "other": other}


def test_the_artist_sees_its_day_and_takes_attendance_of_its_own_workshops_only(client, login, world):
    login(world["user"])
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "My class" in home and "Their class" not in home and "Take attendance" in home
    sheet = client.get(f"/workshops/{world['mine'].id}/attendance?lang=en")
    html = sheet.get_data(as_text=True)
    assert sheet.status_code == 200 and "Дана" in html
    assert "Әсел" not in html  # waitlisted: not a confirmed student of the workshop
    assert client.get(f"/workshops/{world['theirs'].id}/attendance").status_code == 404
    for path in ("/workshops", "/artists", "/students", "/reports/impact", "/schools", f"/artists/{world['artist'].id}",
                 f"/workshops/{world['theirs'].id}", f"/signups/workshops/{world['mine'].id}"):
        assert client.get(path).status_code in (403, 404), path
    # its own workshop's page (the calendar links to it): the confirmed students, no waitlist, no sign-up buttons
    page = client.get(f"/workshops/{world['mine'].id}?lang=en").get_data(as_text=True)
    assert "Дана" in page and "Әсел" not in page and "Waitlist" not in page
    assert "Sign up students" not in page and "Manage sign-ups" not in page and "/edit" not in page
    calendar = client.get("/calendar?view=week&lang=en").get_data(as_text=True)
    assert "My class" in calendar and "Their class" not in calendar


def test_the_artist_records_attendance_through_the_api_and_offline_sync_for_its_own_only(app, world):
    api = Api(app.test_client())
    user = world["user"]
    mine, theirs = world["mine"], world["theirs"]
    ok = api.put(f"/workshops/{mine.id}/attendance", as_=user, json={"present": [world["confirmed"].id]})
    assert ok.status_code == 200 and ok.get_json()["present"] == 1
    assert api.put(f"/workshops/{theirs.id}/attendance", as_=user, json={"present": []}).status_code == 404
    listed = api.get(f"/workshops/{mine.id}/attendance", as_=user).get_json()
    assert [i["present"] for i in listed["items"]] == [True]
    batch = {"idempotency_key": "phone-1", "marks": [{"workshop_id": theirs.id, "student_id": world["confirmed"].id,
                                                      "present": True,
                                                      "marked_at": datetime.now(timezone.utc).isoformat()}]}
    synced = api.post("/attendance/sync", as_=user, json=batch).get_json()
    assert synced["refused"] == 1 and synced["items"][0]["error"]["code"] == "workshop_not_found"
    workshops = api.get("/workshops", as_=user).get_json()
    assert [w["id"] for w in workshops["items"]] == [mine.id]
    assert api.get(f"/artists/{world['artist'].id}/hours", as_=user).get_json()["workshops"] == 1
    assert api.get(f"/artists/{world['other'].id}/hours", as_=user).status_code == 404
    assert api.get("/artists", as_=user).status_code == 403
    assert api.get("/students", as_=user).status_code == 403
    assert api.get(f"/workshops/{mine.id}/signups", as_=user).status_code == 403
    assert api.get("/reports/impact", as_=user).status_code == 403


def test_the_artist_calendar_feed_holds_its_own_workshops(client, world):
    body = client.get(f"/calendar/{world['user'].feed_token}.ics").get_data(as_text=True)
    assert "My class" in body and "Their class" not in body


def test_create_user_binds_an_artist_account_to_its_record(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "erlan@example.org", "--role", "artist", "--artist-id",
                                 str(world["other"].id), "--password", "a-long-password-here"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "erlan@example.org"))
    assert (user.role, user.artist_id) == ("artist", world["other"].id)
    missing = runner.invoke(args=["create-user", "--email", "x@example.org", "--role", "artist",
                                  "--password", "a-long-password-here"])
    assert missing.exit_code != 0


def test_a_coordinator_invites_the_artist_from_its_page(client, login, csrf, world):
    login("coordinator")
    token = csrf.token(client, f"/artists/{world['other'].id}")
    response = client.post(f"/artists/{world['other'].id}/invite?lang=en", data={
        "csrf_token": token, "email": "erlan@example.org", "name": "Ерлан Қасымов", "locale": "kk"},
        follow_redirects=True)
    assert "The invitation has been created" in response.get_data(as_text=True)
    invited = db.session.scalar(select(User).where(User.email == "erlan@example.org"))
    assert (invited.role, invited.artist_id, invited.password_hash) == ("artist", world["other"].id, None)
