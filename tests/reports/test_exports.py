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
from tests.conftest import Csrf
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


def csv_rows(body: bytes, delimiter: str = ",") -> list[list[str]]:
    """The report's CSV: one table, every row section, item, measure, value."""
    assert body.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))
    assert all(len(row) == 4 for row in rows), [row for row in rows if len(row) != 4][:3]
    return rows


def section(rows: list[list[str]], title: str) -> list[list[str]]:
    return [row[1:] for row in rows if row[0] == title]


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
    rows = csv_rows(client.get(f"/reports/impact.csv?lang={lang}").data)
    assert rows[0] == [translated(app, lang, t) for t in ("Section", "Item", "Measure", "Value")]
    value = translated(app, lang, "Value")
    csv_figures = {item: number for item, measure, number in section(rows, translated(app, lang, "Figures"))
                   if measure == value}
    for name, label in labels.items():
        assert formatted(app, lang, name, csv_figures[label]) == page[label], (lang, name)
    region = section(rows, translated(app, lang, "Students reached by region"))
    names = {"kk": "Астана", "ru": "Астана", "en": "Astana"}
    assert [names[lang], labels["Students reached"], "2"] in region
    assert [names[lang], translated(app, lang, "Share of students reached"), "0.4"] in region

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


@pytest.mark.parametrize("lang,point", [("ru", ","), ("kk", ","), ("en", ".")])
def test_the_csv_for_excel_uses_semicolons_and_the_languages_decimal_sign(programme, app, client, login, lang, point):
    login(programme.coordinator)
    response = client.get(f"/reports/impact.csv?lang={lang}&for=excel")
    assert "excel" in response.headers["Content-Disposition"]
    rows = csv_rows(response.data, delimiter=";")
    region = section(rows, translated(app, lang, "Students reached by region"))
    names = {"kk": "Астана", "ru": "Астана", "en": "Astana"}
    assert [names[lang], translated(app, lang, "Share of students reached"), f"0{point}4"] in region
    plain = csv_rows(client.get(f"/reports/impact.csv?lang={lang}").data)
    assert [row[:3] for row in plain] == [row[:3] for row in rows]  # the same table, only written for Excel


def test_the_page_offers_the_csv_for_excel(programme, client, login):
    login(programme.coordinator)
    page = client.get("/reports/impact?lang=ru").get_data(as_text=True)
    assert re.search(r'href="/reports/impact\.csv\?[^"]*for=excel[^"]*"[^>]*>CSV для Excel<', page)


def test_the_pdf_says_whose_report_it_is_with_the_filters_and_when_it_was_made(programme, app, client, login):
    from pypdf import PdfReader

    def first_page(path):
        response = client.get(path)
        assert response.status_code == 200
        return " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())

    login(programme.funder1)
    text = first_page("/reports/impact.pdf?lang=ru&from=2025-06&to=2025-08")
    assert "Подготовлено для: Дала қоры" in text
    assert translated(app, "ru", "Period") in text and "июнь 2025" in text
    assert "Сформировано:" in text
    client.post("/logout", data={"csrf_token": Csrf.token(client, "/account")})
    login(programme.coordinator)
    assert "Все инициативы программы" in first_page("/reports/impact.pdf?lang=ru")


def test_the_target_is_shown_as_progress_only_for_the_whole_initiative(programme, app, client, login):
    login(programme.coordinator)
    whole = client.get(f"/reports/impact?lang=en&initiative_id={programme.i1.id}").get_data(as_text=True)
    card = whole[whole.index("target-card"):][:1500]
    assert re.search(r"\d+ of 100 students", card) and 'role="progressbar"' in card
    narrowed = client.get(f"/reports/impact?lang=en&initiative_id={programme.i1.id}&region=KZ-71")
    card = narrowed.get_data(as_text=True)
    card = card[card.index("target-card"):][:1500]
    assert "of 100 students" not in card and 'role="progressbar"' not in card
    assert "The target of the whole initiative, 100 students, is not divided by region or period." in card
    rows = csv_rows(client.get(f"/reports/impact.csv?lang=en&initiative_id={programme.i1.id}&from=2025-06-01").data)
    assert ["Figures", "Target of the whole initiative (students)", "Value", "100"] in rows


def test_a_funders_exports_are_suppressed_like_the_page(programme, app, client, login):
    login(programme.funder1)
    page = client.get("/reports/impact?lang=en").get_data(as_text=True)
    rows = csv_rows(client.get("/reports/impact.csv?lang=en").data)
    # the whole selection is small: no breakdown, not even its categories (API.md rule 2)
    assert not section(rows, "Students reached by region")
    assert [(m, n[:29]) for _i, m, n in section(rows, "Breakdowns")] == [("Value", "Fewer than 10 students are in")]
    assert "fewer than 10" in page
    assert not section(rows, "Schools")  # no per-school table for funders
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/reports/impact.xlsx?lang=en").data))
    assert "Schools" not in book.sheetnames
    texts = [c.value for row in book["Breakdowns"].iter_rows() for c in row]
    assert any(str(t).startswith("Fewer than 10 students are in this selection") for t in texts)
    assert "Girls" not in texts and "Urban" not in texts


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


def test_the_month_not_yet_over_is_marked_so_far_not_drawn_as_a_drop(programme, app, client, login):
    from datetime import datetime, timedelta, timezone

    from outreach.attendance import services as attendance
    from outreach.signups import services as signups

    school = make_school(region_code="KZ-75")
    students = [make_student(school, grade=3) for _ in range(2)]
    started = datetime.now(timezone.utc) - timedelta(hours=2)
    workshop = make_workshop(initiative=programme.i1, starts_at=started, duration_minutes=60)
    signups.register(workshop.id, [s.id for s in students], actor=programme.coordinator)
    attendance.record(workshop.id, [s.id for s in students], actor=programme.coordinator)
    db.session.commit()
    login(programme.coordinator)
    page = client.get("/reports/impact?lang=en").get_data(as_text=True)
    section_html = page[page.index('id="h-by_month"'):page.index('id="h-by_settlement_type"')]
    with app.test_request_context("/?lang=en"):
        from flask_babel import format_date
        month = format_date(started.date(), "LLLL y")
    assert f"{month} (so far)" in section_html  # the table's row
    assert 'class="partial"' in section_html and 'stroke-dasharray="5 4"' in section_html  # the chart's last step
    assert section_html.count("(so far)") >= 2  # and its axis label
