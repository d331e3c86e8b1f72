"""In Chromium, on a phone-sized screen: a coordinator creates a recurring series and takes attendance."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.attendance.models import Attendance
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups import services as signups
from outreach.workshops.models import Workshop
from outreach.workshops.rules import local_date
from tests.conftest import PASSWORD
from tests.factories import make_artist, make_initiative, make_school, make_student, make_user, make_venue

pytestmark = pytest.mark.browser


def test_coordinator_creates_a_series_and_takes_attendance(live_server, browser):
    coordinator = make_user("coordinator", locale="en")
    initiative = make_initiative(title={"en": "Swan Lake for Schools"})
    school = make_school()
    students = [make_student(school, first_name=name, last_name="Сейітова", grade=5)
                for name in ("Айару", "Дана", "Томирис")]
    make_artist("Айгерім Сәрсенова"), make_artist("Анна Ким"), make_venue("Opera rehearsal hall")
    db.session.commit()
    first = local_date(utcnow()) - timedelta(days=14)  # the first session is over, so its roster is open

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/login?lang=en")
    page.fill("input[name=email]", coordinator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/workshops/new-series")
    page.select_option("select[name=initiative_id]", str(initiative.id))
    page.fill("input[name=title_en]", "Ballet for beginners")
    page.fill("input[name=date]", first.isoformat())
    page.fill("input[name=time]", "09:30")
    page.fill("input[name=duration_minutes]", "60")
    page.fill("input[name=capacity]", "10")
    # the artist and the venue are picked from searchable lists: typing the Russian spelling finds the Kazakh one
    page.fill("input[aria-controls=venue_id]", "opera")
    page.fill("input[aria-controls=artist_id]", "Айгерим Сарс")
    assert page.eval_on_selector("select[name=artist_id]", "s => s.options[s.selectedIndex].text") == \
        "Айгерім Сәрсенова"
    page.click(f"label[for=weekdays-{first.weekday()}]")
    page.check("input[name=ends][value=count]")
    page.fill("input[name=count]", "3")
    page.get_by_role("button", name="Create the series").click()
    page.wait_for_load_state()
    assert "The series has been scheduled: 3 sessions." in page.inner_text("main")
    # the coordinator sees every date of the new series, and opens the first session
    assert page.locator("main ol.list-group li").count() == 3
    page.locator("main ol.list-group li a").first.click()
    page.wait_for_load_state()
    assert "Session 1 of 3" in page.inner_text("main")

    sessions = db.session.scalars(select(Workshop).order_by(Workshop.starts_at)).all()
    assert [local_date(s.starts_at) for s in sessions] == [first + timedelta(weeks=i) for i in range(3)]
    signups.register(sessions[0].id, [s.id for s in students], actor=coordinator)
    db.session.commit()

    page.reload()
    page.get_by_role("link", name="Take attendance").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Mark all present").click()
    assert page.inner_text("#attendance-count").strip() == "3 of 3 present"
    page.click("label:has-text('Дана')")  # she did not come
    assert page.inner_text("#attendance-count").strip() == "2 of 3 present"
    page.get_by_role("button", name="Save attendance").click()
    # the marks are kept on the phone, sent, and the page goes back to the workshop
    page.wait_for_url(f"{live_server}/workshops/{sessions[0].id}")
    main = page.inner_text("main")
    assert "Attendance saved: 2 students present, 1 absent." in main and "Completed" in main

    db.session.expire_all()
    rows = dict(db.session.execute(select(Attendance.signup_id, Attendance.present)).all())
    assert sorted(rows.values()) == [False, True, True]
    assert db.session.get(Workshop, sessions[0].id).status == "completed"
    assert errors == []
    context.close()
