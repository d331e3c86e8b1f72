"""Importing a roster from Excel or CSV: every encoding, delimiter and header language; every problem;
all or nothing; limits; the template round trip; the stored preview."""
from __future__ import annotations

import io
import json
import os
import re
import time
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from outreach.audit.models import AuditEvent
from outreach.errors import OutreachError
from outreach.extensions import db
from outreach.i18n import force_locale
from outreach.students import import_files, importing, services
from outreach.dbtypes import utcnow
from outreach.students.models import GuardianConsent, ImportPreview as ImportPreviewRow, Student
from tests.factories import make_school, make_student, make_user
from tests.students.helpers import HEADERS, MEDIA_HEADERS, ROWS, csv_bytes, fill_template, xlsx_bytes
from tests.clock import programme_today

RU_ROWS = [  # what a Windows-1251 file can hold: no Kazakh-only letters
    ["Иванова", "Мария", "5", "Ж", "Иванова Ольга", "мать"],
    ["Петров", "Илья", "7", "М", "Петров Олег", "отец"],
    ["Ли", "Анна", "0", "не указан", "Ли Вера", "бабушка"],
]


def english(role, **kw):
    """A user who reads the pages in English (the messages asserted below are the English ones)."""
    return make_user(role, locale="en", **kw)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Student))


def _problems(preview):
    return [(p.row, p.column, str(p.message)) for p in preview.all_problems]


# --- reading: encodings, delimiters, header languages ------------------------------------------

@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1251", False)])
def test_csv_in_each_encoding_delimiter_and_header_language(app, lang, delimiter, encoding, bom):
    rows = RU_ROWS if encoding == "cp1251" else ROWS
    if encoding == "cp1251":
        # Excel writes "?" for the Kazakh letters Windows-1251 lacks (Заңды өкіл → За?ды ?кіл)
        header = [h.encode("cp1251", errors="replace").decode("cp1251") for h in HEADERS[lang]]
    else:
        header = HEADERS[lang]
    data = csv_bytes(header, rows, delimiter=delimiter, encoding=encoding, bom=bom)
    preview = importing.parse_roster_file("class.csv", data)
    assert _problems(preview) == []
    assert preview.is_valid and preview.delimiter == delimiter
    assert preview.encoding == ("utf-8-sig" if bom else encoding)
    assert [(r.number, r.last_name, r.first_name, r.grade, r.gender, r.guardian_name, r.relationship)
            for r in preview.rows] == [
        (n + 2, row[0], row[1], int(row[2]), gender, row[4], row[5])
        for n, (row, gender) in enumerate(zip(rows, ("female", "male", "female" if rows is ROWS else "unspecified")))]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_xlsx_with_headers_in_each_language(app, lang):
    data = xlsx_bytes(HEADERS[lang], [[r[0], r[1], int(r[2]), r[3], r[4], r[5]] for r in ROWS])
    preview = importing.parse_roster_file("сынып.xlsx", data)
    assert preview.is_valid and preview.file_format == "xlsx"
    assert [(r.last_name, r.grade, r.gender) for r in preview.rows] == [
        ("Сейітова", 5, "female"), ("Иванов", 7, "male"), ("Smith", 0, "female")]


def test_utf16_text_from_excel_and_tabs(app):
    data = ("\t".join(HEADERS["ru"]) + "\r\n" + "\t".join(ROWS[0]) + "\r\n").encode("utf-16")
    preview = importing.parse_roster_file("class.txt", data)
    assert preview.is_valid and preview.rows[0].first_name == "Әлия"


def test_a_title_line_above_the_header_and_extra_columns_are_fine(app):
    data = csv_bytes(["№", *HEADERS["kk"], "Ескерту"], [["1", *ROWS[0], "—"]])
    data = "5А сыныбының тізімі\r\n".encode() + data
    preview = importing.parse_roster_file("list.csv", data)
    assert preview.is_valid
    assert preview.rows[0].number == 3 and preview.rows[0].last_name == "Сейітова"
    assert preview.ignored_columns == ["№", "Ескерту"]


