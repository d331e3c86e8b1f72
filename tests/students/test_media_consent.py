"""Media consent: recorded with the guardian's consent (form, import, API), shown to whoever takes attendance,
never to funders."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups import services as signups
from outreach.students import importing, services
from tests.api.conftest import Api
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop
from tests.students.helpers import HEADERS, csv_bytes
from tests.clock import programme_today

CONSENT = {"given_on": programme_today() - timedelta(days=1), "method": "paper", "confirmed": True}


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.mark.parametrize("lang,header,yes,no", [
    ("kk", "Фото және бейне", "иә", "жоқ"), ("ru", "Фото и видео", "да", "нет"), ("en", "Photos and video", "yes", ""),
])
def test_the_import_reads_an_optional_media_column_in_each_language(app, lang, header, yes, no):
    user = make_user("school")
    rows = [["Сейітова", "Әлия", "5", "Ж", "Сейітова Гүлнар", "анасы", yes],
            ["Иванов", "Иван", "7", "М", "Иванова Мария", "мать", no]]
    preview = importing.parse_roster_file("a.csv", csv_bytes([*HEADERS[lang], header], rows), school_id=user.school_id)
    assert preview.columns["media_consent"] == header
    students = services.apply_import(preview.rows, CONSENT, actor=user, school_id=None).students
    assert [s.media_consent for s in students] == [True, False]


def test_without_the_column_nobody_may_be_photographed_and_an_unclear_cell_is_a_problem(app):
    user = make_user("school")
    rows = [["Сейітова", "Әлия", "5", "Ж", "Сейітова Гүлнар", "анасы"]]
    preview = importing.parse_roster_file("a.csv", csv_bytes(HEADERS["kk"], rows))
    assert [r.media_consent for r in preview.rows] == [False] and preview.rows[0].ok
    unclear = importing.parse_roster_file("a.csv", csv_bytes([*HEADERS["ru"], "Фото и видео"],
                                                             [[*rows[0], "может быть"]]))
    assert [p.column for p in unclear.rows[0].problems] == ["Фото и видео"]


def test_the_student_form_records_it_and_the_student_page_says_it(client, csrf, login):
    school = make_user("school")
    db.session.commit()
    login(school)
    token = csrf.token(client, "/students/new")
    response = client.post("/students/new", data={
        "csrf_token": token, "last_name": "Сейітова", "first_name": "Әлия", "grade": "5", "gender": "female",
        "guardian_name": "Сейітова Гүлнар", "relationship": "анасы", "given_on": programme_today().isoformat(),
        "method": "paper"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Photos and video: not allowed" in page
    student_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    edit = f"/students/{student_id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert "The guardian agreed to photos and video of the student at workshops" in form
    client.post(edit, data={
        "csrf_token": csrf.token(client, edit), "last_name": "Сейітова", "first_name": "Әлия", "grade": "5",
        "gender": "female", "guardian_name": "Сейітова Гүлнар", "relationship": "анасы",
        "given_on": programme_today().isoformat(), "method": "paper", "media_consent": "y"})
    assert "Photos and video: the guardian agreed." in client.get(f"/students/{student_id}").get_data(as_text=True)


def test_the_api_takes_and_gives_the_field(api):
    school = make_user("school")
    db.session.commit()
    body = {"first_name": "Әлия", "last_name": "Сейітова", "grade": 5, "gender": "female",
            "guardian_consent": {"guardian_name": "Сейітова Гүлнар", "relationship": "анасы",
                                 "given_on": programme_today().isoformat()}}
    made = api.post("/students", as_=school, json=body)
    assert made.status_code == 201 and made.get_json()["media_consent"] is False
    allowed = api.post("/students", as_=school, json={**body, "first_name": "Дана", "media_consent": True})
    assert allowed.get_json()["media_consent"] is True
    assert api.post("/students", as_=school, json={**body, "first_name": "Ерлан", "media_consent": "yes"}
                    ).status_code == 400


@pytest.fixture
def workshop_with_three_without_consent(app):
    coordinator = make_user("coordinator")
    funder = make_funder()
    workshop = make_workshop(initiative=make_initiative(funders=[funder]), starts_at=utcnow() - timedelta(minutes=30),
                             duration_minutes=60)
    school = make_school()
    students = [make_student(school, media_consent=i >= 3) for i in range(5)]
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    return coordinator, funder, workshop, students


def test_the_attendance_sheet_marks_each_child_without_consent_and_says_how_many(
        workshop_with_three_without_consent, client, login):
    coordinator, _funder, workshop, students = workshop_with_three_without_consent
    login(coordinator)
    page = client.get(f"/workshops/{workshop.id}/attendance").get_data(as_text=True)
    assert "3 pupils must not be photographed or filmed" in page
    assert page.count('class="badge no-camera') == 3
    detail = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "3 pupils must not be photographed or filmed" in detail


def test_the_api_gives_the_count_to_those_who_take_attendance_and_never_to_funders(
        workshop_with_three_without_consent, api, client, login):
    coordinator, funder_record, workshop, students = workshop_with_three_without_consent
    funder = make_user("funder", funder=funder_record)
    db.session.commit()
    assert api.get(f"/workshops/{workshop.id}", as_=coordinator).get_json()["no_media_count"] == 3
    shown = api.get(f"/workshops/{workshop.id}", as_=funder).get_json()
    assert shown["no_media_count"] is None
    items = api.get(f"/workshops/{workshop.id}/attendance", as_=coordinator).get_json()["items"]
    assert sorted(i["media_consent"] for i in items) == [False, False, False, True, True]
    # a funder's page of the workshop shows no names and no count
    login(funder)
    page = client.get(f"/workshops/{workshop.id}")
    assert page.status_code == 200
    assert "photographed" not in page.get_data(as_text=True) and "no photos" not in page.get_data(as_text=True)
