"""The coordinators' pages: a similar name asks "Did you mean …?" with a link, merging keeps every workshop."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from outreach.artists.models import Artist
from outreach.extensions import db
from outreach.workshops.models import Workshop
from tests.factories import make_artist, make_school, make_venue, make_workshop
from tests.workshops.helpers import at


def test_a_similar_name_asks_did_you_mean_with_a_link(client, login, csrf):
    login("coordinator")
    existing = make_artist("Айгерім Сәрсенова")
    db.session.commit()
    token = csrf.token(client, "/artists/new")
    response = client.post("/artists/new?lang=ru", data={"csrf_token": token, "name": "Айгерим  Сарсенова"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Возможно, Вы имели в виду:" in html and f'href="/artists/{existing.id}"' in html
    assert db.session.scalar(select(func.count()).select_from(Artist)) == 1
    confirmed = client.post("/artists/new?lang=ru", data={"csrf_token": token, "name": "Айгерим Сарсенова",
                                                          "confirm_distinct": "y"})
    assert confirmed.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Artist)) == 2


def test_merging_two_spellings_keeps_every_workshop_and_names_the_overlaps(client, login, csrf):
    login("coordinator")
    kk, ru = make_artist("Мадина Төлеуова"), make_artist("Мадина Тулеуова")
    make_workshop(artist=kk, starts_at=at(2027, 3, 8, 10), title={"en": "First"})
    make_workshop(artist=ru, starts_at=at(2027, 3, 8, 10, 30), title={"en": "Second"})
    make_workshop(artist=ru, starts_at=at(2027, 3, 9, 10))
    db.session.commit()
    duplicates = client.get("/duplicates?lang=en").get_data(as_text=True)
    assert f"/artists/merge?keep={kk.id}&amp;other={ru.id}" in duplicates
    token = csrf.token(client, "/artists/merge")
    response = client.post("/artists/merge?lang=en", data={"csrf_token": token, "keep_id": kk.id,
                                                            "other_id": ru.id}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "now overlap" in html and "First" in html and "Second" in html
    db.session.expire_all()
    assert db.session.get(Artist, ru.id) is None
    assert db.session.scalars(select(Workshop.instructor)).all() == ["Мадина Төлеуова"] * 3


def test_the_artist_page_shows_the_week_and_the_load(client, login):
    login("coordinator")
    artist = make_artist("Анна Ким")
    make_workshop(artist=artist, place=make_venue("Есік мәдениет үйі", locality="Есік"),
                  starts_at=at(2027, 3, 10, 15), title={"en": "Folk dance"})
    db.session.commit()
    html = client.get(f"/artists/{artist.id}?week=2027-03-08&lang=en").get_data(as_text=True)
    assert "Folk dance" in html and "Есік мәдениет үйі (Есік)" in html
    assert "Weekly load" in html


def test_a_clashing_series_offers_to_skip_its_dates_and_then_shows_every_date(client, login, csrf):
    from tests.workshops.helpers import term
    from tests.workshops.test_views import _form

    coordinator = login("coordinator")
    initiative = term()
    artist, school = make_artist("Анна Ким"), make_school(name="Ұзынағаш ауылының мектебі")
    make_workshop(initiative=initiative, artist=artist, starts_at=at(2027, 3, 15, 10), title={"en": "Busy"})
    data = {**_form(initiative, instructor="Анна Ким"), "interval_weeks": "1", "ends": "count", "count": "3",
            "school_id": str(school.id)}
    db.session.commit()
    data["csrf_token"] = csrf.token(client, "/workshops/new-series")
    response = client.post("/workshops/new-series?lang=en", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "1 date of the series clashes" in html and "Busy" in html
    assert re.search(r'<input checked[^>]*name="skip_dates"[^>]*value="2027-03-15"', html)
    again = client.post("/workshops/new-series?lang=en", data={**data, "skip_dates": ["2027-03-15"]})
    assert again.status_code == 302, re.findall(r"invalid-feedback[^<]*<[^<]*<[^<]*|alert-danger[^<]*<[^<]*", again.get_data(as_text=True))
    assert "/workshops/series/" in again.headers["Location"]
    page = client.get(again.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert page.count("list-group-item d-flex") == 2 and "Skipped dates" in page
    assert "For the school: Ұзынағаш ауылының мектебі" in page
    del coordinator