def test_a_full_name_column_is_split_and_the_patronymic_is_not_kept(app):
    data = csv_bytes(["ФИО ученика", "Класс", "Пол", "Законный представитель", "Кем приходится"],
                     [["Иванов Иван Петрович", "3", "м", "Иванова Ольга", "мать"]])
    preview = importing.parse_roster_file("list.csv", data)
    assert preview.is_valid
    row = preview.rows[0]
    assert (row.last_name, row.first_name) == ("Иванов", "Иван")
    assert "Петрович" not in json.dumps(row.values(), ensure_ascii=False)


@pytest.mark.parametrize("value,gender", [
    ("Ж", "female"), ("Е", "male"), ("М", "male"), ("F", "female"), ("m", "male"), ("әйел", "female"),
    ("ер", "male"), ("Женский", "female"), ("мужской", "male"), ("FEMALE", "female"), ("male", "male"),
    ("қыз", "female"), ("ұл", "male"), ("не указан", "unspecified"), ("көрсетілмеген", "unspecified"),
    ("unspecified", "unspecified"), ("ж.", "female"),
])
def test_gender_values_in_three_languages_and_short_forms(app, value, gender):
    preview = importing.parse_roster_file("a.csv", csv_bytes(HEADERS["en"], [["A", "B", "5", value, "C", "D"]]))
    assert preview.rows[0].gender == gender and preview.is_valid


@pytest.mark.parametrize("value,grade", [
    ("5", 5), ("5А", 5), ("5 «Ә»", 5), ("10-Б", 10), ("11", 11), ("0", 0), ("мектепалды", 0),
    ("Предшкольный", 0), ("7 класс", 7), ("8 сынып", 8), ("5.0", 5),
])
def test_grades_as_schools_write_them(app, value, grade):
    preview = importing.parse_roster_file("a.csv", csv_bytes(HEADERS["en"], [["A", "B", value, "F", "C", "D"]]))
    assert preview.rows[0].grade == grade and preview.is_valid


# --- every kind of problem -------------------------------------------------------------------------

def test_every_row_problem_is_listed_with_row_column_and_message(app):
    school = make_school()
    make_student(school, first_name="Дана", last_name="Әбенова", grade=4)
    rows = [
        ["", "Айгерім", "5", "Ж", "Ана", "анасы"],              # 2: last name missing
        ["Ахметов", "", "5", "Е", "Әке", "әкесі"],              # 3: first name missing
        ["Ахметов", "Бекзат", "", "Е", "Әке", "әкесі"],         # 4: grade missing
        ["Ахметов", "Ержан", "12", "Е", "Әке", "әкесі"],        # 5: grade out of range
        ["Ахметов", "Нұрлан", "бесінші", "Е", "Әке", "әкесі"],  # 6: not a grade
        ["Ахметов", "Тимур", "5", "X", "Әке", "әкесі"],         # 7: unknown gender
        ["Ахметов", "Арман", "5", "", "Әке", "әкесі"],          # 8: gender missing
        ["Ахметов", "Самат", "5", "Е", "", ""],                 # 9: guardian and relationship missing
        ["ӘБЕНОВА", "дана", "4", "Ж", "Ана", "анасы"],          # 10: already on the roster: recognised
        ["Сейітова", "Әлия", "5", "Ж", "Ана", "анасы"],         # 11: fine
        ["сейітова", "ӘЛИЯ", "5", "ж", "Ана", "анасы"],         # 12: same as row 11
        ["Ж?мабаева", "Айым", "3", "Ж", "Ана", "анасы"],        # 13: letters lost in saving
        ["Әбенова", "Дана", "5", "Ж", "Ана", "анасы"],          # 14: fine: another grade
    ]
    preview = importing.parse_roster_file("class.csv", csv_bytes(HEADERS["kk"], rows), school_id=school.id)
    assert not preview.is_valid
    problems = _problems(preview)
    by_row = {}
    for row, column, message in problems:
        by_row.setdefault(row, []).append((column, message))
    assert by_row[2] == [("Тегі", "The last name is missing.")]
    assert by_row[3] == [("Аты", "The first name is missing.")]
    assert by_row[4] == [("Сынып", "The grade is missing.")]
    assert by_row[5] == [("Сынып", "Grade 12 is out of range: grades go from 0 to 11.")]
    assert by_row[6][0][0] == "Сынып" and "“бесінші” is not a grade" in by_row[6][0][1]
    assert by_row[7][0][0] == "Жынысы" and "“X” is not a gender" in by_row[7][0][1]
    assert by_row[8][0][0] == "Жынысы" and "missing" in by_row[8][0][1]
    assert [c for c, _m in by_row[9]] == ["Заңды өкіл", "Туыстығы"]
    assert 10 not in by_row and preview.rows[8].existing  # recognised, never an error
    assert by_row[12] == [("Тегі", "The same student (names and grade) is already in row 11 of this file.")]
    assert by_row[13][0][0] == "Тегі" and "“?”" in by_row[13][0][1]
    assert 11 not in by_row and 14 not in by_row
    assert preview.rows_with_problems == 10
    assert [r.number for r in preview.new_rows] == [11, 14] and preview.can_import


