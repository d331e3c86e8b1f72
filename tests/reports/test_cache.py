"""The cached report: exactly right after a write, never another user's scope, 304 when unchanged."""
from __future__ import annotations

import pytest

from outreach.attendance import services as attendance
from outreach.extensions import db
from outreach.reports import services
from tests.conftest import PASSWORD, Csrf
from tests.reports import data


@pytest.fixture
def programme(app):
    return data.build()


def signed_in(app, user):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": Csrf.token(client)})
    assert response.status_code == 302
    return client


def test_figures_are_exactly_right_after_a_write(programme):
    p = programme
    assert services.impact_report(p.coordinator)["student_hours"] == 7.5
    assert services.impact_report(p.coordinator)["student_hours"] == 7.5  # the cached figures
    before = {row.name: row.minutes for row in services.school_table(p.coordinator).items}
    assert before["Мектеп Б"] == 150  # W2 s4 60 min, W5 s3 90 min
    w4 = p.workshops["W4"]
    attendance.record(w4.id, [p.students["s3"].id, p.students["s4"].id], actor=p.coordinator)
    # before the commit, this transaction sees its own write
    assert services.impact_report(p.coordinator)["student_hours"] == 9.0
    db.session.commit()
    report = services.impact_report(p.coordinator)
    assert report["student_hours"] == 9.0 and report["signups"] == 10
    after = {row.name: row.minutes for row in services.school_table(p.coordinator).items}
    assert after == {**before, "Мектеп Б": 240}  # and W4: s3 and s4 45 min each


def test_the_report_page_shows_a_write_at_once(programme, app):
    p = programme
    client = signed_in(app, p.coordinator)
    page = client.get("/reports/impact").get_data(as_text=True)
    assert "Мектеп Б" in page and client.get("/reports/impact").get_data(as_text=True) == page
    school = p.schools["B"]
    school.name = "Ұзынағаш мектебі"
    db.session.commit()
    page = client.get("/reports/impact").get_data(as_text=True)
    assert "Ұзынағаш мектебі" in page and "Мектеп Б" not in page


def test_cached_figures_never_cross_scopes(programme, app):
    p = programme
    coordinator, funder1, funder2 = (signed_in(app, u) for u in (p.coordinator, p.funder1, p.funder2))
    for _round in range(2):  # the second round is served from the caches
        full = coordinator.get("/reports/impact").get_data(as_text=True)
        one = funder1.get("/reports/impact").get_data(as_text=True)
        two = funder2.get("/reports/impact").get_data(as_text=True)
        assert "Мектеп А" in full  # the per-school table is the coordinator's alone
        assert "Song and kui" in one and "Dance" not in one and "Мектеп А" not in one
        assert "Dance" in two and "Song and kui" not in two and "Мектеп А" not in two
    # exact figures for the coordinator, suppressed for a funder, from the same cached counts
    assert services.impact_report(p.coordinator, initiative_id=p.i1.id)["suppression_threshold"] is None
    funded = services.impact_report(p.funder1, initiative_id=p.i1.id)
    assert funded["suppression_threshold"] is not None
    assert all(cell["suppressed"] for cell in funded["by_region"])


def test_an_unchanged_report_and_calendar_answer_304(programme, app):
    p = programme
    client = signed_in(app, p.coordinator)
    client.get("/reports/impact")  # the first page makes the session's CSRF secret
    for path in ("/reports/impact", "/calendar"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
        tag = first.headers["ETag"].strip('"')
        again = client.get(path, headers={"If-None-Match": f'"{tag}"'})
        assert again.status_code == 304 and not again.get_data()
        # another language is another page
        assert client.get(path + "?lang=ru", headers={"If-None-Match": f'"{tag}"'}).status_code == 200
        client.get(path + "?lang=en")
        p.schools["C"].locality = "Алматы қаласы"
        db.session.commit()
        changed = client.get(path, headers={"If-None-Match": f'"{tag}"'})
        assert changed.status_code == 200 and changed.headers["ETag"].strip('"') != tag


def test_the_calendar_feed_answers_304_until_a_workshop_changes(programme, app):
    p = programme
    client = app.test_client()
    url = f"/calendar/{p.coordinator.feed_token}.ics"
    first = client.get(url)
    assert first.status_code == 200 and "BEGIN:VCALENDAR" in first.get_data(as_text=True)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    p.workshops["W6"].venue = "Жаңа зал"  # the feed shows what is to come
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Жаңа зал" in changed.get_data(as_text=True)
