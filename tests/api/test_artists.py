"""The v1.1 resources: teaching artists and venues, similar names, workshops that refer to records."""
from __future__ import annotations

import pytest

from outreach.extensions import db
from tests.api.conftest import error_of
from tests.factories import make_initiative, make_user


@pytest.fixture
def coordinator():
    user = make_user("coordinator")
    db.session.commit()
    return user


ARTIST = {"name": "Айгерім Сәрсенова", "art_forms": ["ballet"], "languages": ["kk", "ru"], "home_region": "KZ-71",
          "email": "aigerim@example.org", "phone": "+7 701 123 45 67"}


def test_an_artist_is_created_and_read_with_the_contract_fields(api, coordinator):
    created = api.post("/artists", as_=coordinator, json=ARTIST)
    assert created.status_code == 201
    body = created.get_json()
    assert {k: body[k] for k in ARTIST} == ARTIST
    again = api.get(f"/artists/{body['id']}", as_=coordinator).get_json()
    assert again == body
    assert api.get("/artists?q=сарсен", as_=coordinator).get_json()["total"] == 1  # any spelling finds her


@pytest.mark.parametrize("spelling", ["Айгерим Сарсенова", "Aйгерим  Сарсенова", "АЙГЕРІМ СӘРСЕНОВА"])
def test_a_similar_name_is_409_with_the_existing_id_unless_confirmed_distinct(api, coordinator, spelling):
    first = api.post("/artists", as_=coordinator, json=ARTIST).get_json()
    response = api.post("/artists", as_=coordinator, json={**ARTIST, "name": spelling},
                        headers={"Accept-Language": "ru"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "similar_name" and error["fields"]["name"] == [first["id"]]
    assert "Айгерім Сәрсенова" in error["message"] and "Возможно" in error["message"]
    distinct = api.post("/artists", as_=coordinator, json={**ARTIST, "name": spelling, "confirm_distinct": True})
    assert distinct.status_code == 201


def test_renaming_to_a_similar_name_is_409_and_a_rename_shows_on_the_workshops(api, coordinator):
    aigerim = api.post("/artists", as_=coordinator, json=ARTIST).get_json()
    other = api.post("/artists", as_=coordinator, json={**ARTIST, "name": "Мадина Төлеуова"}).get_json()
    clash = api.patch(f"/artists/{other['id']}", as_=coordinator, json={"name": "Айгерим Сарсенова"})
    assert clash.status_code == 409 and error_of(clash)["fields"]["name"] == [aigerim["id"]]
    venue = api.post("/venues", as_=coordinator, json={"name": "Есік мәдениет үйі", "region": "KZ-19",
                                                      "locality": "Есік"}).get_json()
    initiative = make_initiative()
    db.session.commit()
    workshop = api.post("/workshops", as_=coordinator, json={
        "initiative_id": initiative.id, "title": {"kk": "Би"}, "starts_at": "2027-03-08T10:00:00+05:00",
        "duration_minutes": 60, "capacity": 10, "artist_id": other["id"], "venue_id": venue["id"], "language": "kk",
        "min_grade": 0, "max_grade": 11})
    assert workshop.status_code == 201, workshop.get_json()
    body = workshop.get_json()
    assert (body["artist_id"], body["venue_id"], body["instructor"], body["venue"]) == \
        (other["id"], venue["id"], "Мадина Төлеуова", "Есік мәдениет үйі")
    api.patch(f"/artists/{other['id']}", as_=coordinator, json={"name": "Мадина Тулеуова"})
    assert api.get(f"/workshops/{body['id']}", as_=coordinator).get_json()["instructor"] == "Мадина Тулеуова"


def test_a_workshop_name_that_is_no_record_is_422_naming_the_field(api, coordinator):
    initiative = make_initiative()
    db.session.commit()
    venue = api.post("/venues", as_=coordinator, json={"name": "Зал", "region": "KZ-75", "locality": "Алматы"})
    response = api.post("/workshops", as_=coordinator, json={
        "initiative_id": initiative.id, "title": {"kk": "Би"}, "starts_at": "2027-03-08T10:00:00+05:00",
        "duration_minutes": 60, "capacity": 10, "instructor": "Ешкім", "venue_id": venue.get_json()["id"],
        "language": "kk", "min_grade": 0, "max_grade": 11})
    assert response.status_code == 422 and list(error_of(response)["fields"]) == ["instructor"]


def test_unavailable_period_and_hours(api, coordinator):
    artist = api.post("/artists", as_=coordinator, json=ARTIST).get_json()
    period = api.post(f"/artists/{artist['id']}/unavailable", as_=coordinator,
                      json={"from": "2027-06-10T00:00:00+05:00", "to": "2027-06-25T00:00:00+05:00",
                            "reason": "гастроль"})
    assert period.status_code == 201 and period.get_json()["from"] == "2027-06-10T00:00:00+05:00"
    hours = api.get(f"/artists/{artist['id']}/hours?from=2026-01-01&to=2026-12-31", as_=coordinator)
    assert hours.get_json() == {"workshops": 0, "hours": 0.0}
    assert api.get("/artists/999999", as_=coordinator).status_code == 404