def test_cell_values_in_messages_are_escaped_on_the_page(client, csrf, login):
    login(english("school"))
    rows = [["Ахметов", "Тимур", "<b>5</b>", "<script>alert(1)</script>", "Әке", "әкесі"]]
    html = _upload(client, csrf, csv_bytes(HEADERS["kk"], rows), "x.csv").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>5</b>" not in html


@pytest.mark.parametrize("name,data,code", [
    ("empty.csv", b"", "file_empty"),
    ("blank.csv", b"\xef\xbb\xbf \r\n\r\n", "file_empty"),
    ("header-only.csv", ";".join(HEADERS["kk"]).encode(), "file_empty"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "file_not_supported"),
    ("random.csv", bytes(range(1, 32)) * 40, "file_not_supported"),
    ("undecodable.csv", b"\x98\x98\x98;\x98\x98", "file_not_supported"),
    ("report.pdf", b"%PDF-1.7\n" + b"x" * 50, "file_not_supported"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "file_not_supported"),
    ("broken.xlsx", b"PK\x03\x04 this is not a workbook", "file_unreadable"),
    ("notes.csv", "Мектеп туралы\r\nбірдеңе;басқа\r\n".encode(), "header_not_found"),
    ("no-gender.csv", csv_bytes(HEADERS["en"][:3], [["A", "B", "5"]]), "columns_missing"),
    ("no-relationship.csv", csv_bytes(HEADERS["ru"][:5], [["A", "B", "5", "Ж", "C"]]), "columns_missing"),
])
def test_files_that_cannot_be_used_are_refused_with_a_reason(app, name, data, code):
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file(name, data)
    assert caught.value.code == code
    assert caught.value.fields["file"] and str(caught.value.fields["file"][0])


def test_missing_columns_are_named(app):
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("a.csv", csv_bytes(HEADERS["ru"][:5], [["A", "B", "5", "Ж", "C"]]))
    assert "Relationship" in str(caught.value)  # one guardian column without the other
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("a.csv", csv_bytes(HEADERS["ru"][:3], [["A", "B", "5"]]))
    assert "Gender" in str(caught.value)


