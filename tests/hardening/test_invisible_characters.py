"""Invisible characters in what people type: "A\u202eB" (a right-to-left override) and "Test\u200b" (a zero-width
space) are refused with 422 naming the field — in the JSON API, on the web forms (translated, next to the field,
keeping what was typed) and in the roster import (row and column) — and names are kept in NFC."""
from __future__ import annotations

import re
import sys
import unicodedata
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from outreach import params
from outreach.extensions import db
from outreach.i18n import force_locale
from outreach.students import importing
from outreach.students.models import Student
from outreach.text import INVISIBLE
from tests.api.conftest import Api, error_of
from tests.conftest import Csrf
from tests.factories import make_initiative, make_school, make_user
from tests.students.helpers import HEADERS, csv_bytes, xlsx_bytes
from tests.clock import programme_today

HOSTILE = ["A\u202eB", "Test\u200b", "\ufeffАйгерім", "Ай\u2066гер", "Сәуле\u00ad", "x\U000e0041"]


@pytest.fixture
def api(client):
    return Api(client)


def _consent():
    return {"guardian_name": "Гүлнар Сейітова", "relationship": "анасы",
            "given_on": (programme_today() - timedelta(days=1)).isoformat()}


def _student(**overrides):
    body = {"first_name": "Айару", "last_name": "Сейітова", "grade": 5, "gender": "female",
            "guardian_consent": _consent()}
    body.update(overrides)
    return body


def test_the_format_characters_are_exactly_unicode_category_cf():
    every = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    cf = {ch for ch in every if unicodedata.category(ch) == "Cf"}
    listed = {chr(c) for low, high in params._FORMAT_RANGES for c in range(low, high + 1)}
    assert listed == cf
    # the OpenAPI patterns list those of the BMP; the API's description names the others
    one_line, several = re.compile(params.SINGLE_LINE_PATTERN), re.compile(params.MULTILINE_PATTERN)
    for ch in cf:
        if ord(ch) > 0xFFFF:
            assert params.has_format_characters(f"a{ch}b") and params.has_format_characters(f"a{ch}b", multiline=True)
            continue
        assert not one_line.match(f"a{ch}b"), hex(ord(ch))
        assert bool(several.match(f"a{ch}b")) == (ch in params.JOINERS), hex(ord(ch))
    assert one_line.match("Айгерім Сәрсенова-Ли İnkar") and several.match("Шеберлік\nсабағы\tüşin")


