"""Small-cell suppression for funders: threshold, complementary suppression, a total under the threshold."""
from __future__ import annotations

import re

import pytest

from outreach.extensions import db
from outreach.reports.services import impact_report, suppress
from tests.factories import make_funder, make_user
from tests.reports import data
from tests.reports.data import cells


def hidden(result: dict) -> set:
    return {key for key, (value, suppressed) in result.items() if suppressed and value is None}


def test_exact_figures_without_a_threshold():
    assert suppress({"a": 1, "b": 2}, None, 3) == {"a": (1, False), "b": (2, False)}


def test_cells_under_the_threshold_are_hidden():
    result = suppress({"a": 50, "b": 4, "c": 3}, 10, 57)
    assert hidden(result) == {"b", "c"}
    assert result["a"] == (50, False)


def test_a_single_hidden_cell_takes_the_next_smallest_with_it():
    # alone, c could be worked out as the total minus a and b
    result = suppress({"a": 50, "b": 30, "c": 5}, 10, 85)
    assert hidden(result) == {"b", "c"}
    assert result["a"] == (50, False)


def test_ties_for_the_next_smallest_are_broken_by_key():
    assert hidden(suppress({"b": 20, "a": 20, "c": 2}, 10, 42)) == {"a", "c"}


def test_two_cells_one_small_hides_both():
    assert hidden(suppress({"urban": 12, "rural": 3}, 10, 15)) == {"urban", "rural"}


def test_a_total_under_the_threshold_hides_every_cell():
    assert hidden(suppress({"a": 6, "b": 3}, 10, 9)) == {"a", "b"}
    assert hidden(suppress({"a": 9}, 10, 9)) == {"a"}


def test_cells_at_the_threshold_are_shown():
    assert hidden(suppress({"a": 10, "b": 10}, 10, 20)) == set()


@pytest.fixture
def programme(app):
    return data.build()


def test_a_funder_sees_the_report_suppressed(programme, app, monkeypatch):
    monkeypatch.setitem(app.config, "SUPPRESSION_THRESHOLD", 2)
    both = make_funder(name="Екі бастаманың қоры")
    programme.i1.funders = [programme.f1, both]
    programme.i2.funders = [programme.f2, both]
    funder = make_user("funder", funder=both)
    db.session.commit()
    report = impact_report(funder)
    assert report["suppression_threshold"] == 2
    assert report["students_reached"] == 5  # the total itself is exact
    # KZ-75 has 1 (< 2): hidden, and with it the next smallest, KZ-19 (2, tied with KZ-71, first by code)
    assert cells(report, "by_region") == {"KZ-19": None, "KZ-71": 2, "KZ-75": None}
    assert {c["key"] for c in report["by_region"] if c["suppressed"]} == {"KZ-19", "KZ-75"}
    # unspecified has 1: hidden, and the next smallest of female 2 / male 2 (female first)
    assert cells(report, "by_gender") == {"female": None, "male": 2, "unspecified": None}
    # no cell under 2: nothing hidden
    assert cells(report, "by_settlement_type") == {"urban": 3, "rural": 2}
    # months: only May (1) is small, so the next smallest, March (2), goes too
    assert cells(report, "by_month") == {"2025-03": None, "2025-04": 3, "2025-05": None}
    # the coordinator sees every number
    assert cells(impact_report(programme.coordinator), "by_region") == {"KZ-19": 2, "KZ-71": 2, "KZ-75": 1}


def test_the_page_words_suppressed_cells_and_never_shows_their_number(programme, app, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "SUPPRESSION_THRESHOLD", 10)
    login(programme.funder1)
    page = client.get("/reports/impact?lang=en").get_data(as_text=True)
    assert "fewer than 10" in page
    table = re.search(r'<table class="table table-sm align-middle mb-0 breakdown-table">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", table, re.S)
    reached = [re.findall(r'<td class="text-end">(.*?)</td>', row, re.S) for row in rows]
    assert len(rows) == 3  # Astana, Almaty Region, Almaty: 4 students, under the threshold
    for students, share in reached:
        assert "fewer than 10" in students and share == ""  # no number, no share to work one out from