def test_size_and_row_limits(app):
    too_big = csv_bytes(HEADERS["en"], [["A" * 90, "B" * 90, "5", "F", "C" * 90, "D"]] * 8000)
    assert len(too_big) > import_files.MAX_BYTES
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("big.csv", too_big)
    assert caught.value.code == "file_too_large" and "2 MB" in str(caught.value)

    rows = [[f"Фамилия{n}", "Имя", "5", "Ж", "Опекун", "мать"] for n in range(import_files.MAX_ROWS + 1)]
    with pytest.raises(OutreachError) as caught, force_locale("en"):
        importing.parse_roster_file("many.csv", csv_bytes(HEADERS["ru"], rows))
    assert caught.value.code == "too_many_rows" and "2,000" in str(caught.value)
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("many.xlsx", xlsx_bytes(HEADERS["ru"], rows))
    assert caught.value.code == "too_many_rows"
    assert importing.parse_roster_file("max.csv", csv_bytes(HEADERS["ru"], rows[:-1])).is_valid


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_before_reading(app):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/worksheets/sheet1.xml", b"\0" * (import_files.MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < import_files.MAX_BYTES
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("bomb.xlsx", buffer.getvalue())
    assert caught.value.code == "file_too_large"


def test_millions_of_empty_lines_count_as_too_many_rows(app):
    data = csv_bytes(HEADERS["ru"], RU_ROWS) + b"\r\n" * (import_files.MAX_SCANNED_ROWS + 1)
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("long.csv", data)
    assert caught.value.code == "too_many_rows"


# --- all or nothing ----------------------------------------------------------------------------

def _consent(**kw):
    return {"given_on": programme_today() - timedelta(days=1), "method": "paper", "confirmed": True, **kw}


def test_apply_adds_every_row_with_consent(app):
    user = make_user("school")
    preview = importing.parse_roster_file("a.csv", csv_bytes(HEADERS["kk"], ROWS), school_id=user.school_id)
    students = services.apply_import(preview.rows, _consent(method="electronic"), actor=user, school_id=None).students
    assert [(s.last_name, s.grade, s.school_id) for s in students] == [
        ("Сейітова", 5, user.school_id), ("Иванов", 7, user.school_id), ("Smith", 0, user.school_id)]
    assert {(c.guardian_name, c.method) for c in db.session.scalars(select(GuardianConsent))} == {
        ("Сейітова Гүлнар", "electronic"), ("Иванова Мария", "electronic"), ("John Smith", "electronic")}


def test_apply_refuses_an_invalid_row_and_saves_nothing(app):
    user = make_user("school")
    rows = [dict(r.values()) for r in importing.parse_roster_file(
        "a.csv", csv_bytes(HEADERS["kk"], ROWS)).rows]
    rows[2]["grade"] = 14  # tampered after the preview: checked again
    with pytest.raises(OutreachError) as caught:
        services.apply_import(rows, _consent(), actor=user, school_id=None)
    assert caught.value.code == "import_invalid" and "Row 4" in caught.value.fields["rows"][0]
    db.session.rollback()
    assert _count() == 0


@pytest.mark.parametrize("consent,field", [
    (dict(confirmed=False), "confirmed"), (dict(given_on=None), "given_on"),
    (dict(given_on=programme_today() + timedelta(days=1)), "given_on"), (dict(method="sms"), "method"),
])
def test_batch_consent_is_required(app, consent, field):
    user = make_user("school")
    preview = importing.parse_roster_file("a.csv", csv_bytes(HEADERS["kk"], ROWS))
    with pytest.raises(OutreachError) as caught:
        services.apply_import(preview.rows, _consent(**consent), actor=user, school_id=None)
    assert list(caught.value.fields) == [field]
    assert _count() == 0


# --- through the pages -----------------------------------------------------------------------------

def _upload(client, csrf, data: bytes, filename: str, **extra):
    token = csrf.token(client, "/students/import")
    return client.post("/students/import", data={"csrf_token": token, "step": "preview",
                                                 "file": (io.BytesIO(data), filename), **extra},
                       content_type="multipart/form-data")


def _import_token(response) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no confirmation form"
    return match.group(1)


