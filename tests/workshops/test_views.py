"""Workshop pages: calendar grids in kk and ru, the list, who sees which names, the scheduling forms."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups import services as signups
from outreach.workshops import services
from outreach.workshops.models import Workshop
from tests.factories import artist_named, make_funder, make_school, make_student, make_user, make_workshop, venue_named
from tests.workshops.helpers import at, term, workshop_data


def html_of(response) -> str:
    return response.get_data(as_text=True)


def grid_days(html: str) -> list[str]:
    return re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', html)


def headers(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)]


# --- calendar ---------------------------------------------------------------------------------------------------

def test_month_grid_starts_on_monday_with_babel_names_in_kazakh(client, login):
    login("coordinator")
    html = html_of(client.get("/calendar?date=2027-09-15&lang=kk"))  # 1 September 2027 is a Wednesday
    assert "қыркүйек 2027" in html and "Қыркүйек" not in html  # Kazakh writes months in lower case
    assert headers(html) == ["дс", "сс", "ср", "бс", "жм", "сб", "жс"]
    days = grid_days(html)
    assert days[0] == "2027-08-30" and days[-1] == "2027-10-03" and len(days) == 35


def test_month_grid_in_russian(client, login):
    login("coordinator")
    html = html_of(client.get("/calendar?date=2027-03-10&lang=ru"))
    assert "Март 2027" in html
    assert headers(html) == ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
    assert grid_days(html)[0] == "2027-03-01"


def test_week_view_runs_monday_to_sunday_and_shows_almaty_times(client, login):
    coordinator = login("coordinator")
    services.create_workshop(workshop_data(term(), title={"ru": "Урок танца"}, starts_at=at(2027, 3, 10, 9, 15)),
                             actor=coordinator)
    db.session.commit()
    html = html_of(client.get("/calendar?view=week&date=2027-03-10&lang=ru"))
    assert "Урок танца" in html and "09:15" in html
    labels = re.findall(r'<section aria-label="([^"]+)">', html)
    assert labels[0].startswith("понедельник, 8 марта 2027") and labels[6].startswith("воскресенье, 14 марта 2027")


def test_calendar_filters(client, login):
    coordinator = login("coordinator")
    initiative = term()
    services.create_workshop(workshop_data(initiative, title={"kk": "Біріншісі"}, instructor="Әлия"),
                             actor=coordinator)
    services.create_workshop(workshop_data(initiative, title={"kk": "Екіншісі"}, instructor="Ерлан", venue="Б"),
                             actor=coordinator)
    db.session.commit()
    html = html_of(client.get(f"/calendar?date=2027-03-08&artist_id={artist_named('Алия').id}"))
    assert "Біріншісі" in html and "Екіншісі" not in html


def test_a_school_sees_its_marks_and_funders_do_not_use_the_calendar(client, login):
    coordinator = make_user("coordinator")
    school = make_school()
    initiative = term()
    ours = services.create_workshop(workshop_data(initiative, title={"en": "Ours"}, capacity=1), actor=coordinator)
    services.create_workshop(workshop_data(initiative, title={"en": "Open"}, venue="Б", instructor="Б"),
                             actor=coordinator)
    signups.register(ours.id, [make_student(school).id, make_student(school).id], actor=coordinator)
    login(make_user("school", school=school))
    html = html_of(client.get("/calendar?date=2027-03-08&lang=en"))
    assert "Ours" in html and "Open" in html
    assert "1 confirmed" in html and "1 waitlisted" in html
    mine = html_of(client.get("/calendar?date=2027-03-08&lang=en&mine=1"))
    assert "Ours" in mine and "Open" not in mine
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)})
    login("funder")
    assert client.get("/calendar").status_code == 403


# --- lists: constant number of queries --------------------------------------------------------------------------

def _many(n: int):
    initiative = term()
    school = make_school()
    students = [make_student(school) for _ in range(3)]
    actor = make_user("coordinator")
    for i in range(n):
        workshop = make_workshop(initiative=initiative, starts_at=at(2027, 3, 1 + i % 28, 8 + i // 28),
                                 capacity=2)
        signups.register(workshop.id, [s.id for s in students], actor=actor)
    db.session.commit()


def _queries(client, count_queries, path: str) -> int:
    client.get(path)  # warm up
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_list_and_calendar_queries_do_not_grow_with_rows(client, login, count_queries):
    login("coordinator")
    _many(5)
    small = {p: _queries(client, count_queries, p) for p in ("/workshops", "/calendar?date=2027-03-01")}
    _many(45)
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 50
    large = {p: _queries(client, count_queries, p) for p in ("/workshops", "/calendar?date=2027-03-01")}
    assert large == small


def test_school_calendar_queries_do_not_grow_with_rows(client, login, count_queries):
    school = make_school()
    login(make_user("school", school=school))
    _many(5)
    small = _queries(client, count_queries, "/calendar?date=2027-03-01")
    _many(45)
    assert _queries(client, count_queries, "/calendar?date=2027-03-01") == small


def test_the_list_is_paginated(client, login):
    login("coordinator")
    _many(30)
    first = html_of(client.get("/workshops?lang=en"))
    assert "30 workshops" in first and "Page 1 of 2" in first
    assert len(re.findall(r'href="/workshops/\d+"', html_of(client.get("/workshops?page=2")))) == 5


# --- the workshop page ------------------------------------------------------------------------------------------

def _signed_up_workshop():
    coordinator = make_user("coordinator")
    funder = make_funder()
    workshop = make_workshop(initiative=term(funders=[funder]), capacity=1)
    ours, theirs = make_school(), make_school()
    mine = make_student(ours, first_name="Айару", last_name="Бекова")
    other = make_student(theirs, first_name="Дана", last_name="Ахметова")
    third = make_student(theirs, first_name="Томирис", last_name="Сейітова")
    signups.register(workshop.id, [other.id, mine.id, third.id], actor=coordinator)
    db.session.commit()
    return workshop, ours, funder


def test_coordinators_see_confirmed_waitlist_in_order_and_seats_left(client, login):
    workshop, _, _ = _signed_up_workshop()
    login("coordinator")
    html = html_of(client.get(f"/workshops/{workshop.id}?lang=en"))
    assert "Ахметова Дана" in html
    assert html.index("Бекова Айару") < html.index("Сейітова Томирис")  # waitlist positions 1 and 2
    assert re.search(r'title="Position on the waitlist">1</span>\s*<div>\s*Бекова Айару', html)
    assert "seats left" in html


def test_a_school_sees_only_its_own_students(client, login):
    workshop, ours, _ = _signed_up_workshop()
    login(make_user("school", school=ours))
    html = html_of(client.get(f"/workshops/{workshop.id}"))
    assert "Бекова Айару" in html
    assert "Ахметова" not in html and "Сейітова" not in html


def test_funders_see_figures_without_names_and_only_for_what_they_fund(client, login):
    workshop, _, funder = _signed_up_workshop()
    other = make_workshop()
    db.session.commit()
    login(make_user("funder", funder=funder))
    html = html_of(client.get(f"/workshops/{workshop.id}"))
    assert "Бекова" not in html and "Ахметова" not in html and "Сейітова" not in html
    assert client.get(f"/workshops/{other.id}").status_code == 404


# --- forms ------------------------------------------------------------------------------------------------------

def _form(initiative, venue: str = "Үлкен зал", instructor: str = "Анна Ким", **overrides) -> dict:
    """The form as a coordinator sends it: the artist and the venue picked from their lists (by id)."""
    data = {"initiative_id": str(initiative.id), "title_kk": "Би сабағы", "title_ru": "", "title_en": "",
            "date": "2027-03-08", "time": "10:00", "duration_minutes": "90", "capacity": "12",
            "venue_id": str(venue_named(venue).id), "artist_id": str(artist_named(instructor).id), "language": "kk",
            "min_grade": "1", "max_grade": "6"}
    data.update(overrides)
    return data


def test_create_a_workshop_through_the_form(client, login, csrf):
    login("coordinator")
    initiative = term()
    db.session.commit()
    token = csrf.token(client, f"/workshops/new?initiative_id={initiative.id}")
    response = client.post("/workshops/new", data={**_form(initiative), "csrf_token": token})
    assert response.status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert workshop.starts_at == at(2027, 3, 8, 10) and workshop.title == {"kk": "Би сабағы"}
    assert (workshop.min_grade, workshop.max_grade, workshop.capacity) == (1, 6, 12)


def test_a_clash_is_explained_and_the_form_keeps_what_was_typed(client, login, csrf):
    coordinator = login("coordinator")
    initiative = term()
    services.create_workshop(workshop_data(initiative, title={"en": "Existing class"}), actor=coordinator)
    db.session.commit()
    token = csrf.token(client, "/workshops/new")
    new_hall = venue_named("Жаңа зал")
    db.session.commit()
    response = client.post("/workshops/new?lang=en", data={**_form(initiative, venue="Жаңа зал", time="11:00"),
                                                            "csrf_token": token})
    html = html_of(response)
    assert response.status_code == 422
    assert "The teaching artist Анна Ким is already booked" in html and "Existing class" in html
    assert f'<option selected value="{new_hall.id}">' in html and 'value="11:00"' in html
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 1


def test_a_date_outside_the_initiative_is_shown_at_the_date_field(client, login, csrf):
    login("coordinator")
    initiative = term()
    db.session.commit()
    token = csrf.token(client, "/workshops/new")
    response = client.post("/workshops/new?lang=en", data={**_form(initiative, date="2029-01-01"),
                                                            "csrf_token": token})
    assert response.status_code == 422
    assert re.search(r'id="date"[^>]*is-invalid|is-invalid[^>]*id="date"', html_of(response))


def test_create_a_series_through_the_form(client, login, csrf):
    login("coordinator")
    initiative = term()
    db.session.commit()
    token = csrf.token(client, "/workshops/new-series")
    response = client.post("/workshops/new-series", data={
        **_form(initiative, date="2027-03-01"), "weekdays": ["1", "4"], "interval_weeks": "2", "ends": "until",
        "until": "2027-03-31", "count": "", "csrf_token": token})
    assert response.status_code == 302
    starts = db.session.scalars(select(Workshop.starts_at).order_by(Workshop.starts_at)).all()
    assert starts == [at(2027, 3, 1, 10), at(2027, 3, 4, 10), at(2027, 3, 15, 10), at(2027, 3, 18, 10),
                      at(2027, 3, 29, 10)]


def test_edit_this_and_following_and_cancel_through_the_forms(client, login, csrf):
    coordinator = login("coordinator")
    initiative = term()
    sessions = services.create_series(workshop_data(initiative, starts_at=at(2027, 3, 1, 10)),
                                      {"weekdays": [1], "count": 4}, actor=coordinator)
    db.session.commit()
    ids = [s.id for s in sessions]
    token = csrf.token(client, f"/workshops/{ids[1]}/edit")
    response = client.post(f"/workshops/{ids[1]}/edit", data={
        **_form(initiative, date="2027-03-08", time="12:00", min_grade="0", max_grade="11"), "scope": "following",
        "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Workshop, i).starts_at for i in ids] == [
        at(2027, 3, 1, 10), at(2027, 3, 8, 12), at(2027, 3, 15, 12), at(2027, 3, 22, 12)]
    response = client.post(f"/workshops/{ids[2]}/cancel", data={"scope": "following", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Workshop, i).status for i in ids] == ["scheduled", "scheduled", "cancelled", "cancelled"]


def test_lowering_capacity_below_the_confirmed_through_the_form(client, login, csrf):
    coordinator = login("coordinator")
    initiative = term()
    workshop = services.create_workshop(workshop_data(initiative, capacity=5), actor=coordinator)
    school = make_school()
    signups.register(workshop.id, [make_student(school).id for _ in range(3)], actor=coordinator)
    db.session.commit()
    token = csrf.token(client, f"/workshops/{workshop.id}/edit")
    response = client.post(f"/workshops/{workshop.id}/edit?lang=en", data={
        **_form(initiative, capacity="2", min_grade="0", max_grade="11"), "csrf_token": token})
    assert response.status_code == 422
    assert "3 students are confirmed" in html_of(response) and 'value="2"' in html_of(response)
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).capacity == 5


def test_cancelling_from_the_page(client, login, csrf):
    login("coordinator")
    workshop = make_workshop(starts_at=utcnow() + timedelta(days=3))
    db.session.commit()
    page = html_of(client.get(f"/workshops/{workshop.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/workshops/{workshop.id}/cancel", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).status == "cancelled"
    html = html_of(client.get(f"/workshops/{workshop.id}?lang=en"))
    assert "This workshop was cancelled" in html
    assert f"/workshops/{workshop.id}/edit" not in html


def test_the_list_starts_today_and_the_past_is_one_click_away(client, login):
    login("coordinator")
    initiative = term(starts_on=(utcnow() - timedelta(days=60)).date())
    past = make_workshop(initiative=initiative, starts_at=utcnow() - timedelta(days=3), title={"en": "Last week"})
    make_workshop(initiative=initiative, starts_at=utcnow() + timedelta(days=3), title={"en": "Next week"})
    db.session.commit()
    html = html_of(client.get("/workshops?lang=en"))
    assert "Next week" in html and "Last week" not in html
    assert f'href="/workshops/{past.id}"' in html_of(client.get("/workshops?date_from=&lang=en"))


def test_the_calendar_survives_odd_dates(client, login):
    login("coordinator")
    for value in ("9999-12-31", "0001-01-01", "yesterday", "2027-02-30"):
        assert client.get(f"/calendar?date={value}").status_code == 200
    assert client.get("/calendar?view=week&date=9999-12-31").status_code == 200
