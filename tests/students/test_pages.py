"""The roster pages: adding and editing with consent, the list, erasure, the consent form, and 404s for
other schools' students wherever a student id appears."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.i18n import _, force_locale
from outreach.students.models import Student
from tests.conftest import Csrf
from tests.factories import make_school, make_student, make_user
from tests.clock import programme_today

KAZAKH_LETTERS = "әғқңөұүһі"


def english(role, **kw):
    return make_user(role, locale="en", **kw)


def _form(csrf_token, **overrides):
    data = {"csrf_token": csrf_token, "last_name": "Сейітова", "first_name": "Әлия", "grade": "5",
            "gender": "female", "guardian_name": "Гүлнар Сейітова", "relationship": "анасы",
            "given_on": (programme_today() - timedelta(days=1)).isoformat(), "method": "paper"}
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Student).where(Student.erased_at.is_(None)))


# --- adding and editing ----------------------------------------------------------------------------

def test_a_school_adds_a_student_with_consent(client, csrf, login):
    user = login(english("school"))
    response = client.post("/students/new", data=_form(csrf.token(client, "/students/new")))
    assert response.status_code == 302
    student = db.session.scalars(select(Student)).one()
    assert response.headers["Location"].endswith(f"/students/{student.id}")
    assert (student.school_id, student.first_name, student.consent.guardian_name) == (
        user.school_id, "Әлия", "Гүлнар Сейітова")
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Сейітова Әлия" in page and "Гүлнар Сейітова" in page and "анасы" in page


def test_without_consent_the_form_comes_back_with_what_was_typed(client, csrf, login):
    login(english("school"))
    response = client.post("/students/new", data=_form(csrf.token(client, "/students/new"),
                                                       guardian_name="", relationship=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Әлия"' in html and 'value="Сейітова"' in html
    assert html.count("This field is required.") == 2
    assert _count() == 0


def test_rule_errors_from_the_service_appear_next_to_the_field(client, csrf, login):
    login(english("school"))
    tomorrow = (programme_today() + timedelta(days=1)).isoformat()
    response = client.post("/students/new", data=_form(csrf.token(client, "/students/new"), given_on=tomorrow))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="given_on"[^>]*value="' + tomorrow, html) or f'value="{tomorrow}"' in html
    assert "The date of consent cannot be in the future." in html
    assert 'value="Әлия"' in html
    assert _count() == 0


def test_a_coordinator_chooses_the_school(client, csrf, login):
    login(english("coordinator"))
    school = make_school()
    db.session.commit()
    token = csrf.token(client, "/students/new")
    response = client.post("/students/new", data=_form(token))
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    response = client.post("/students/new", data=_form(token, school_id=str(school.id)))
    assert response.status_code == 302
    assert db.session.scalars(select(Student.school_id)).one() == school.id


def test_a_school_user_cannot_pick_another_school(client, csrf, login):
    user = login(english("school"))
    other = make_school()
    db.session.commit()
    assert 'name="school_id"' not in client.get("/students/new").get_data(as_text=True)
    client.post("/students/new", data=_form(csrf.token(client, "/students/new"), school_id=str(other.id)))
    assert db.session.scalars(select(Student.school_id)).one() == user.school_id


def test_editing_keeps_consent_and_saves_changes(client, csrf, login):
    user = login(english("school"))
    student = make_student(user.school, grade=4)
    db.session.commit()
    html = client.get(f"/students/{student.id}/edit").get_data(as_text=True)
    assert f'value="{student.first_name}"' in html and 'value="Айгүл Сейітова"' in html
    response = client.post(f"/students/{student.id}/edit", data=_form(
        csrf.token(client, f"/students/{student.id}/edit"), grade="6", first_name="Дана", relationship="әжесі"))
    assert response.status_code == 302
    db.session.expire_all()
    student = db.session.get(Student, student.id)
    assert (student.grade, student.first_name, student.consent.relationship_to_student) == (6, "Дана", "әжесі")


# --- the list --------------------------------------------------------------------------------------

def test_the_roster_lists_only_the_schools_own_students_and_filters(client, login):
    user = login(english("school"))
    mine = make_student(user.school, first_name="Әлия", last_name="Сейітова", grade=5)
    make_student(user.school, first_name="Ерлан", last_name="Құрманов", grade=7)
    make_student(make_school(), first_name="Бөтен", last_name="Басқаев", grade=5)
    db.session.commit()
    html = client.get("/students").get_data(as_text=True)
    assert "Сейітова Әлия" in html and "Құрманов Ерлан" in html and "Басқаев" not in html
    assert "2 students" in html
    found = client.post("/students/search", data={"q": "ӘЛИЯ", "csrf_token": Csrf.token(client, "/students")})
    html = client.get(found.headers["Location"]).get_data(as_text=True)
    assert f"/students/{mine.id}" in html and "Құрманов" not in html
    html = client.get("/students?grade=7").get_data(as_text=True)
    assert "Құрманов" in html and "Сейітова" not in html
    other_school = db.session.scalars(select(Student.school_id).where(Student.last_name == "Басқаев")).one()
    assert "Басқаев" not in client.get(f"/students?school_id={other_school}").get_data(as_text=True)


def test_coordinators_see_every_school_and_filter_by_school(client, login):
    login(english("coordinator"))
    a, b = make_school(name="Алғабас мектебі"), make_school(name="Шаһар лицейі")
    make_student(a, last_name="Әлиев")
    make_student(b, last_name="Бекова")
    db.session.commit()
    html = client.get("/students").get_data(as_text=True)
    assert "Әлиев" in html and "Бекова" in html and "Шаһар лицейі" in html
    html = client.get(f"/students?school_id={b.id}").get_data(as_text=True)
    assert "Бекова" in html and "Әлиев" not in html


def test_the_roster_is_paginated(client, login):
    user = login(english("school"))
    for n in range(30):
        make_student(user.school, last_name=f"Оқушы{n:02d}")
    db.session.commit()
    first = client.get("/students").get_data(as_text=True)
    second = client.get("/students?page=2").get_data(as_text=True)
    assert "30 students" in first and "Page 1 of 2" in first
    assert first.count("/edit") == 25 and second.count("/edit") == 5


@pytest.mark.parametrize("role", ["school", "coordinator"])
def test_the_roster_query_count_does_not_grow_with_rows(client, login, count_queries, role):
    user = login(english(role))
    client.get("/students")  # the signed-in user and the next workshop's start are read once per version of them
    school = user.school if role == "school" else make_school()
    for n in range(5):
        make_student(school)
    db.session.commit()
    with count_queries() as few:
        assert client.get("/students").status_code == 200
    for n in range(45):
        make_student(school if n % 2 else make_school())
    db.session.commit()
    with count_queries() as many:
        assert client.get("/students").status_code == 200
    assert many.count == few.count


def test_the_students_sign_ups_show_on_the_detail_page_without_extra_queries(client, login, count_queries):
    from outreach.signups import services as signups
    from tests.factories import make_workshop

    user = login(english("school"))
    client.get("/students")  # the signed-in user is read once per version of the users
    student = make_student(user.school)
    for _n in range(2):
        signups.register(make_workshop().id, [student.id], actor=user)
    db.session.commit()
    with count_queries() as few:
        html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert html.count("confirmed") >= 2
    for _n in range(8):
        signups.register(make_workshop().id, [student.id], actor=user)
    db.session.commit()
    with count_queries() as many:
        client.get(f"/students/{student.id}")
    assert many.count == few.count


# --- erasure through the pages ------------------------------------------------------------------

def test_erasing_explains_first_then_removes_the_student_everywhere(client, csrf, login):
    user = login(english("school"))
    student = make_student(user.school, first_name="Әлия", last_name="Жоғалова")
    db.session.commit()
    page = client.get(f"/students/{student.id}/erase").get_data(as_text=True)
    assert "cannot be undone" in page and "Жоғалова" in page
    response = client.post(f"/students/{student.id}/erase", data={"csrf_token": csrf.token(client, "/students")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/students")
    assert "personal data was erased" in client.get("/students").get_data(as_text=True)
    assert "Жоғалова" not in client.get("/students").get_data(as_text=True)
    for url in (f"/students/{student.id}", f"/students/{student.id}/edit", f"/students/{student.id}/erase",
                f"/students/consent-form?student_id={student.id}"):
        assert client.get(url).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Student, student.id).first_name is None


# --- 404 for another school's students, wherever an id appears --------------------------------------

def _student_urls(app, student_id: int) -> list[tuple[str, str]]:
    """Every HTML route that takes a student id, plus the ones that take it as a query argument."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "student_id" not in rule.arguments or rule.rule.startswith("/api/"):
            continue
        path = rule.rule.replace("<int:student_id>", str(student_id))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    urls.append(("GET", f"/students/consent-form?lang=kk&student_id={student_id}"))
    return urls


