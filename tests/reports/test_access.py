"""Who sees what: funders only their initiatives (another's is 404 on the page and every export),
only aggregates; schools not at all; coordinators every initiative and the per-school table."""
from __future__ import annotations

import pytest

from outreach.extensions import db
from tests.factories import make_user
from tests.reports import data

EXPORTS = ("csv", "xlsx", "pdf")


@pytest.fixture
def programme(app):
    return data.build()


def test_another_funders_initiative_is_not_found_anywhere(programme, client, login):
    login(programme.funder1)
    other = programme.i2.id
    assert client.get(f"/reports/impact?initiative_id={other}").status_code == 404
    for fmt in EXPORTS:
        assert client.get(f"/reports/impact.{fmt}?initiative_id={other}").status_code == 404, fmt
    assert client.get("/reports/impact?initiative_id=987654").status_code == 404
    mine = client.get(f"/reports/impact?initiative_id={programme.i1.id}")
    assert mine.status_code == 200


def test_a_funder_chooses_only_among_its_initiatives(programme, client, login):
    login(programme.funder1)
    page = client.get("/reports/impact?lang=en").get_data(as_text=True)
    assert "Song and kui" in page and "Dance" not in page


def test_a_funder_sees_no_child_and_no_school_table(programme, client, login):
    login(programme.funder1)
    names = [s.first_name for s in programme.students.values()]
    for url in ("/reports/impact?lang=kk", "/reports/impact.csv", "/reports/impact.xlsx"):
        body = client.get(url).get_data()
        for name in names:
            assert name.encode() not in body, (url, name)
    page = client.get("/reports/impact?lang=en").get_data(as_text=True)
    assert "Мектеп А" not in page and "without names (CSV)" not in page
    assert client.get("/reports/signups.csv").status_code == 403


def test_a_school_gets_403_for_the_report_and_its_exports(programme, client, login):
    login(make_user("school", school=programme.schools["A"]))
    assert client.get("/reports/impact").status_code == 403
    for fmt in EXPORTS:
        assert client.get(f"/reports/impact.{fmt}").status_code == 403
    assert client.get("/reports/signups.csv").status_code == 403


def test_a_coordinator_sees_every_initiative_and_the_schools(programme, client, login):
    login(programme.coordinator)
    page = client.get("/reports/impact?lang=en").get_data(as_text=True)
    assert "Song and kui" in page and "Dance" in page
    # the per-school table: school A has s1 s2 reached, 5 sign-ups (W1 2, W2 1, W5 1, ... ) and a totals row
    assert "Мектеп А" in page and "Мектеп Б" in page and "Мектеп В" in page
    assert "All 3 schools" in page
    assert client.get(f"/reports/impact?initiative_id={programme.i2.id}").status_code == 200


def test_invalid_filters_are_shown_on_the_form(programme, client, login):
    login(programme.coordinator)
    response = client.get("/reports/impact?from=2025-05-01&to=2025-04-01&lang=en")
    assert response.status_code == 422
    assert "The end of the period is before its start." in response.get_data(as_text=True)
    response = client.get("/reports/impact?from=not-a-date&lang=en")
    assert response.status_code == 422
    assert 'value="not-a-date"' in response.get_data(as_text=True)  # what was typed stays
    assert client.get("/reports/impact?region=KZ-00").status_code == 422
    assert client.get("/reports/impact.csv?from=yesterday").status_code == 422