def test_the_openapi_document_states_the_rule(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "U+E0020–U+E007F" in document["info"]["description"]
    student = document["components"]["schemas"]["StudentIn"]["properties"]["last_name"]
    assert "\\u202a-\\u202e" in student["pattern"] and "\\u200b-\\u200f" in student["pattern"]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_api_refuses_them_naming_the_field(api, value):
    user = make_user("school", school=make_school())
    response = api.post("/students", as_=user, json=_student(last_name=value), lang="ru")
    assert response.status_code == 422
    with force_locale("ru"):
        assert error_of(response)["fields"] == {"last_name": [str(INVISIBLE)]}
    nested = api.post("/students", as_=user, json=_student(guardian_consent={**_consent(), "guardian_name": value}))
    assert nested.status_code == 422 and list(error_of(nested)["fields"]) == ["guardian_consent.guardian_name"]
    assert db.session.scalar(select(Student.id)) is None


@pytest.mark.parametrize("path,body,field", [
    ("/schools", {"name": "Мектеп\u202e", "region": "KZ-75", "locality": "Алматы", "settlement_type": "urban",
                  "languages": ["kk"]}, "name"),
    ("/schools", {"name": "Мектеп", "region": "KZ-75", "locality": "Алматы\u200b", "settlement_type": "urban",
                  "languages": ["kk"]}, "locality"),
    ("/artists", {"name": "Айгерім\u200f", "art_forms": ["ballet"], "languages": ["kk"], "home_region": "KZ-75"},
     "name"),
    ("/venues", {"name": "Зал", "region": "KZ-75", "locality": "Алматы", "address": "Абай к-сі\u2067 10"},
     "address"),
])
def test_every_kind_of_record_refuses_them(api, path, body, field):
    response = api.post(path, as_=make_user("coordinator"), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]


def test_titles_refuse_them_and_descriptions_keep_only_the_joiners(api):
    coordinator = make_user("coordinator")
    body = {"title": {"kk": "Би\u200b"}, "art_form": "ballet", "starts_on": "2027-01-10", "ends_on": "2027-05-10"}
    response = api.post("/initiatives", as_=coordinator, json=body)
    assert response.status_code == 422 and list(error_of(response)["fields"]) == ["title.kk"]
    response = api.post("/initiatives", as_=coordinator, json={**body, "title": {"kk": "Би"},
                                                              "description": {"en": "A\u202eB"}})
    assert response.status_code == 422 and list(error_of(response)["fields"]) == ["description.en"]
    # ZWNJ and ZWJ belong inside words of some scripts and in emoji: several lines of text may hold them
    kept = "می\u200cخواهم 👩\u200d👧"
    response = api.post("/initiatives", as_=coordinator, json={**body, "title": {"kk": "Би"},
                                                              "description": {"en": kept}})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["description"]["en"] == kept


def test_names_are_kept_in_nfc(api):
    user = make_user("school", school=make_school())
    decomposed = unicodedata.normalize("NFD", "Йолдасбай Әлия Ёлкина")  # и + breve, е + diaeresis
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    response = api.post("/students", as_=user, json=_student(last_name=decomposed))
    assert response.status_code == 201
    assert response.get_json()["last_name"] == unicodedata.normalize("NFC", decomposed)
    assert db.session.scalar(select(Student.last_name)) == unicodedata.normalize("NFC", decomposed)


def test_the_form_says_so_next_to_the_field_in_the_users_language_and_keeps_the_text(client, login):
    login(make_user("school", school=make_school(), locale="kk"))
    token = Csrf.token(client, "/students/new")
    response = client.post("/students/new?lang=kk", data={
        "csrf_token": token, "last_name": "A\u202eB", "first_name": "Test\u200b", "grade": "5", "gender": "female",
        "guardian_name": "Гүлнар", "relationship": "анасы",
        "given_on": (programme_today() - timedelta(days=1)).isoformat(), "method": "paper"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    with force_locale("kk"):
        message = str(INVISIBLE)
    assert message != "Invisible formatting characters (such as text direction marks or zero-width spaces) are " \
                      "not allowed here. Type the text again without them."
    assert html.count(message) == 2  # one under each of the two fields
    assert 'value="A\u202eB"' in html and 'value="Test\u200b"' in html  # what was typed stays in the inputs
    assert db.session.scalar(select(Student.id)) is None


def test_a_web_form_keeps_names_in_nfc(client, login):
    login(make_user("coordinator", locale="en"))
    name = unicodedata.normalize("NFD", "Ұзынағаш ауылының мектебі Ёлка")
    response = client.post("/schools/new", data={
        "csrf_token": Csrf.token(client, "/schools/new"), "name": name, "region": "KZ-19", "locality": "Ұзынағаш",
        "settlement_type": "rural", "languages": ["kk"]})
    assert response.status_code == 302
    from outreach.schools.models import School
    assert db.session.scalar(select(School.name)) == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_import_names_the_row_and_the_column(app, kind):
    rows = [["Сейітова", "Әлия", "5", "Ж", "Ана", "анасы"],
            ["A\u202eB", "Айгерім", "5", "Ж", "Ана", "анасы"],
            ["Омарова", "Дана\u200b", "5", "Ж", "Ана\u2066", "анасы"]]
    data = csv_bytes(HEADERS["kk"], rows) if kind == "csv" else xlsx_bytes(HEADERS["kk"], rows)
    preview = importing.parse_roster_file(f"class.{kind}", data)
    problems = [(p.row, p.column, str(p.message)) for p in preview.all_problems]
    invisible = [(row, column) for row, column, message in problems if "invisible formatting" in message]
    assert invisible == [(3, "Тегі"), (4, "Аты"), (4, "Заңды өкіл")]
    assert not preview.can_import or [r.number for r in preview.new_rows] == [2]


def test_a_teachers_text_answer_with_a_direction_override_is_refused_and_kept_on_the_page(app, client):
    from outreach.notifications.models import OutboxMessage
    from outreach.outcomes.models import TeacherLink
    from tests.outcomes.test_teacher_links import _after_a_workshop, _link_in

    _after_a_workshop(app)
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "teacher_feedback")).one()
    path = _link_in(message)
    html = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    refused = client.post(path, data={"csrf_token": token, "a_class_engaged": "4",
                                      "a_teacher_comments": "Дети \u202eпросили ещё"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    with force_locale("ru"):
        assert str(INVISIBLE) in page
    assert "Дети \u202eпросили ещё</textarea>" in page and 'value="4" id="t-class_engaged-4" checked' in page
    assert db.session.scalar(select(TeacherLink)).answers in (None, {})
    done = client.post(path, data={"csrf_token": token, "a_class_engaged": "4",
                                   "a_teacher_comments": "Дети просили 👩\u200d👧 ещё"})
    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(TeacherLink)).answers["teacher_comments"] == "Дети просили 👩\u200d👧 ещё"
