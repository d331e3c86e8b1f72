"""School periods on the report: the school year, its four terms and two halves, one click each."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest

from outreach.reports.periods import parse_terms, presets, school_year_of
from tests.reports import data

TERMS = "09-01/10-24,11-03/12-26,01-08/03-13,03-25/05-25"


def test_the_school_year_runs_from_september_and_its_terms_cross_the_new_year():
    assert school_year_of(date(2026, 12, 7)) == 2026 and school_year_of(date(2027, 6, 10)) == 2026
    assert school_year_of(date(2027, 9, 1)) == 2027
    found = {p.key: (p.start, p.end) for p in presets(date(2026, 12, 7), TERMS)}
    assert found["2026-year"] == (date(2026, 9, 1), date(2027, 5, 25))
    assert found["2026-t2"] == (date(2026, 11, 3), date(2026, 12, 26))
    assert found["2026-t3"] == (date(2027, 1, 8), date(2027, 3, 13))
    assert found["2026-h1"] == (date(2026, 9, 1), date(2026, 12, 26))
    assert found["2026-h2"] == (date(2027, 1, 8), date(2027, 5, 25))
    assert found["2025-year"] == (date(2025, 9, 1), date(2026, 5, 25))


@pytest.mark.parametrize("setting", ["09-01/10-24", "nonsense", "09-01/10-24,11-03/12-26,01-08/03-13,03-25"])
def test_a_wrong_terms_setting_is_refused(setting):
    with pytest.raises(ValueError):
        parse_terms(setting)


@pytest.fixture
def programme(app):
    return data.build()


def _presets(page: str) -> dict[str, tuple[str, bool]]:
    nav = re.search(r'<nav[^>]*report-presets.*?</nav>', page, re.S).group(0)
    return {html.unescape(label).strip(): (html.unescape(href), "aria-current" in attrs)
            for href, attrs, label in re.findall(r'<a class="btn[^"]*" href="([^"]+)"([^>]*)>([^<]+)</a>', nav)}


def test_a_coordinator_picks_a_term_in_one_click_and_the_report_says_which(programme, client, login):
    login(programme.coordinator)
    page = client.get(f"/reports/impact?lang=ru&region=KZ-75&initiative_id={programme.i1.id}").get_data(as_text=True)
    links = _presets(page)
    assert {"1-я четверть", "2-я четверть", "3-я четверть", "4-я четверть", "1-е полугодие",
            "2-е полугодие"} <= set(links)
    href, active = links["2-я четверть"]
    assert not active and "region=KZ-75" in href and f"initiative_id={programme.i1.id}" in href
    term = client.get(href).get_data(as_text=True)
    assert _presets(term)["2-я четверть"][1]  # marked as the chosen one
    subtitle = html.unescape(re.search(r'report-subtitle">(.*?)</p>', term, re.S).group(1))
    assert re.search(r"3 нояб\w*\.? 2026\D+26 дек\w*\.? 2026", subtitle), subtitle


def test_a_funders_term_covers_its_whole_months(programme, client, login):
    login(programme.funder1)
    page = client.get("/reports/impact?lang=kk").get_data(as_text=True)
    href, _active = _presets(page)["2-тоқсан"]
    term = client.get(href).get_data(as_text=True)
    subtitle = html.unescape(re.search(r'report-subtitle">(.*?)</p>', term, re.S).group(1))
    assert "қараша 2026" in subtitle.lower() and "желтоқсан 2026" in subtitle.lower()