def _confirm(client, csrf, import_token, **overrides):
    token = csrf.token(client, "/students/import")
    data = {"csrf_token": token, "step": "confirm", "token": import_token, "method": "paper",
            "given_on": (programme_today() - timedelta(days=2)).isoformat(), "confirmed": "y", **overrides}
    return client.post("/students/import", data=data)


def test_a_school_imports_a_csv_previews_it_and_confirms(client, csrf, login):
    user = login(english("school"))
    response = _upload(client, csrf, csv_bytes(HEADERS["ru"], ROWS, bom=True), "5А.csv")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Сейітова" in html and "Smith" in html and "3 students are ready" in html
    assert _count() == 0  # nothing saved by the preview
    import_token = _import_token(response)
    stored = db.session.get(ImportPreviewRow, import_token)
    assert stored is not None and stored.school_id == user.school_id and len(stored.rows) == 3
    assert timedelta(minutes=59) < stored.expires_at - stored.created_at <= timedelta(hours=1)

    response = _confirm(client, csrf, import_token, first_name="Хакер", rows="[]")  # extra fields are ignored
    assert response.status_code == 302 and response.headers["Location"].endswith("/students")
    db.session.expire_all()
    names = sorted(db.session.scalars(select(Student.last_name).where(Student.school_id == user.school_id)))
    assert names == ["Smith", "Иванов", "Сейітова"]
    db.session.expire_all()
    assert db.session.get(ImportPreviewRow, import_token) is None
    assert "3 students were added" in client.get("/students").get_data(as_text=True)
    # the same token cannot be used twice
    response = _confirm(client, csrf, import_token)
    assert response.status_code == 302 and response.headers["Location"].endswith("/students/import")
    assert _count() == 3


def test_an_invalid_file_shows_its_problems_and_offers_no_confirmation(client, csrf, login):
    login(english("school"))
    rows = [["Сейітова", "Әлия", "5", "жоқ", "Ана", "анасы"], ["Иванов", "Иван", "15", "?", "О", "о"]]
    response = _upload(client, csrf, csv_bytes(HEADERS["kk"], rows), "bad.csv")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Grade 15 is out of range" in html and "is not a gender" in html
    assert 'name="token"' not in html and 'name="confirmed"' not in html
    assert _previews() == 0
    assert _count() == 0


def test_upload_errors_are_shown_on_the_form(client, csrf, login):
    login(english("school"))
    token = csrf.token(client, "/students/import")
    response = client.post("/students/import", data={"csrf_token": token, "step": "preview", "file": "not a file"})
    assert response.status_code == 422 and "Choose a file to upload." in response.get_data(as_text=True)
    response = _upload(client, csrf, b"\x00\x01\x02\x03" * 100, "data.csv")
    assert response.status_code == 422 and "not a table" in response.get_data(as_text=True)
    response = _upload(client, csrf, b"x" * (import_files.MAX_BYTES + 10), "big.csv")
    assert response.status_code == 422 and "too large" in response.get_data(as_text=True)
    response = _upload(client, csrf, b"", "empty.csv")
    assert response.status_code == 422 and "The file is empty." in response.get_data(as_text=True)


def test_confirmation_needs_the_consent_statement(client, csrf, login):
    login(english("school"))
    import_token = _import_token(_upload(client, csrf, csv_bytes(HEADERS["en"], ROWS, delimiter=","), "a.csv"))
    response = _confirm(client, csrf, import_token, confirmed="")
    assert response.status_code == 422
    assert "Confirm that guardian consent was collected" in response.get_data(as_text=True)
    response = _confirm(client, csrf, import_token, given_on=(programme_today() + timedelta(days=3)).isoformat())
    assert response.status_code == 422 and "cannot be in the future" in response.get_data(as_text=True)
    assert _count() == 0
    assert _confirm(client, csrf, import_token).status_code == 302  # still there to try again
    assert _count() == 3