def test_id_walking_as_another_school_finds_nothing(app, client, csrf, login):
    school, other = make_school(), make_school()
    theirs = [make_student(other) for _n in range(3)]
    gone = make_student(school)
    db.session.commit()
    coordinator = make_user("coordinator")
    from outreach.students import services
    services.erase_student(gone, actor=coordinator)
    db.session.commit()
    login(english("school", school=school))
    token = csrf.token(client, "/students")
    walked = 0
    highest = max(s.id for s in theirs) + 3
    for student_id in range(1, highest + 1):
        for method, url in _student_urls(app, student_id):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 404, f"{method} {url}"
            walked += 1
    assert walked >= highest * 6
    db.session.expire_all()
    assert all(db.session.get(Student, s.id).first_name for s in theirs)  # nothing was changed or erased
    found = client.post("/students/search", data={"q": theirs[0].first_name, "csrf_token": token})
    assert found.status_code == 303
    html = client.get(found.headers["Location"] + f"&school_id={other.id}").get_data(as_text=True)
    assert "0 students" in html and f"/students/{theirs[0].id}" not in html


# --- the consent form ----------------------------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_kazakh_consent_form_keeps_every_kazakh_letter(client, login):
    school = make_school(name="Шаһар №1 мектеп-лицейі")
    user = login(english("school", school=school))
    student = make_student(school, first_name="Әлия", last_name="Құрманғазиева", grade=0)
    student.consent.guardian_name = "Гүлнар Өтеңова"
    student.consent.relationship_to_student = "анасы"
    db.session.commit()
    response = client.get(f"/students/consent-form?lang=kk&student_id={student.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"consent-{student.id}-kk.pdf" in response.headers["Content-Disposition"]
    assert user.school.name  # the filename carries no name, only the id
    text = _pdf_text(response.data)
    for letter in KAZAKH_LETTERS:
        assert letter in text.lower(), letter
    assert "Құрманғазиева Әлия" in text and "Гүлнар Өтеңова" in text and "Шаһар №1 мектеп-лицейі" in text
    reader = PdfReader(io.BytesIO(response.data))
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    # only the form's own font (DejaVu Sans via @font-face): no letter needed a fallback font
    assert fonts and all("Outreach-Sans" in f for f in fonts), fonts
    with force_locale("kk"):
        assert _("Guardian consent") in text and _("Signature") in text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_blank_form_in_each_language_says_what_why_who_and_how_long(client, login, lang):
    login(english("coordinator"))
    response = client.get(f"/students/consent-form?lang={lang}")
    assert response.status_code == 200
    text = " ".join(_pdf_text(response.data).split())
    with force_locale(lang):
        for heading in ("What is collected", "Why", "Who sees it", "For how long", "Guardian's full name",
                        "Relationship to the student", "Date", "Signature"):
            assert _(heading) in text, heading
    if lang == "en":
        assert "first and last name, grade and gender" in text
        assert "Funders only see anonymous totals" in text
        assert "Until you withdraw consent or the programme ends" in text


def test_the_blank_form_of_a_school_names_the_school(client, login):
    user = login(english("school"))
    text = _pdf_text(client.get("/students/consent-form?lang=ru").data)
    assert user.school.name in text
