"""Black-box, through the HTTP API with the demo data: the demo funder's every answer is the coordinator's exact
answer put through the contract's four rules (tests/reports/disclosure.py writes them out on its own), no
answer shows a child count of 1..9, a period inside a month gives the whole month, and subtracting answers
gives no small group away."""
from __future__ import annotations

from datetime import date

from outreach.demo import DEMO_PASSWORD
from tests.reports import disclosure

REGIONS = ("KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39", "KZ-43",
           "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79")


def _headers(client, email: str) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}", "Accept-Language": "en"}


def _get(client, headers, **filters) -> dict:
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v is not None)
    response = client.get(f"/api/v1/reports/impact?{query}", headers=headers)
    assert response.status_code == 200, (filters, response.get_json())
    return response.get_json()


def _funders_exact(region, start, end) -> dict:
    from outreach.auth.models import User
    from outreach.extensions import db
    from outreach.reports import services

    funder = db.session.scalar(db.select(User).where(User.email == "funder@example.org"))
    scope = services.build_scope(funder, region=region, date_from=date.fromisoformat(start) if start else None,
                                 date_to=date.fromisoformat(end) if end else None)
    return services.report_for_scope(scope, filters={})


def test_the_demo_funder_sees_exactly_the_protected_figures(seeded, client):
    funder = _headers(client, "funder@example.org")
    coordinator = _headers(client, "coordinator@example.org")
    initiatives = [i["id"] for i in client.get("/api/v1/initiatives?per_page=200", headers=funder)
                   .get_json()["items"]]
    assert len(initiatives) >= 2
    # every month with a delivered workshop of the funder's, and one before the programme began
    months = sorted({c["key"] for i in initiatives for c in _get(client, coordinator, initiative_id=i)["by_month"]})
    first = date.fromisoformat(months[0] + "-01")
    months.append(f"{first.year - 1}-{first.month:02d}")
    assert len(months) >= 3

    published, exact, compared, suppressed_answers = {}, {}, 0, 0
    for initiative in (None, *initiatives):
        for region in (None, *REGIONS):
            for month in (None, *months):
                start, end = disclosure.month_bounds(month) if month else (None, None)
                filters = {"initiative_id": initiative, "region": region, "from": start, "to": end}
                answer = _get(client, funder, **filters)
                if initiative is None:
                    # all the funder's initiatives together: no coordinator filter asks exactly this, so the
                    # truth for the checks below is counted inside
                    truth = _funders_exact(region, start, end)
                else:
                    truth = _get(client, coordinator, **filters)
                    assert disclosure.comparable(answer) == disclosure.expected_for_funder(
                        truth, None if answer["suppressed"] else disclosure.all_keys(truth, answer)), filters
                assert answer["filters"] == {"initiative_id": initiative, "region": region, "from": start, "to": end}
                assert disclosure.small_counts_shown(answer) == [], filters
                assert disclosure.cells_attack(answer, truth) == [], filters
                published[(initiative, region, month)] = answer["students_reached"]
                exact[(initiative, region, month)] = truth["students_reached"]
                compared += 1
                suppressed_answers += answer["suppressed"]
    # the demo data has both small selections (hidden whole) and larger ones (rounded)
    assert compared == (1 + len(initiatives)) * 21 * (1 + len(months))
    assert 0 < suppressed_answers < compared
    assert any(v is not None and v >= 10 for v in published.values())
    # subtracting any two nested answers (all regions minus one region, all time minus one month, all
    # initiatives minus one) never pins down a group of 1..9 children
    nested_small = sum(1 for outer in exact for inner in exact if outer != inner
                       and disclosure.contains(outer, inner) and 1 <= exact[outer] - exact[inner] <= 9)
    assert nested_small > 0  # the attack has material to work on
    assert disclosure.differencing_attack(published, exact) == []


def test_a_period_inside_a_month_gives_the_whole_month(seeded, client):
    funder = _headers(client, "funder@example.org")
    coordinator = _headers(client, "coordinator@example.org")
    month = sorted(c["key"] for c in _get(client, coordinator)["by_month"])[-1]
    start, end = disclosure.month_bounds(month)
    few_days = _get(client, funder, **{"from": f"{month}-10", "to": f"{month}-12"})
    whole = _get(client, funder, **{"from": start, "to": end})
    assert few_days == whole
    assert few_days["filters"]["from"] == start and few_days["filters"]["to"] == end
