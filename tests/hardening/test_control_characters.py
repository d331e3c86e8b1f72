"""Control characters in one-line text are refused everywhere: the API (422), the forms (a form error), the
import (a row problem). A title with CR/LF would otherwise reach a notification subject no mail server accepts."""
from __future__ import annotations

import io

import pytest

from outreach.api.fields import String
from outreach.extensions import db
from outreach.students import importing
from tests.api.conftest import api  # noqa: F401  (the fixture)
from tests.api.test_resources import workshop_body
from tests.factories import make_initiative, make_school, make_user
from tests.students.helpers import HEADERS, ROWS, csv_bytes


@pytest.mark.parametrize("field,value", [
    ("title", {"kk": "Күй\r\nBcc: all@example.org", "ru": None, "en": None}),
    ("title", {"kk": "Күй", "ru": "Кюй\tдомбыра", "en": None}),
    ("instructor", "Айгерім\nСәрсенова"),
    ("venue", "Шабыт\x00"),
    ("venue", "Шабыт\x1b[31m"),
    ("instructor", "Айгерім\u2028Сәрсенова"),
])
def test_the_api_refuses_control_characters_in_one_line_text(api, field, value):
    coordinator = make_user("coordinator")
    initiative = make_initiative()
    response = api.post("/workshops", as_=coordinator, json=workshop_body(initiative, **{field: value}))
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert any(name.startswith(field) for name in fields), fields


def test_the_api_keeps_line_breaks_in_a_description(api):
    coordinator = make_user("coordinator")
    body = {"title": {"kk": "Балет", "ru": "Балет", "en": "Ballet"}, "art_form": "ballet",
            "description": {"kk": "Бірінші жол.\nЕкінші жол.", "ru": None, "en": None},
            "starts_on": "2027-01-01", "ends_on": "2027-06-30"}
    assert api.post("/initiatives", as_=coordinator, json=body).status_code == 201
    body["description"]["kk"] = "Жол\x07"
    assert api.post("/initiatives", as_=coordinator, json=body).status_code == 422
    body["description"]["kk"] = "Жол"
    body["title"]["en"] = "Ballet\nfor all"
    assert api.post("/initiatives", as_=coordinator, json=body).status_code == 422


def test_the_documented_pattern_says_the_same():
    import re

    pattern = String().metadata["pattern"]
    assert re.match(pattern, "Айгерім Сәрсенова") and not re.match(pattern, "a\r\nb") and not re.match(pattern, "a\tb")


def test_forms_refuse_control_characters(client, csrf, login):
    school = make_school()
    login(make_user("school", school=school))
    token = csrf.token(client, "/students/new")
    response = client.post("/students/new", data={
        "csrf_token": token, "last_name": "Сейітова\r\nX", "first_name": "Әлия", "grade": "4",
        "gender": "female", "guardian_name": "Гүлнар\x01", "relationship": "анасы", "given_on": "2026-09-01",
        "method": "paper", "confirmed": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("Line breaks, tabs and other control characters are not allowed here.") == 2


def test_a_workshop_title_with_a_line_break_is_refused_by_the_form(client, csrf, login):
    login("coordinator")
    initiative = make_initiative()
    db.session.commit()
    token = csrf.token(client, "/workshops/new")
    response = client.post("/workshops/new", data={
        "csrf_token": token, "initiative_id": initiative.id, "title_kk": "Күй\r\nBcc: x@example.org",
        "date": "2027-03-08", "time": "10:00", "duration_minutes": "90", "capacity": "20", "venue": "Зал",
        "instructor": "Айгерім", "language": "kk", "min_grade": "3", "max_grade": "9"})
    assert response.status_code == 422
    assert "Line breaks, tabs and other control characters are not allowed here." in response.get_data(as_text=True)


def test_the_import_refuses_control_characters_in_a_cell(app):
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[1][0] = "Иванов\x07"
    preview = importing.parse_roster_file("a.csv", csv_bytes(HEADERS["ru"], rows), school_id=None)
    assert not preview.is_valid
    [problem] = preview.all_problems
    assert problem.row == 3 and "control characters" in problem.message