def test_a_database_failure_mid_import_saves_nothing(client, csrf, login, monkeypatch):
    login(english("school"))
    import_token = _import_token(_upload(client, csrf, csv_bytes(HEADERS["kk"], ROWS), "a.csv"))
    # the third row is broken behind the checks' back: the database's CHECK refuses it during the insert
    stored = db.session.get(ImportPreviewRow, import_token)
    rows = [dict(row) for row in stored.rows]
    rows[2]["grade"] = 12
    stored.rows = rows
    db.session.commit()
    real_recheck = importing.recheck

    def unchecked(values, school_id):
        rows = real_recheck(values, school_id)
        for row, value in zip(rows, values):
            row.problems.clear()
            row.grade = value["grade"]
        return rows

    monkeypatch.setattr(importing, "recheck", unchecked)
    response = _confirm(client, csrf, import_token)
    assert response.status_code == 500
    db.session.rollback()
    assert _count() == 0 and db.session.scalar(select(func.count()).select_from(GuardianConsent)) == 0


def test_a_failure_after_the_rows_were_written_rolls_them_back(client, csrf, login, monkeypatch):
    login(english("school"))
    import_token = _import_token(_upload(client, csrf, csv_bytes(HEADERS["kk"], ROWS), "a.csv"))

    def broken_audit(*args, **kwargs):
        assert db.session.scalar(select(func.count()).select_from(Student)) == 3  # written, not committed
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(importing.audit, "record", broken_audit)
        assert _confirm(client, csrf, import_token).status_code == 500
    db.session.rollback()
    assert _count() == 0
    assert _confirm(client, csrf, import_token).status_code == 302  # the preview is kept for another try
    assert _count() == 3


def test_the_roster_is_checked_again_at_confirmation(client, csrf, login):
    user = login(english("school"))
    import_token = _import_token(_upload(client, csrf, csv_bytes(HEADERS["kk"], ROWS), "a.csv"))
    make_student(db.session.get(type(user.school), user.school_id), first_name="Иван", last_name="ИВАНОВ", grade=7)
    db.session.commit()
    response = _confirm(client, csrf, import_token)
    assert response.status_code == 302  # recognised at confirmation: left as it is, the others added
    assert _count() == 3
    page = client.get("/students").get_data(as_text=True)
    assert "2 students were added to the roster. 1 student already on the roster was left as it was." in page


def test_another_user_cannot_confirm_someone_elses_import(app, client, csrf, login):
    school = make_school()
    login(english("school", school=school))
    import_token = _import_token(_upload(client, csrf, csv_bytes(HEADERS["kk"], ROWS), "a.csv"))
    other = app.test_client()
    login(english("school", school=school), c=other)
    response = _confirm(other, csrf, import_token)
    assert response.status_code == 302 and response.headers["Location"].endswith("/students/import")
    assert _count() == 0
    for forged in ("../../etc/passwd", "x" * 30, ""):
        assert _confirm(client, csrf, forged).status_code == 302
    assert _count() == 0


def test_a_second_click_on_add_imports_nothing_more(client, csrf, login):
    user = login(english("school"))
    import_token = _import_token(_upload(client, csrf, csv_bytes(HEADERS["kk"], ROWS), "a.csv"))
    # the first click has taken the import and is still working on it
    assert importing.claim_pending(import_token, user_id=user.id) is not None
    response = _confirm(client, csrf, import_token)
    assert response.status_code == 302 and response.headers["Location"].endswith("/students/import")
    assert _count() == 0
    importing.release_pending(import_token)  # the first click failed: the import can be confirmed again
    assert _confirm(client, csrf, import_token).status_code == 302
    assert _count() == 3


def _previews() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ImportPreviewRow))


def _stored_preview(school, user, *, age: timedelta, token: str) -> None:
    created = utcnow() - age
    db.session.add(ImportPreviewRow(token=token, user_id=user.id, school_id=school.id, filename="a.csv",
                                    rows=[], created_at=created, expires_at=created + importing.PENDING_TTL))
    db.session.commit()


