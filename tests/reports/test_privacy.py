"""Funders see protected figures (API.md, "Funders see protected figures"): the four rules on a hand-built
programme (tests/reports/privacy_data.py), every surface a funder looks at, and a differencing attack."""
from __future__ import annotations

import csv
import io
import html
import re
from datetime import date
from itertools import product

import pytest
from flask import render_template

from outreach.extensions import db
from outreach.i18n import _, force_locale
from outreach.reports import exports, privacy
from outreach.reports.services import impact_report
from tests.reports import disclosure, privacy_data
from tests.reports.data import cells

LANGS = ("kk", "ru", "en")
MONTHS = ("2025-03", "2025-04", "2025-05")


@pytest.fixture
def small(app):
    return privacy_data.build()


def translated(app, lang: str, text: str, **values) -> str:
    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        return str(_(text, **values))


# -- the rules, one by one --------------------------------------------------------------------------

def test_halves_round_up_and_periods_snap_to_whole_months():
    assert [privacy.round_to(n, 5) for n in (10, 12, 12.5, 13, 57, 92.25, 67.5)] == [10, 10, 15, 15, 55, 90, 70]
    assert privacy.round_rate(0.9565) == 0.96 and privacy.round_rate(0.125) == 0.13
    assert privacy.snap_period(date(2026, 10, 15), date(2026, 10, 20)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert privacy.snap_period(date(2024, 2, 29), date(2024, 2, 3)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert privacy.snap_period(None, date(2026, 12, 2)) == (None, date(2026, 12, 31))


def test_which_cells_hide_and_why():
    small, other = privacy.SMALL, privacy.COMPLEMENTARY
    assert privacy.hidden_cells({"a": 50, "b": 4, "c": 3}, 10, 57) == {"b": small, "c": small}
    # alone, c could be worked out as the total minus a and b: the next smallest goes with it
    assert privacy.hidden_cells({"a": 50, "b": 30, "c": 5}, 10, 85) == {"b": other, "c": small}
    assert privacy.hidden_cells({"b": 20, "a": 20, "c": 2}, 10, 42) == {"a": other, "c": small}  # ties: by key
    assert privacy.hidden_cells({"a": 10, "b": 10}, 10, 20) == {}
    assert privacy.hidden_cells({"a": 6, "b": 3}, 10, 9) == {"a": small, "b": small}  # the total is small


def test_the_coordinator_sees_exact_figures(small):
    report = impact_report(small.coordinator)
    assert (report["students_reached"], report["signups"], report["student_hours"], report["schools_reached"],
            report["attendance_rate"]) == (57, 69, 92.25, 3, round(66 / 69, 4))
    assert report["suppression_threshold"] is None and report["rounding_base"] is None
    assert report["suppressed"] is False
    assert cells(report, "by_region") == {"KZ-11": 3, "KZ-19": 22, "KZ-71": 32}
    assert cells(report, "by_month") == {"2025-03": 54, "2025-04": 9, "2025-05": 3}


def test_a_funder_sees_rounded_figures_and_labelled_hidden_cells(small):
    report = impact_report(small.funder)
    # rule 4: counts to 5 (57 → 55, 69 → 70, 3 schools → 5), hours to 5 (92.25 → 90), the rate to whole per cent
    assert (report["students_reached"], report["signups"], report["student_hours"], report["schools_reached"],
            report["attendance_rate"]) == (55, 70, 90, 5, 0.96)
    assert (report["workshops_delivered"], report["regions_reached"], report["target_students"]) == (3, 3, 100)
    assert report["suppression_threshold"] == 10 and report["rounding_base"] == 5 and report["suppressed"] is False
    # rule 5: KZ-75, where a workshop was delivered to nobody from there, is listed as a small cell (0); with the
    # region of 3 children that makes two small cells, so no complementary one is needed (rule 3)
    assert cells(report, "by_region") == {"KZ-11": None, "KZ-19": 20, "KZ-71": 30, "KZ-75": None}
    why = {c["key"]: c["suppressed_because"] for c in report["by_region"]}
    assert why == {"KZ-11": "small", "KZ-19": None, "KZ-71": None, "KZ-75": "small"}
    # a cell of 22 hidden only to protect a cell of 1
    assert cells(report, "by_gender") == {"female": 35, "male": None, "unspecified": None}
    assert [c["suppressed_because"] for c in report["by_gender"]] == [None, "complementary", "small"]
    assert cells(report, "by_grade_band") == {"0-4": 35, "5-9": None, "10-11": None}
    assert cells(report, "by_settlement_type") == {"urban": 30, "rural": 25}
    # the month with 9 and the month with 3 are both small: no complementary cell is needed
    assert cells(report, "by_month") == {"2025-03": 55, "2025-04": None, "2025-05": None}
    assert {c["suppressed_because"] for c in report["by_month"] if c["suppressed"]} == {"small"}


def test_a_small_selection_hides_every_child_figure(small):
    for filters in ({"region": "KZ-11"}, {"date_from": date(2025, 4, 1), "date_to": date(2025, 4, 30)}):
        report = impact_report(small.funder, **filters)
        assert report["suppressed"] is True
        assert all(report[key] is None for key in disclosure.CHILD_FIGURES)
        # rule 2: not even which categories exist
        assert all(report[name] == [] for name in disclosure.BREAKDOWNS)
        assert report["workshops_delivered"] == 1 and report["target_students"] == 100
    # the coordinator still gets the 3 and the 9
    assert impact_report(small.coordinator, region="KZ-11")["students_reached"] == 3
    april = impact_report(small.coordinator, date_from=date(2025, 4, 1), date_to=date(2025, 4, 30))
    assert april["students_reached"] == 9


def test_a_period_inside_a_month_gives_the_whole_month(small, client):
    report = impact_report(small.funder, date_from=date(2025, 3, 10), date_to=date(2025, 3, 10))
    assert report["filters"]["from"] == "2025-03-01" and report["filters"]["to"] == "2025-03-31"
    whole = impact_report(small.funder, date_from=date(2025, 3, 1), date_to=date(2025, 3, 31))
    assert report == whole and report["students_reached"] == 55
    # March 10 to April 15 is March and April together
    wider = impact_report(small.funder, date_from=date(2025, 3, 10), date_to=date(2025, 4, 15))
    assert (wider["filters"]["from"], wider["filters"]["to"]) == ("2025-03-01", "2025-04-30")
    # the coordinator's period is not snapped
    assert impact_report(small.coordinator, date_from=date(2025, 3, 10),
                         date_to=date(2025, 3, 10))["filters"]["to"] == "2025-03-10"


def test_the_api_answers_a_funder_the_same_protected_figures(small, client):
    token = client.post("/api/v1/tokens", json={"email": small.funder.email, "password": "correct-horse-battery"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    answer = client.get("/api/v1/reports/impact?from=2025-03-10&to=2025-05-02", headers=headers).get_json()
    assert answer["filters"] == {"initiative_id": None, "region": None, "from": "2025-03-01", "to": "2025-05-31"}
    assert answer["students_reached"] == 55 and answer["suppressed"] is False and answer["rounding_base"] == 5
    assert {c["key"]: c["suppressed_because"] for c in answer["by_gender"]} == {
        "female": None, "male": "complementary", "unspecified": "small"}
    region = client.get("/api/v1/reports/impact?region=KZ-11", headers=headers).get_json()
    assert region["students_reached"] is None and region["signups"] is None and region["suppressed"] is True


# -- the attack --------------------------------------------------------------------------------------

def test_no_pair_of_funder_reports_gives_away_a_small_group(small):
    """Every (region, month) filter and its nesting: subtracting any two answers, or the shown cells from a
    total, never pins down a group of 1..9 children. (The contract promises exactly this: rounding leaves an
    interval of at least three possible values; it does not promise that bounds such as "0 to 7" stay
    unknown.)"""
    regions = [None, "KZ-71", "KZ-19", "KZ-11", "KZ-75"]
    months = [None, *MONTHS]
    published, exact = {}, {}
    for region, month in product(regions, months):
        dates = {} if month is None else dict(zip(("date_from", "date_to"),
                                                  (date.fromisoformat(d) for d in disclosure.month_bounds(month))))
        answer = impact_report(small.funder, region=region, **dates)
        truth = impact_report(small.coordinator, region=region, **dates)
        assert disclosure.small_counts_shown(answer) == []
        assert disclosure.cells_attack(answer, truth) == []
        published[(None, region, month)] = answer["students_reached"]
        exact[(None, region, month)] = truth["students_reached"]
    # the pairs include the attack: all regions minus one region, all time minus one month
    assert sum(1 for o, i in product(exact, repeat=2) if o != i and disclosure.contains(o, i)
               and 1 <= exact[o] - exact[i] <= 9) >= 3
    assert disclosure.differencing_attack(published, exact) == []


# -- every surface -----------------------------------------------------------------------------------

def _page(client, path: str, lang: str) -> str:
    response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _note(app, lang: str) -> str:
    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        from outreach.reports.presenter import protection_note
        return protection_note(10, 5)


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_page_shows_protected_figures_and_says_why(small, app, client, login, lang):
    login(small.funder)
    page = _page(client, "/reports/impact", lang)
    note = _note(app, lang)
    assert note in page.replace("&#34;", '"').replace("&#39;", "'")
    assert translated(app, lang, "How we protect children in these figures") in page
    assert 'href="/reports/privacy"' in page
    hidden = translated(app, lang, "hidden to protect another group")
    fewer = translated(app, lang, "fewer than %(threshold)s", threshold="10")
    assert hidden in page and fewer in page
    if lang != "en":
        assert hidden != "hidden to protect another group" and fewer != "fewer than 10"
    # month pickers, no day pickers
    assert re.search(r'<input[^>]*name="from"[^>]*type="month"|<input[^>]*type="month"[^>]*name="from"', page)
    assert 'type="date"' not in page
    # no exact figure anywhere: not 57, 69, 92.25, nor the 22 or the 3 of the hidden cells
    figures = dict(re.findall(r'<div class="stat-value">(.*?)</div>\s*<div class="stat-label[^"]*">(.*?)</div>',
                              page, re.S))
    assert {"55", "70", "90", "5"} <= {value.strip() for value in figures}
    main = re.search(r"<main.*?</main>", page, re.S).group(0)  # not the navbar, which names the signed-in user
    text = re.sub(r"<[^>]+>", " ", main)
    for exact in ("57", "69", "92,25", "92.25"):
        assert not re.search(r"(?<![\d.,])" + re.escape(exact) + r"(?![\d.,])", text), exact
    tables = re.findall(r'<table class="table table-sm align-middle mb-0 breakdown-table">.*?</table>', page, re.S)
    shown = {v.strip() for table in tables for v in re.findall(r'<td class="text-end">(.*?)</td>', table, re.S)}
    assert shown and not shown & {"22", "3", "1", "9", "34", "54", "32", "25"} - {"25"}  # exact cells never shown
    assert {"55", "35", "30", "25"} <= shown
    # the tile map's small regions say so, the one with no children from it (rule 5) like the one with 3
    assert len(re.findall(r'class="tile [^"]*tile-suppressed"[^>]*title="[^"]*' + re.escape(fewer), page)) >= 2


@pytest.mark.parametrize("lang", LANGS)
def test_a_group_hidden_to_protect_another_is_explained_in_one_plain_sentence_with_a_link(small, app, client,
                                                                                         login, lang):
    from outreach.reports.presenter import complementary_explained

    login(small.funder)
    page = _page(client, "/reports/impact", lang)
    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        sentence = str(complementary_explained())
    notes = re.findall(r'<p class="small text-body-secondary mb-1 complementary-note">(.*?)</p>', page, re.S)
    assert notes and all(html.unescape(n).strip().startswith(sentence) for n in notes)
    assert all('href="/reports/privacy#small-groups"' in n for n in notes)
    privacy_page = client.get(f"/reports/privacy?lang={lang}").get_data(as_text=True)
    assert 'id="small-groups"' in privacy_page
    coordinator = app.test_client()
    login(small.coordinator, c=coordinator)
    assert "complementary-note" not in coordinator.get(f"/reports/impact?lang={lang}").get_data(as_text=True)


def test_the_report_page_for_a_small_selection_shows_no_child_figure(small, client, login):
    login(small.funder)
    page = _page(client, "/reports/impact?region=KZ-11", "en")
    assert "Fewer than 10 students are in this selection" in page
    values = re.findall(r'<div class="stat-value">(.*?)</div>', page, re.S)
    assert "3" not in [v.strip() for v in values]
    # a funder's day filter is read as its month
    page = _page(client, "/reports/impact?from=2025-04-15&to=2025-04-15", "en")
    assert "April 2025" in page and 'value="2025-04"' in page
    assert "Fewer than 10 students are in this selection" in page


def test_the_coordinator_keeps_exact_figures_and_day_pickers(small, client, login):
    login(small.coordinator)
    page = _page(client, "/reports/impact", "en")
    assert 'type="date"' in page and 'type="month"' not in page
    assert "How we protect children in these figures" not in page
    assert "hidden to protect another group" not in page
    assert ">57<" in page.replace(" ", "")


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("lang", LANGS)
def test_the_exports_carry_the_same_protected_figures(small, app, client, login, lang):
    from openpyxl import load_workbook

    login(small.funder)
    note = _note(app, lang)
    hidden = translated(app, lang, "hidden to protect another group")
    fewer = translated(app, lang, "fewer than %(threshold)s", threshold="10")
    reached = translated(app, lang, "Students reached")

    rows = _csv_rows(client.get(f"/reports/impact.csv?lang={lang}").data)
    flat = [cell for row in rows for cell in row]
    assert note in flat
    assert any(row[1] == reached and row[3] == "55" for row in rows)
    assert hidden in flat and fewer in flat
    assert not {"57", "69", "92.25", "22", "54", "34"} & set(flat)  # (3 is the regions reached: exact)
    # no per-school table for a funder: no school's name
    assert not any("Мектеп" in cell for cell in flat)

    book = load_workbook(io.BytesIO(client.get(f"/reports/impact.xlsx?lang={lang}").data))
    values = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert note in values and hidden in values and 55 in values and 70 in values
    assert not {57, 69, 92.25, 22, 54, 34} & set(v for v in values if isinstance(v, (int, float)))
    assert not any(isinstance(v, str) and "Мектеп" in v for v in values)

    response = client.get(f"/reports/impact.pdf?lang={lang}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    # what the PDF is drawn from (WeasyPrint compresses its text)
    with app.test_request_context(f"/reports/impact?lang={lang}"):
        view, schools = exports.load(small.funder, {"initiative_id": None, "region": None, "date_from": None,
                                                     "date_to": None})
        html = render_template("reports/impact_pdf.html", view=view, schools=schools,
                               region_names=view.region_names, generated="")
    assert schools is None
    assert note in html.replace("&#34;", '"').replace("&#39;", "'") and hidden in html
    assert "/reports/privacy" in html


def test_initiative_pages_show_protected_progress(small, app, client, login):
    login(small.funder)
    for lang in LANGS:
        listing = _page(client, "/initiatives", lang)
        detail = _page(client, f"/initiatives/{small.initiative.id}", lang)
        for page in (listing, detail):
            assert _note(app, lang) in page.replace("&#34;", '"').replace("&#39;", "'")
            assert 'href="/reports/privacy"' in page
    listing = _page(client, "/initiatives", "en")
    detail = _page(client, f"/initiatives/{small.initiative.id}", "en")
    assert "55 of 100 students reached" in listing and "55 of 100 students reached" in detail
    assert "57" not in re.sub(r"<[^>]+>", " ", listing)
    # schools: the report's rounded figure (3 → 5), not the exact count
    assert re.search(r'<div class="stat-value">5</div>\s*<div class="stat-label[^"]*">Schools reached', detail)
    staff = app.test_client()
    login(small.coordinator, c=staff)
    assert "57 of 100 students reached" in _page(staff, "/initiatives", "en")


def test_an_initiative_under_the_threshold_hides_its_progress(app, client, login):
    from tests.factories import make_funder, make_initiative, make_user

    org = make_funder()
    make_initiative(funders=[org], target_students=40, title={"en": "Just begun"})
    funder = make_user("funder", funder=org)
    db.session.commit()
    login(funder)
    for path in ("/", "/initiatives"):
        page = _page(client, path, "en")
        assert "Students reached: fewer than 10, not shown to protect the children" in page
        assert "0 of 40" not in page


def test_the_funders_dashboard_shows_protected_progress(small, app, client, login):
    login(small.funder)
    for lang in LANGS:
        page = _page(client, "/", lang)
        assert _note(app, lang) in page.replace("&#34;", '"').replace("&#39;", "'")
    page = _page(client, "/", "en")
    assert "55 of 100 students reached" in page and "57" not in re.sub(r"<[^>]+>", " ", page)


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_that_explains_the_protection(app, client, lang):
    page = _page(client, "/reports/privacy", lang)  # no sign-in: a funder's board may read it
    title = translated(app, lang, "How we protect children in these figures")
    assert f"<h1" in page and title in page
    if lang != "en":
        assert title != "How we protect children in these figures"
    assert "10" in page and "5" in page
