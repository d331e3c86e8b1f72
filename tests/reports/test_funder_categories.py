"""Issue 22, parts 3 and 4, played as the attacker did on the demo data: a hidden report tells no category
(API.md rule 2), a shown one lists every key (rule 5), and no page, export or API answer gives a funder a
workshop's count of children (seats taken, seats left, waitlist), so per-workshop counts cannot be summed."""
from __future__ import annotations

import csv
import io
import re

import pytest

from outreach.auth.models import User
from outreach.demo import DEMO_PASSWORD
from outreach.extensions import db
from outreach.workshops.models import Workshop
from tests.conftest import Csrf

HIDDEN = "/reports/impact.csv?initiative_id=1&region=KZ-47"
# every category label of a breakdown, in English (the client asks for English)
CATEGORIES = ("Girls", "Boys", "Gender not given", "Grades 0–4", "Grades 5–9", "Grades 10–11", "Urban", "Rural",
              "Kazakh", "Russian", "English")


def _sign_in(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": Csrf.token(client)})
    assert response.status_code == 302


def _token(client, email: str) -> dict[str, str]:
    answer = client.post("/api/v1/tokens", json={"email": email, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}", "Accept-Language": "en"}


def test_the_hidden_report_the_attacker_read_names_no_category(seeded, client):
    _sign_in(client, "funder@example.org")
    api = client.get("/api/v1/reports/impact?initiative_id=1&region=KZ-47", headers=_token(client, "funder@example.org"))
    report = api.get_json()
    assert report["suppressed"] is True
    assert all(report[name] == [] for name in ("by_region", "by_gender", "by_grade_band", "by_settlement_type",
                                               "by_month"))
    text = client.get(HIDDEN + "&lang=en").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows, text
    labels = {cell for row in rows for cell in row[:2]}  # (section, item, measure, value)
    assert not labels & set(CATEGORIES), labels & set(CATEGORIES)
    assert not [row for row in rows if len(row) > 1 and re.fullmatch(r"\w+ 20\d\d", row[1])]  # no month named
    assert "Fewer than 10 students are in this selection" in text
    page = client.get("/reports/impact?initiative_id=1&region=KZ-47&lang=en").get_data(as_text=True)
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    tables = re.findall(r'<table class="table table-sm align-middle mb-0 breakdown-table">.*?</table>', main, re.S)
    assert tables == []
    for fmt in ("xlsx", "pdf"):
        assert client.get(HIDDEN.replace(".csv", f".{fmt}")).status_code == 200
    xlsx = client.get(HIDDEN.replace(".csv", ".xlsx") + "&lang=en").get_data()
    from openpyxl import load_workbook  # optional heavy library, as in the exports
    values = {str(c.value) for sheet in load_workbook(io.BytesIO(xlsx)) for row in sheet.iter_rows() for c in row
              if c.value is not None}
    assert not values & set(CATEGORIES)


def test_a_shown_report_lists_every_key(seeded, client):
    headers = _token(client, "funder@example.org")
    report = client.get("/api/v1/reports/impact", headers=headers).get_json()
    assert report["suppressed"] is False
    assert [c["key"] for c in report["by_gender"]] == ["female", "male", "unspecified"]
    assert [c["key"] for c in report["by_grade_band"]] == ["0-4", "5-9", "10-11"]
    assert [c["key"] for c in report["by_settlement_type"]] == ["urban", "rural"]
    months = [c["key"] for c in report["by_month"]]
    year, month = (int(p) for p in months[0].split("-"))
    expected = []
    while len(expected) < len(months):
        expected.append(f"{year:04d}-{month:02d}")
        year, month = year + month // 12, month % 12 + 1
    assert months == expected  # every month, none skipped
    # a key with no students is hidden like a small cell, never left out (one-key breakdowns were the leak)
    for name in ("by_gender", "by_grade_band", "by_settlement_type", "by_month", "by_region"):
        for cell in report[name]:
            assert cell["suppressed"] == (cell["students_reached"] is None)
            assert cell["students_reached"] is None or cell["students_reached"] >= 10


def test_no_funder_answer_has_a_one_key_breakdown(seeded, client):
    """The attacker counted 160 of 630 answers with a one-key breakdown; now a shown answer always lists every
    key of the fixed breakdowns, and a hidden one lists none."""
    headers = _token(client, "funder@example.org")
    regions = ("KZ-47", "KZ-75", "KZ-11", None)
    for initiative in (None, 1, 2):
        for region in regions:
            query = "&".join(f"{k}={v}" for k, v in (("initiative_id", initiative), ("region", region)) if v)
            report = client.get(f"/api/v1/reports/impact?{query}", headers=headers).get_json()
            if "suppressed" not in report:
                continue  # not this funder's initiative
            for name, size in (("by_gender", 3), ("by_grade_band", 3), ("by_settlement_type", 2)):
                assert len(report[name]) == (0 if report["suppressed"] else size), (query, name)


def test_funders_get_no_seat_or_waitlist_counts(seeded, client):
    headers = _token(client, "funder@example.org")
    listed = client.get("/api/v1/workshops?per_page=100", headers=headers).get_json()["items"]
    assert listed
    assert all(w["seats_taken"] is None and w["waitlist_length"] is None for w in listed)
    one = client.get(f"/api/v1/workshops/{listed[0]['id']}", headers=headers).get_json()
    assert one["seats_taken"] is None and one["waitlist_length"] is None
    # the coordinator still gets them
    staff = client.get(f"/api/v1/workshops/{listed[0]['id']}", headers=_token(client, "coordinator@example.org"))
    assert isinstance(staff.get_json()["seats_taken"], int)


def test_no_page_shows_a_funder_a_workshops_count_so_none_can_be_summed(seeded, client):
    funder = db.session.scalar(db.select(User).where(User.email == "funder@example.org"))
    _sign_in(client, funder.email)
    workshops = db.session.scalars(db.select(Workshop).where(Workshop.seats_taken > 0)).all()
    seen = [w for w in workshops if client.get(f"/workshops/{w.id}").status_code == 200]
    assert seen, "the demo funder sees workshops with sign-ups"
    phrases = re.compile(r"seats? taken|seats? left|on the waitlist|\bconfirmed\b|\bFull\b", re.I)
    pages = [f"/workshops/{w.id}" for w in seen[:5]]
    pages += ["/"] + [f"/initiatives/{i}" for i in {w.initiative_id for w in seen}]
    for path in pages:
        page = client.get(path, query_string={"lang": "en"}).get_data(as_text=True)
        assert 'lang="en"' in page
        main = re.search(r"<main.*?</main>", page, re.S).group(0)
        text = re.sub(r"<[^>]+>", " ", main)
        assert not phrases.search(text), (path, phrases.search(text).group(0))
    # what the attacker did: 9 confirmed, 3 seats left on /workshops/4
    page = client.get(f"/workshops/{seen[0].id}?lang=en").get_data(as_text=True)
    assert f"{seen[0].capacity} seats" in page


@pytest.mark.parametrize("path", ["/workshops/{id}"])
def test_the_coordinator_still_sees_the_seats(seeded, client, path):
    _sign_in(client, "coordinator@example.org")
    w = db.session.scalars(db.select(Workshop).where(Workshop.seats_taken > 0)).first()
    page = client.get(path.format(id=w.id), query_string={"lang": "en"}).get_data(as_text=True)
    assert "seats taken" in page and "confirmed" in page