def test_purge_imports_command_removes_expired_previews(app):
    school = make_school()
    user = make_user("school", school=school)
    _stored_preview(school, user, age=timedelta(hours=2), token="o" * 32)
    _stored_preview(school, user, age=timedelta(minutes=5), token="f" * 32)
    result = app.test_cli_runner().invoke(args=["purge-imports"])
    assert result.exit_code == 0 and "Removed 1" in result.output
    db.session.expire_all()
    assert db.session.get(ImportPreviewRow, "o" * 32) is None and db.session.get(ImportPreviewRow, "f" * 32)


def test_stored_previews_expire_after_an_hour(client, csrf, login):
    user = login(english("school"))
    import_token = _import_token(_upload(client, csrf, csv_bytes(HEADERS["kk"], ROWS), "a.csv"))
    stored = db.session.get(ImportPreviewRow, import_token)
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _confirm(client, csrf, import_token).status_code == 302
    assert _count() == 0
    # expired previews are swept away by the next upload (and by `flask purge-imports`)
    _stored_preview(user.school, user, age=timedelta(hours=3), token="s" * 32)
    _upload(client, csrf, csv_bytes(HEADERS["kk"], ROWS), "a.csv")
    db.session.expire_all()
    assert db.session.get(ImportPreviewRow, "s" * 32) is None
    assert db.session.get(ImportPreviewRow, import_token) is None


def test_a_coordinator_imports_into_the_chosen_school(client, csrf, login):
    login(english("coordinator"))
    school = make_school()
    db.session.commit()
    response = _upload(client, csrf, csv_bytes(HEADERS["en"], ROWS), "a.csv")
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    response = _upload(client, csrf, csv_bytes(HEADERS["en"], ROWS), "a.csv", school_id=str(school.id))
    assert response.status_code == 200 and school.name in response.get_data(as_text=True)
    response = _confirm(client, csrf, _import_token(response))
    assert response.headers["Location"].endswith(f"/students?school_id={school.id}")
    assert set(db.session.scalars(select(Student.school_id))) == {school.id}


