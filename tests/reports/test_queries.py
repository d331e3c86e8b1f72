"""The report page runs the same number of queries whatever the amount of data."""
from __future__ import annotations

from datetime import timedelta

from outreach.attendance import services as attendance
from outreach.extensions import db
from outreach.signups import services as signups
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop
from tests.reports.data import local


def programme(workshops: int):
    coordinator = make_user("coordinator")
    funder = make_funder()
    initiatives = [make_initiative(funders=[funder]), make_initiative()]
    schools = [make_school(region_code=code, settlement_type=kind)
               for code, kind in (("KZ-71", "urban"), ("KZ-19", "rural"), ("KZ-61", "rural"))]
    students = [make_student(schools[i % 3], grade=i % 12, gender=("female", "male", "unspecified")[i % 3])
                for i in range(12)]
    for n in range(workshops):
        workshop = make_workshop(initiative=initiatives[n % 2], starts_at=local(2025, 3, 1, 10) + timedelta(days=7 * n),
                                 language=("kk", "ru", "en")[n % 3])
        chosen = [students[(n + k) % 12].id for k in range(4)]
        signups.register(workshop.id, chosen, actor=coordinator)
        attendance.record(workshop.id, chosen[:3], actor=coordinator)
    db.session.commit()
    return coordinator, make_user("funder", funder=funder)


def queries_for(count_queries, client, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_page_queries_do_not_grow_with_data(app, login, count_queries):
    from tests.conftest import _clean

    counts = {}
    for workshops in (5, 50):
        _clean(app)
        coordinator, funder = programme(workshops)
        staff, funding = app.test_client(), app.test_client()
        login(coordinator, c=staff)
        login(funder, c=funding)
        counts[workshops] = [queries_for(count_queries, staff, "/reports/impact?lang=ru"),
                             queries_for(count_queries, funding, "/reports/impact?lang=kk"),
                             queries_for(count_queries, staff, "/reports/impact.csv"),
                             queries_for(count_queries, funding, "/reports/impact.pdf")]
        db.session.remove()
    assert counts[5] == counts[50], counts
    assert counts[5][0] <= 20, counts  # a fixed handful: the report, the schools, the form's choices
