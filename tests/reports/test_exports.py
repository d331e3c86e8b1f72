"""Exports: the same figures as the page in each language, CSV with BOM and no formulas, XLSX number
formats, a PDF with Kazakh letters, and the anonymous CSV of every sign-up."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from flask_babel import format_decimal, format_percent

from outreach.extensions import db
from outreach.i18n import _, force_locale
from outreach.reports.exports import neutralise
from tests.factories import make_initiative, make_school, make_student, make_workshop
from tests.reports import data

FIGURES = ("Students reached", "Workshops delivered", "Sign-ups", "Attendance rate", "Student-hours",
           "Schools reached", "Regions reached")


@pytest.fixture
def programme(app):
    return data.build()


def translated(app, lang: str, text: str) -> str:
    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        return str(_(text))


def page_figures(page: str) -> dict[str, str]:
    pairs = re.findall(r'<div class="stat-value">(.*?)</div>\s*<div class="stat-label text-body-secondary">(.*?)</div>',
                       page, re.S)
    return {html.unescape(label.strip()): html.unescape(value.strip()) for value, label in pairs}


def csv_blocks(body: bytes) -> list[list[list[str]]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    blocks, block = [], []
    for row in rows:
        if not row:
            blocks.append(block)
            block = []
        else:
            block.append(row)
    blocks.append(block)
    return blocks


def formatted(app, lang: str, label: str, raw) -> str:
    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        if label == "Attendance rate":
            return format_percent(float(raw), "#,##0.#%")
        if label == "Student-hours":
            return format_decimal(float(raw), "#,##0.#")
        return format_decimal(int(raw))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_csv_and_xlsx_carry_the_pages_figures_with_headers_in_the_viewers_language(programme, app, client, login,
                                                                                  lang):
    from openpyxl import load_workbook

    login(programme.coordinator)
    page = page_figures(client.get(f"/reports/impact?lang={lang}").get_data(as_text=True))
    labels = {name: translated(app, lang, name) for name in FIGURES}
    assert set(labels.values()) <= set(page)
    blocks = csv_blocks(client.get(f"/reports/impact.csv?lang={lang}").data)
    figures_block = next(b for b in blocks if b[0] == [translated(app, lang, "Figures")])
    assert figures_block[1] == [translated(app, lang, "Figure"), translated(app, lang, "Value")]
    csv_figures = {row[0]: row[1] for row in figures_block[2:]}
    for name, label in labels.items():
        assert formatted(app, lang, name, csv_figures[label]) == page[label], (lang, name)
    region = next(b for b in blocks if b[0] == [translated(app, lang, "Students reached by region")])
    assert region[1][:2] == [translated(app, lang, "Region"), labels["Students reached"]]
    names = {"kk": "Астана", "ru": "Астана", "en": "Astana"}
    assert [names[lang], "2", "0.4"] in region[2:]

    book = load_workbook(io.BytesIO(client.get(f"/reports/impact.xlsx?lang={lang}").data))
    summary = book[translated(app, lang, "Summary")[:31]]
    values = {row[0].value: row[1] for row in summary.iter_rows() if len(row) > 1 and row[0].value}
    for name, label in labels.items():
        cell = values[label]
        assert formatted(app, lang, name, cell.value) == page[label], (lang, name)
        expected_format = {"Attendance rate": "0.0%", "Student-hours": "#,##0.0"}.get(name, "#,##0")
        assert cell.number_format == expected_format
    breakdowns = book[translated(app, lang, "Breakdowns")[:31]]
    header_rows = [[c.value for c in row] for row in breakdowns.iter_rows()]
    assert [translated(app, lang, "Region"), labels["Students reached"],
            translated(app, lang, "Share of students reached")] in header_rows
    schools = book[translated(app, lang, "Schools")[:31]]
    school_rows = [[c.value for c in row] for row in schools.iter_rows()]
    assert ["Мектеп Б", {"kk": "Алматы облысы", "ru": "Алматинская область", "en": "Almaty Region"}[lang],
            translated(app, lang, "Rural"), 2, 5, round(2 / 3, 4), 2.5] in school_rows


def test_a_funders_exports_are_suppressed_like_the_page(programme, app, client, login):
    login(programme.funder1)
    page = client.get("/reports/impact?lang=en").get_data(as_text=True)
    blocks = csv_blocks(client.get("/reports/impact.csv?lang=en").data)
    region = next(b for b in blocks if b[0] == ["Students reached by region"])
    assert all(row[1] == "fewer than 10" and row[2] == "" for row in region[2:])
    assert "fewer than 10" in page
    assert not any(b[0] == ["Schools"] for b in blocks)  # no per-school table for funders
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/reports/impact.xlsx?lang=en").data))
    assert "Schools" not in book.sheetnames
    texts = [c.value for row in book["Breakdowns"].iter_rows() for c in row]
    assert "fewer than 10" in texts


def test_formulas_are_neutralised():
    for text in ("=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x"):
        assert neutralise(text) == "'" + text
    assert neutralise("Мектеп №1") == "Мектеп №1" and neutralise(42) == 42 and neutralise("") == ""


def test_csv_cells_that_look_like_formulas_do_not_run(programme, app, client, login):
    from openpyxl import load_workbook

    evil = make_school(name='=HYPERLINK("http://example.com","x")', region_code="KZ-11")
    student = make_student(evil, grade=4)
    from outreach.attendance import services as attendance
    from outreach.signups import services as signups

    workshop = make_workshop(initiative=programme.i1, starts_at=data.local(2025, 6, 2, 10))
    signups.register(workshop.id, [student.id], actor=programme.coordinator)
    attendance.record(workshop.id, [student.id], actor=programme.coordinator)
    programme.i1.title = {"en": "-1+1 Song"}
    db.session.commit()
    login(programme.coordinator)
    body = client.get(f"/reports/impact.csv?lang=en&initiative_id={programme.i1.id}").data.decode("utf-8-sig")
    assert "'=HYPERLINK(" in body and "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body
    assert "'-1+1 Song" in body
    book = load_workbook(io.BytesIO(client.get(f"/reports/impact.xlsx?lang=en&initiative_id={programme.i1.id}").data))
    values = [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert "'=HYPERLINK(\"http://example.com\",\"x\")" in values


def test_the_pdf_opens_and_shows_kazakh_letters_in_dejavu_sans(programme, app, client, login):
    from pypdf import PdfReader

    login(programme.funder1)
    response = client.get(f"/reports/impact.pdf?lang=kk&initiative_id={programme.i1.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert translated(app, "kk", "Impact report") in text
    assert "әғқңөұүһі" in text  # the initiative's Kazakh title, every Kazakh letter
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVu-Sans" in name for name in fonts), fonts
    with app.test_request_context("/?lang=kk"), force_locale("kk"):
        suppressed = str(_("fewer than %(threshold)s", threshold="10"))
    assert suppressed in text  # four students: every cell suppressed, and said so


def test_the_pdf_of_a_coordinator_lists_the_schools(programme, client, login):
    from pypdf import PdfReader

    login(programme.coordinator)
    reader = PdfReader(io.BytesIO(client.get("/reports/impact.pdf?lang=en").data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Мектеп А" in text and "Students reached by region" in text and "Astana" in text


def test_every_signup_as_anonymous_csv(programme, app, client, login):
    login(programme.coordinator)
    response = client.get("/reports/signups.csv?lang=en")
    assert response.status_code == 200 and response.is_streamed
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Workshop number", "Workshop", "Date", "Region of the school", "Urban/rural", "Grades",
                       "Gender", "Status", "Attended"]
    # W1 4, W2 3, W3 2, W4 2, W5 3, W6 1: every sign-up, cancelled and waitlisted ones too
    assert len(rows) - 1 == 15
    for student in programme.students.values():
        assert student.first_name not in body.decode("utf-8-sig")
    w1 = [r for r in rows[1:] if r[0] == str(programme.workshops["W1"].id)]
    assert sorted(r[7] for r in w1) == ["Confirmed", "Confirmed", "Confirmed", "Waitlisted"]
    assert sorted(r[8] for r in w1) == ["", "no", "yes", "yes"]
    assert {r[2] for r in w1} == {"2025-03-10"}
    w2 = [r for r in rows[1:] if r[0] == str(programme.workshops["W2"].id)]
    assert {r[2] for r in w2} == {"2025-04-01"}  # the date in Almaty
    w4 = [r for r in rows[1:] if r[0] == str(programme.workshops["W4"].id)]
    assert [r[8] for r in w4] == ["not recorded", "not recorded"]
    # s1: school A in Astana, urban, grade 3, a girl
    assert any(r[3:7] == ["Astana", "Urban", "Grades 0–4", "Girls"] for r in w1)


def test_the_signups_csv_is_for_staff_only(programme, client, login):
    login(programme.funder1)
    assert client.get("/reports/signups.csv").status_code == 403
