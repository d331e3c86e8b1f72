"""In a real browser, a school's representative imports a class list from Excel and sees it on the roster."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from outreach.extensions import db
from tests.factories import PASSWORD, make_school, make_student, make_user
from tests.students.helpers import HEADERS, xlsx_bytes
from tests.clock import programme_today

pytestmark = pytest.mark.browser


def test_a_school_imports_an_excel_roster_and_sees_the_students(live_server, browser, tmp_path):
    school = make_school(name="Қарағанды №7 мектеп-лицейі")
    user = make_user("school", school=school, locale="kk")
    make_student(make_school(), first_name="Бөтен", last_name="Басқаев")  # another school's student
    db.session.commit()
    workbook = tmp_path / "5А сынып.xlsx"
    workbook.write_bytes(xlsx_bytes(HEADERS["kk"], [
        ["Сейітова", "Әлия", 5, "Ж", "Сейітова Гүлнар", "анасы"],
        ["Құрманов", "Ерлан", 5, "Е", "Құрманов Асқар", "әкесі"],
        ["Петрова", "Мария", "5Б", "әйел", "Петрова Ольга", "анасы"],
    ]))

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.goto(f"{live_server}/login?lang=en")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/students")
    page.get_by_role("link", name="Import from Excel or CSV").click()
    page.set_input_files("input[name=file]", str(workbook))
    held = []

    def slow_server(route):  # the server takes its time: the person sees that the file is on its way
        if route.request.method == "POST" and not held:
            held.append(1)
            page.wait_for_timeout(1500)
        route.continue_()

    page.route("**/students/import", slow_server)
    page.get_by_role("button", name="Check the file").click()
    status = page.locator("[data-upload-status]")
    status.wait_for(state="visible", timeout=5000)
    assert page.locator("[data-upload-status] progress").count() == 1
    assert page.get_by_role("button", name="Check the file").is_disabled()
    page.get_by_text("3 students are ready to be added").wait_for(timeout=15000)
    page.unroute("**/students/import")
    assert page.locator("table.import-rows tbody tr").count() == 3

    page.select_option("select[name=method]", "paper")
    page.fill("input[name=given_on]", (programme_today() - timedelta(days=7)).isoformat())
    page.check("input[name=confirmed]")
    page.get_by_role("button", name="Add the students").click()
    page.wait_for_url(f"{live_server}/students")

    assert page.get_by_text("3 students were added to the roster.").is_visible()
    roster = page.locator("table.roster-table tbody")
    for name in ("Сейітова Әлия", "Құрманов Ерлан", "Петрова Мария"):
        assert roster.get_by_role("link", name=name).is_visible(), name
    assert roster.locator("tr").count() == 3
    assert "Басқаев" not in page.content()

    roster.get_by_role("link", name="Құрманов Ерлан").click()
    assert page.get_by_text("Құрманов Асқар").is_visible()
    assert errors == []
    context.close()
