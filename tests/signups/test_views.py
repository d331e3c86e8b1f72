"""The sign-up pages as a school representative and a coordinator sees them; id-walking as another school."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.signups import services
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop
from tests.conftest import Csrf
from tests.factories import make_initiative, make_school, make_student, make_user, make_workshop
from tests.clock import programme_today


def _token(client, path="/account"):
    return Csrf.token(client, path)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def school():
    return make_school(name="№7 мектеп")


@pytest.fixture
def rep(school, login, client):
    user = make_user("school", school=school)
    login(user)
    client.get("/account?lang=en")  # pages in English (remembered in the session)
    return user


# -- browsing ------------------------------------------------------------------------------------------------

def test_browse_lists_only_open_workshops_with_filters(client, rep):
    now = datetime.now(timezone.utc)
    ballet = make_initiative(title={"en": "Ballet", "kk": "Балет"})
    music = make_initiative(title={"en": "Music", "kk": "Музыка"}, art_form="music")
    make_workshop(initiative=ballet, title={"kk": "Ашық сабақ"}, min_grade=5, max_grade=9, language="kk",
                  starts_at=now + timedelta(days=3))
    make_workshop(initiative=music, title={"kk": "Домбыра"}, min_grade=1, max_grade=4, language="ru",
                  starts_at=now + timedelta(days=30))
    make_workshop(initiative=ballet, title={"kk": "Басталған"}, starts_at=now - timedelta(minutes=1))
    make_workshop(initiative=ballet, title={"kk": "Болдырылмаған"}, status="cancelled")
    db.session.commit()

    page = _text(client.get("/signups/browse"))
    assert "Ашық сабақ" in page and "Домбыра" in page
    assert "Басталған" not in page and "Болдырылмаған" not in page
    assert "Домбыра" not in _text(client.get(f"/signups/browse?initiative={ballet.id}"))
    fits_grade_7 = _text(client.get("/signups/browse?grade=7"))
    assert "Ашық сабақ" in fits_grade_7 and "Домбыра" not in fits_grade_7
    assert "Ашық сабақ" not in _text(client.get("/signups/browse?language=ru"))
    later = (programme_today() + timedelta(days=20)).isoformat()
    by_date = _text(client.get(f"/signups/browse?date_from={later}"))
    assert "Домбыра" in by_date and "Ашық сабақ" not in by_date
    # a mistyped filter is shown, not a server error
    assert client.get("/signups/browse?date_from=yesterday&grade=x").status_code == 200


def test_choosing_students_offers_only_those_whose_grade_fits(client, rep, school):
    workshop = make_workshop(min_grade=5, max_grade=6, capacity=1)
    fits = make_student(school, first_name="Аружан", grade=5)
    signed = make_student(school, first_name="Дана", grade=6)
    make_student(school, first_name="Томирис", grade=9)
    make_student(make_school(), first_name="Бөгде", grade=5)
    services.register(workshop.id, [signed.id], actor=rep)
    db.session.commit()
    page = client.get(f"/signups/workshops/{workshop.id}").get_data(as_text=True)
    assert "Аружан" in page and "Дана" in page
    assert "Томирис" not in page and "Бөгде" not in page
    assert f'value="{fits.id}"' in page and f'value="{signed.id}"' not in page  # already signed up: no box
    assert "Confirmed" in page


def test_signing_up_shows_confirmed_and_waitlisted_per_student(client, rep, school):
    workshop = make_workshop(capacity=2)
    students = [make_student(school, first_name=f"Оқушы{i}") for i in range(4)]
    db.session.commit()
    response = client.post(f"/signups/workshops/{workshop.id}", data={
        "student_ids": [s.id for s in students], "csrf_token": _token(client, f"/signups/workshops/{workshop.id}")})
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "2 students have a confirmed place. 2 students are on the waitlist." in page
    rows = re.findall(r'data-status="(\w+)"> <span>\S+ (Оқушы\d)', page)
    assert rows == [("confirmed", "Оқушы0"), ("confirmed", "Оқушы1"), ("waitlisted", "Оқушы2"), ("waitlisted", "Оқушы3")]
    assert "Waitlist, position 1" in page and "Waitlist, position 2" in page
    assert db.session.get(Workshop, workshop.id).seats_taken == 2


def test_a_full_workshop_offers_the_waitlist_with_the_position_and_says_so_as_a_warning(client, rep, school):
    workshop = make_workshop(capacity=2)
    students = [make_student(school, first_name=f"Оқушы{i}") for i in range(5)]
    db.session.commit()
    path = f"/signups/workshops/{workshop.id}"
    client.post(path, data={"student_ids": [s.id for s in students[:4]], "csrf_token": _token(client, path)})
    browse = _text(client.get("/signups/browse"))
    card = browse[browse.index(workshop.title["en"]):].split('class="list-group-item"')[0]
    assert "Join the waitlist" in card and "Next on the waitlist: № 3" in card
    assert "Choose students" not in card
    pick = _text(client.get(path))
    assert "the first of them as № 3" in pick and "Add the chosen students to the waitlist" in pick
    response = client.post(path, data={"student_ids": [students[4].id], "csrf_token": _token(client, path)},
                           follow_redirects=True)
    page = _text(response)
    assert re.search(r'class="alert alert-warning[^"]*" role="alert"> 1 student is on the waitlist', page)
    assert "alert-success" not in page


def test_signing_up_to_a_started_workshop_is_refused_with_a_message(client, rep, school):
    workshop = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(minutes=10))
    student = make_student(school)
    db.session.commit()
    response = client.post(f"/signups/workshops/{workshop.id}", data={
        "student_ids": [student.id], "csrf_token": _token(client)})
    assert response.status_code == 422
    assert "already started" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0


def test_no_student_chosen_keeps_the_form(client, rep, school):
    workshop = make_workshop()
    make_student(school)
    db.session.commit()
    response = client.post(f"/signups/workshops/{workshop.id}", data={"csrf_token": _token(client)})
    assert response.status_code == 422 and "Choose at least one student." in response.get_data(as_text=True)


def test_a_grade_outside_the_range_keeps_what_was_chosen(client, rep, school):
    workshop = make_workshop(min_grade=5, max_grade=6)
    fits, other = make_student(school, grade=5), make_student(school, grade=9)
    db.session.commit()
    response = client.post(f"/signups/workshops/{workshop.id}", data={
        "student_ids": [fits.id, other.id], "csrf_token": _token(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "grades 5 to 6" in page
    assert re.search(rf'value="{fits.id}" id="student-{fits.id}"\s+checked', page)


def test_a_student_of_another_school_makes_it_404_and_saves_nothing(client, rep, school):
    workshop = make_workshop()
    mine, theirs = make_student(school), make_student(make_school())
    db.session.commit()
    response = client.post(f"/signups/workshops/{workshop.id}", data={
        "student_ids": [mine.id, theirs.id], "csrf_token": _token(client)})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0


# -- my sign-ups and cancelling ------------------------------------------------------------------------------

def test_my_signups_and_cancelling_gives_the_seat_to_the_waitlist(client, rep, school):
    workshop = make_workshop(capacity=1, title={"kk": "Би сабағы"})
    first, second = make_student(school, first_name="Әсел"), make_student(school, first_name="Ұлжан")
    results = services.register(workshop.id, [first.id, second.id], actor=rep)
    db.session.commit()
    page = _text(client.get("/signups/mine"))
    assert "Би сабағы" in page and "Әсел" in page and "Waitlist, position 1" in page
    token = _token(client)
    response = client.post(f"/signups/{results[0].signup.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/signups/mine")
    page = _text(client.get("/signups/mine"))
    assert "The sign-up was cancelled." in page and "first student on the waitlist" in page
    db.session.expire_all()
    assert db.session.get(Signup, results[1].signup.id).status == "confirmed"
    again = client.post(f"/signups/{results[0].signup.id}/cancel", data={"csrf_token": token})
    assert again.status_code == 302
    assert "This sign-up is already cancelled." in _text(client.get("/signups/mine"))


def test_cancel_redirects_back_only_to_this_site(client, rep, school):
    signup = services.register(make_workshop().id, [make_student(school).id], actor=rep)[0].signup
    db.session.commit()
    response = client.post(f"/signups/{signup.id}/cancel", data={"csrf_token": _token(client),
                                                                 "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/signups/mine")


def test_id_walking_as_another_school_finds_nothing(app, client, login, school):
    owner = make_user("school", school=school)
    workshop = make_workshop(capacity=1)
    students = [make_student(school, first_name=f"Құпия{i}") for i in range(2)]
    results = services.register(workshop.id, [s.id for s in students], actor=owner)
    db.session.commit()
    login("school")  # another school's representative
    client.get("/account?lang=en")
    token = _token(client)
    for signup_id in range(1, results[-1].signup.id + 3):
        assert client.post(f"/signups/{signup_id}/cancel", data={"csrf_token": token}).status_code == 404
    seen = client.get(f"/signups/workshops/{workshop.id}/result?s={results[0].signup.id}&s={results[1].signup.id}")
    listing = client.get(f"/signups/workshops/{workshop.id}/list")
    mine = client.get("/signups/mine?when=all")
    for response in (seen, listing, mine):
        assert response.status_code == 200 and "Құпия" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Signup, r.signup.id).status for r in results] == ["confirmed", "waitlisted"]


def test_coordinator_signs_up_a_schools_students_to_a_past_workshop(client, login, school):
    login("coordinator")
    client.get("/account?lang=en")
    workshop = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(days=3))
    student = make_student(school, first_name="Мирас")
    db.session.commit()
    page = client.get(f"/signups/workshops/{workshop.id}?school_id={school.id}").get_data(as_text=True)
    assert "Мирас" in page and "records made afterwards" in page
    response = client.post(f"/signups/workshops/{workshop.id}?school_id={school.id}", data={
        "student_ids": [student.id], "csrf_token": _token(client, "/account")})
    assert response.status_code == 302
    listing = _text(client.get(f"/signups/workshops/{workshop.id}/list"))
    assert "Мирас" in listing and "№7 мектеп" in listing and "Confirmed" in listing


# -- the school's dashboard ----------------------------------------------------------------------------------

def test_school_dashboard_shows_upcoming_places_and_past_attendance(client, rep, school):
    from outreach.attendance import services as attendance

    coordinator = make_user("coordinator")
    upcoming = make_workshop(capacity=1, title={"kk": "Келесі сабақ"})
    results = services.register(upcoming.id, [make_student(school).id for _ in range(3)], actor=rep)
    past = make_workshop(title={"kk": "Өткен сабақ"}, starts_at=datetime.now(timezone.utc) - timedelta(days=2))
    attended = services.register(past.id, [make_student(school).id for _ in range(4)], actor=coordinator)
    attendance.record(past.id, [r.signup.student_id for r in attended[:3]], actor=coordinator)
    db.session.commit()
    page = _text(client.get("/?lang=en"))
    assert "Келесі сабақ" in page and "Өткен сабақ" not in page
    assert "1 of your students confirmed" in page and "2 on the waitlist" in page and "positions 1, 2" in page
    assert "75%" in page  # 3 of 4 confirmed places attended
    assert results[0].signup.status == "confirmed"


# -- query counts do not grow with rows ----------------------------------------------------------------------

def _count(count_queries, client, path):
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("path", ["/signups/mine?when=all", "/signups/browse", "/",
                                  "/signups/workshops/{w}/list", "/signups/workshops/{w}"])
def test_list_query_counts_do_not_grow_with_rows(client, rep, school, count_queries, path):
    workshop = make_workshop(capacity=60)

    def place(w, status="confirmed"):
        # rows written directly: the service is tested elsewhere, here only the number of rows matters
        position = None
        if status == "waitlisted":
            w.waitlist_length += 1
            position = w.waitlist_length
        else:
            w.seats_taken += 1
        db.session.add(Signup(workshop_id=w.id, student_id=make_student(school).id, status=status,
                              waitlist_position=position))

    def add(n):
        for i in range(n):
            other = make_workshop(capacity=1)
            place(other)
            place(other, "waitlisted")
            place(workshop)
        db.session.commit()

    add(5)
    few = _count(count_queries, client, path.format(w=workshop.id))
    add(45)
    many = _count(count_queries, client, path.format(w=workshop.id))
    assert few == many, f"{path}: {few} queries with few rows, {many} with many"


# -- visibility like the API ---------------------------------------------------------------------------------

def test_sign_up_pages_of_a_workshop_the_school_cannot_see_are_not_found(rep, school, client):
    """A cancelled workshop none of the school's students was signed up to is invisible to it (as in the API)."""
    hidden = make_workshop(status="cancelled")
    own = make_workshop(status="cancelled")
    student = make_student(school=school, grade=5)
    db.session.add(Signup(workshop_id=own.id, student_id=student.id, status="cancelled",
                          created_at=datetime.now(timezone.utc), cancelled_at=datetime.now(timezone.utc)))
    db.session.commit()
    for path in (f"/signups/workshops/{hidden.id}", f"/signups/workshops/{hidden.id}/list",
                 f"/signups/workshops/{hidden.id}/result"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/signups/workshops/{own.id}/list").status_code == 200
