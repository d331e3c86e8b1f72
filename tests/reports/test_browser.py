"""A real browser renders the impact report as the demo funder, in Kazakh and in Russian."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_demo_funder_sees_the_report(live_server, browser, seeded, lang):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server}/login?lang={lang}")
    page.fill("input[name=email]", "funder@example.org")
    page.fill("input[name=password]", seeded.DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.click("button.navbar-toggler")
    page.click("#mainnav a[href='/reports/impact']")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(".stat-card").count() == 9  # eight figures (average hours per student too) and the progress toward the target
    charts = page.locator("svg.report-chart[role=img]")
    assert charts.count() == 8  # one per breakdown (hours each student attended the seventh) and the outcomes
    assert all(charts.nth(i).locator("title").first.text_content() for i in range(charts.count()))
    assert page.locator(".tile-map [role=listitem]").count() == 20
    # the demo has a few hundred students: most of a funder's cells are suppressed, and say so
    assert page.locator(".tile-suppressed").count() > 0
    # the table beside a chart opens without JavaScript of ours
    details = page.locator("details").first
    details.locator("summary").click()
    assert details.locator("table tbody tr").count() > 0
    # no per-school table for a funder, and the exports answer
    assert page.locator("#h-schools").count() == 0
    hrefs = [page.locator(".report-exports a").nth(i).get_attribute("href")
             for i in range(page.locator(".report-exports a").count())]
    assert {h.split("?")[0].rsplit(".", 1)[1] for h in hrefs} == {"pdf", "xlsx", "csv"} and len(hrefs) == 4
    for href in hrefs:  # the CSV twice: as it is, and for Excel
        assert page.request.get(f"{live_server}{href}").status == 200
    # choosing an initiative filters the report
    page.select_option("select[name=initiative_id]", index=1)
    page.click("form.report-filters button[type=submit]")
    page.wait_for_load_state()
    assert "initiative_id=" in page.url
    assert errors == [], errors
    context.close()


def test_the_report_filters_apply_without_a_button(live_server, browser, seeded):
    """A funder on a phone chooses a region and the report follows; the form said so beforehand."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/login?lang=kk")
    page.fill("input[name=email]", "funder@example.org")
    page.fill("input[name=password]", seeded.DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/reports/impact?lang=kk")
    assert page.locator("#filters-note").inner_text().strip()
    with page.expect_navigation():
        page.select_option("select[name=region]", index=2)
    assert "region=" in page.url
    assert page.locator("select[name=region]").input_value() != ""
    context.close()
