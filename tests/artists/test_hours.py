"""Teaching artists' delivered hours: the coordinators' pay sheet (page, CSV, XLSX) and the counts every reader
of an initiative sees (how many artists, how many hours), never an artist's contact details."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from openpyxl import load_workbook

from outreach.extensions import db
from tests.factories import make_artist, make_funder, make_initiative, make_user, make_workshop

UTC = timezone.utc


def _programme():
    """Two artists: Айгерім gave 90 + 60 minutes in October and 120 in November; a cancelled and a future
    workshop count for nothing; «=HYPERLINK» is a name a spreadsheet must not run."""
    initiative = make_initiative()
    aigerim = make_artist("Сәрсенова Айгерім", email="aigerim@example.org", phone="+7 701 000 00 00")
    formula = make_artist("=HYPERLINK(\"http://x\")")
    october, november = datetime(2026, 10, 5, 5, 0, tzinfo=UTC), datetime(2026, 11, 9, 5, 0, tzinfo=UTC)
    make_workshop(initiative=initiative, artist=aigerim, starts_at=october, duration_minutes=90)
    make_workshop(initiative=initiative, artist=aigerim, starts_at=october + timedelta(days=2), duration_minutes=60)
    make_workshop(initiative=initiative, artist=aigerim, starts_at=november, duration_minutes=120)
    make_workshop(initiative=initiative, artist=aigerim, starts_at=november + timedelta(days=1), duration_minutes=90,
                  status="cancelled")
    make_workshop(initiative=initiative, artist=aigerim, starts_at=datetime.now(UTC) + timedelta(days=30))
    make_workshop(initiative=initiative, artist=formula, starts_at=november, duration_minutes=45)
    db.session.commit()
    return initiative


PERIOD = "first=2026-10-01&last=2026-11-30"


def test_the_coordinator_sees_each_artists_delivered_hours_in_a_period(client, login):
    _programme()
    login("coordinator")
    page = client.get(f"/artists/hours?{PERIOD}&lang=en").get_data(as_text=True)
    assert "Сәрсенова Айгерім" in page
    # 90 + 60 + 120 minutes: 4.5 hours in three workshops; the cancelled and the future one are not counted
    row = page[page.index("Сәрсенова Айгерім"):].split("</tr>")[0]
    assert '<td class="text-end">3</td>' in row and '<td class="text-end">4.5</td>' in row
    assert "aigerim@example.org" not in page
    assert "/artists/hours.xlsx?" in page and "/artists/hours.csv?" in page
    assert "/artists/hours" in client.get("/artists").get_data(as_text=True)


def test_the_pay_sheet_downloads_list_every_artist_by_month(client, login):
    _programme()
    login("coordinator")
    response = client.get(f"/artists/hours.xlsx?{PERIOD}&lang=ru")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert rows[1] == ["Педагог", "Месяц", "Мастер-классы", "Часы"]
    assert ["Сәрсенова Айгерім", "2026-10", 2, 2.5] in rows and ["Сәрсенова Айгерім", "2026-11", 1, 2] in rows
    assert ["'=HYPERLINK(\"http://x\")", "2026-11", 1, 0.75] in rows    # not run as a formula

    text = client.get(f"/artists/hours.csv?{PERIOD}&lang=en").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Teaching artist", "Month", "Workshops", "Hours"]
    assert ["Сәрсенова Айгерім", "2026-10", "2", "2.5"] in table
    excel = client.get(f"/artists/hours.csv?{PERIOD}&for=excel&lang=ru").data.decode("utf-8-sig")
    assert "Сәрсенова Айгерім;2026-10;2;2,5" in excel
    assert "aigerim@example.org" not in text and "+7 701" not in text


def test_a_wrong_period_is_a_translated_error_that_keeps_what_was_typed(client, login):
    _programme()
    login("coordinator")
    response = client.get("/artists/hours?first=2026-11-30&last=2026-10-01&lang=ru")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Дата окончания не может быть раньше даты начала." in page
    assert 'value="2026-11-30"' in page and 'value="2026-10-01"' in page
    assert client.get("/artists/hours.csv?first=junk&lang=ru").status_code == 422


def test_everyone_who_reads_an_initiative_sees_how_many_artists_and_hours_it_used(client, login):
    funder = make_funder()
    initiative = _programme()
    initiative.funders.append(funder)
    db.session.commit()
    login(make_user("funder", funder=funder))
    page = client.get(f"/initiatives/{initiative.id}?lang=en").get_data(as_text=True)
    # two artists delivered; 90 + 60 + 120 + 45 minutes = 5.25 hours
    assert "Teaching artists: 2" in page and "Hours delivered: 5.25" in page
    assert "aigerim@example.org" not in page and "+7 701" not in page and "Сәрсенова" not in page
    assert client.get("/artists/hours").status_code == 403