# --- the templates ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_xlsx_template_round_trip(client, csrf, login, lang):
    login(english("school"))
    response = client.get(f"/students/import/template?lang={lang}&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert f"students-{lang}.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    # the optional photos-and-video column comes last
    assert [c.value for c in workbook.worksheets[0][1]] == [*HEADERS[lang], MEDIA_HEADERS[lang]]
    assert len(workbook.worksheets) == 2  # the second sheet explains how to fill it in
    gender = importing.TEMPLATE_GENDERS[lang]
    filled = fill_template(response.data, [
        ["Сейітова", "Әлия", 5, gender["female"], "Сейітова Гүлнар", "анасы"],
        ["Құрманов", "Ерлан", 0, gender["male"], "Құрманов Асқар", "әкесі"],
        ["Ли", "Вера", 11, gender["unspecified"], "Ли Ольга", "мать"],
    ])
    response = _upload(client, csrf, filled, f"students-{lang}.xlsx")
    assert response.status_code == 200
    assert _confirm(client, csrf, _import_token(response)).status_code == 302
    assert sorted(db.session.execute(select(Student.last_name, Student.grade, Student.gender)).tuples()) == sorted([
        ("Ли", 11, "unspecified"), ("Құрманов", 0, "male"), ("Сейітова", 5, "female")])


@pytest.mark.parametrize("lang,delimiter", [("kk", ";"), ("ru", ";"), ("en", ",")])
def test_csv_template_opens_in_excel_and_reads_back(client, login, lang, delimiter):
    login(english("school"))
    response = client.get(f"/students/import/template?lang={lang}&format=csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    header = response.data.decode("utf-8-sig").strip()
    assert header == delimiter.join([*HEADERS[lang], MEDIA_HEADERS[lang]])
    line = delimiter.join(["Сейітова", "Әлия", "5", "Ж", "Сейітова Гүлнар", "анасы"])
    preview = importing.parse_roster_file("t.csv", response.data + line.encode() + b"\r\n")
    assert preview.is_valid and preview.delimiter == delimiter


def test_downloads_do_not_switch_the_pages_language(client, login):
    login(make_user("school", locale="kk"))
    client.get("/students?lang=kk")
    assert client.get("/students/import/template?lang=ru&format=csv").status_code == 200
    assert client.get("/students/consent-form?lang=en").status_code == 200
    assert '<html lang="kk">' in client.get("/students").get_data(as_text=True)


# --- imports that forgive: the valid rows, an updated class list, a class list from the e-journal -----------

BAD_AND_GOOD = [*ROWS, ["Ахметов", "Тимур", "5", "X", "Әке", "әкесі"], ["Ахметов", "Ержан", "12", "Е", "Әке", "әкесі"],
                ["Нұрланова", "Дина", "3", "Ж", "Ана", "анасы"], ["Омаров", "Ерлан", "9", "Е", "Әке", "әкесі"]]


def test_the_valid_rows_are_imported_when_the_person_chooses_to_skip_the_others(client, csrf, login):
    user = login(english("school"))
    response = _upload(client, csrf, csv_bytes(HEADERS["kk"], BAD_AND_GOOD), "class.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 new students are ready to be added." in html and "2 rows have problems." in html
    assert "Import the 5 correct students and skip the rows with problems (2)" in html
    token = _import_token(response)
    refused = _confirm(client, csrf, token)  # not chosen: all or nothing, as before
    assert refused.status_code == 422 and _count() == 0
    done = _confirm(client, csrf, token, skip_invalid="y")
    assert done.status_code == 302 and _count() == 5
    assert "5 students were added to the roster. 2 rows with problems were skipped." in \
        client.get("/students").get_data(as_text=True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "students.imported")).one()
    assert event.details["count"] == 5 and event.details["skipped_with_problems"] == 2
    assert {s.school_id for s in db.session.scalars(select(Student))} == {user.school_id}


def test_an_updated_class_list_adds_only_the_new_students(client, csrf, login):
    login(english("school"))
    _confirm(client, csrf, _import_token(_upload(client, csrf, csv_bytes(HEADERS["kk"], ROWS), "class.csv")))
    assert _count() == 3
    updated = [[r[0].upper(), *r[1:]] for r in ROWS] + [["Нұрланова", "Дина", "3", "Ж", "Ана", "анасы"]]
    response = _upload(client, csrf, csv_bytes(HEADERS["kk"], updated), "class-v2.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Problems" not in html
    assert "1 new student is ready to be added." in html
    assert "3 students are already on the roster and will be left as they are." in html
    assert _confirm(client, csrf, _import_token(response)).status_code == 302
    assert _count() == 4
    again = _upload(client, csrf, csv_bytes(HEADERS["kk"], updated), "class-v2.csv")  # nothing new any more
    assert again.status_code == 422 and 'name="token"' not in again.get_data(as_text=True)


def test_a_class_list_from_the_e_journal_without_guardian_columns_is_imported_with_consent_for_the_file(
        client, csrf, login):
    login(english("school"))
    journal = ["Аты", "Тегі", "Сыныбы", "Жынысы"]
    rows = [["Әлия", "Сейітова", "5", "қыз"], ["Иван", "Иванов", "7", "ұл"]]
    response = _upload(client, csrf, csv_bytes(journal, rows), "kundelik.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert "The file has no columns for the guardians" in html
    assert "names can be added to each student later." in html  # the consent is confirmed for the file
    assert _confirm(client, csrf, _import_token(response)).status_code == 302
    consents = db.session.scalars(select(GuardianConsent)).all()
    assert len(consents) == 2 and all(c.guardian_name is None and c.given_on for c in consents)
