"""iCalendar feeds: parse back with `icalendar`, Almaty times, cancelled status, who gets what, regeneration."""
from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from outreach.extensions import db
from outreach.signups import services as signups
from outreach.workshops import services
from tests.factories import make_funder, make_school, make_student, make_user
from tests.workshops.helpers import at, term, workshop_data


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_coordinator_feed_has_every_workshop_with_almaty_times_and_cancelled_status(client):
    coordinator = make_user("coordinator", locale="en")
    initiative = term()
    services.create_workshop(workshop_data(initiative, title={"en": "Ballet basics", "kk": "Балет негіздері"},
                                           starts_at=at(2027, 3, 8, 10), duration_minutes=45), actor=coordinator)
    gone = services.create_workshop(workshop_data(initiative, title={"en": "Cancelled one"}, venue="Б",
                                                  instructor="Б"), actor=coordinator)
    services.cancel_workshop(gone, actor=coordinator)
    db.session.commit()

    calendar = parse(client.get(f"/calendar/{coordinator.feed_token}.ics"))  # no sign-in
    assert calendar["version"] == "2.0"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Almaty"]
    found = events(calendar)
    assert set(found) == {"Ballet basics", "Cancelled one"}  # in the user's language
    ballet = found["Ballet basics"]
    start, end = ballet.decoded("dtstart"), ballet.decoded("dtend")
    assert ballet["dtstart"].params["TZID"] == "Asia/Almaty"
    assert (start.hour, start.minute, start.utcoffset()) == (10, 0, timedelta(hours=5))
    assert start == at(2027, 3, 8, 10) and end - start == timedelta(minutes=45)
    assert str(ballet["location"]) == "Үлкен зал" and str(ballet["status"]) == "CONFIRMED"
    assert str(found["Cancelled one"]["status"]) == "CANCELLED"
    assert "BEGIN:VTIMEZONE" in client.get(f"/calendar/{coordinator.feed_token}.ics").get_data(as_text=True)


def test_coordinator_feed_can_be_filtered_by_initiative(client):
    coordinator = make_user("coordinator", locale="en")
    one, two = term(), term()
    services.create_workshop(workshop_data(one, title={"en": "One"}), actor=coordinator)
    services.create_workshop(workshop_data(two, title={"en": "Two"}, venue="Б", instructor="Б"), actor=coordinator)
    db.session.commit()
    assert set(events(parse(client.get(f"/calendar/{coordinator.feed_token}.ics?initiative_id={two.id}")))) == {"Two"}


def test_school_feed_has_the_workshops_its_students_are_confirmed_for(client):
    coordinator = make_user("coordinator")
    school = make_school()
    rep = make_user("school", school=school, locale="en")
    initiative = term()
    ours = services.create_workshop(workshop_data(initiative, title={"en": "Ours"}, capacity=1), actor=coordinator)
    waiting = services.create_workshop(workshop_data(initiative, title={"en": "Waiting"}, capacity=1, venue="Б",
                                                     instructor="Б"), actor=coordinator)
    services.create_workshop(workshop_data(initiative, title={"en": "Not ours"}, venue="В", instructor="В"),
                             actor=coordinator)
    signups.register(ours.id, [make_student(school).id], actor=coordinator)
    signups.register(waiting.id, [make_student().id, make_student(school).id], actor=coordinator)  # ours waits
    services.cancel_workshop(ours, actor=coordinator)
    db.session.commit()
    found = events(parse(client.get(f"/calendar/{rep.feed_token}.ics")))
    assert set(found) == {"Ours"} and str(found["Ours"]["status"]) == "CANCELLED"


def test_funders_and_unknown_tokens_get_404(client):
    funder = make_user("funder", funder=make_funder())
    db.session.commit()
    assert client.get(f"/calendar/{funder.feed_token}.ics").status_code == 404
    assert client.get("/calendar/nothing-here.ics").status_code == 404


def test_regenerating_the_feed_address_kills_the_old_one(client, login, csrf):
    user = login("coordinator")
    old = user.feed_token
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    account = client.get("/account").get_data(as_text=True)
    assert f"/calendar/{old}.ics" in account
    response = client.post("/account/calendar-feed", data={"feed-csrf_token": csrf.token(client, "/account")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    db.session.expire_all()
    new = db.session.get(type(user), user.id).feed_token
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert f"/calendar/{new}.ics" in client.get("/account").get_data(as_text=True)
