"""Lists: ?page= and ?per_page= (default 50, clamped to 200), {items, page, per_page, total}."""
from __future__ import annotations

import pytest

from outreach.extensions import db
from outreach.funders.models import Funder
from tests.api.conftest import error_of


@pytest.fixture
def coordinator():
    from tests.factories import make_user

    user = make_user("coordinator")
    db.session.commit()
    return user


@pytest.fixture
def funders():
    db.session.add_all(Funder(name=f"Қор {n:03d}") for n in range(230))
    db.session.commit()


def test_default_page_is_the_first_fifty(api, coordinator, funders):
    body = api.get("/funders", as_=coordinator).get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 230)
    assert [f["name"] for f in body["items"]] == [f"Қор {n:03d}" for n in range(50)]


def test_pages_follow_each_other_without_gaps_or_repeats(api, coordinator, funders):
    seen = []
    for page in (1, 2, 3):
        body = api.get(f"/funders?page={page}&per_page=100", as_=coordinator).get_json()
        assert body["page"] == page and body["per_page"] == 100
        seen += [f["id"] for f in body["items"]]
    assert len(seen) == len(set(seen)) == 230


def test_a_larger_per_page_is_clamped_to_200(api, coordinator, funders):
    for asked in (201, 1000, 10**25):
        body = api.get(f"/funders?per_page={asked}", as_=coordinator).get_json()
        assert body["per_page"] == 200 and len(body["items"]) == 200 and body["total"] == 230


def test_a_page_past_the_end_has_no_items(api, coordinator, funders):
    body = api.get("/funders?page=99", as_=coordinator).get_json()
    assert body == {"items": [], "page": 99, "per_page": 50, "total": 230}
    body = api.get("/funders?page=2147483647&per_page=200", as_=coordinator).get_json()
    assert body["items"] == [] and body["total"] == 230


@pytest.mark.parametrize("query,field", [
    ("page=0", "page"), ("page=-1", "page"), ("page=abc", "page"), ("page=1.5", "page"), ("page=", "page"),
    ("page=2147483648", "page"), ("per_page=0", "per_page"), ("per_page=-3", "per_page"),
    ("per_page=ten", "per_page"),
])
def test_pages_below_one_or_not_numbers_are_422(api, coordinator, query, field):
    response = api.get(f"/funders?{query}", as_=coordinator)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == [field]


@pytest.mark.parametrize("path", ["/regions", "/funders", "/schools", "/initiatives", "/workshops", "/students",
                                  "/workshops/{workshop_id}/signups"])
def test_every_list_has_the_same_shape(api, users, path):
    from tests.factories import make_workshop

    workshop = make_workshop()
    body = api.get(path.format(workshop_id=workshop.id) + "?per_page=7", as_=users["coordinator"]).get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert body["per_page"] == 7 and body["page"] == 1 and len(body["items"]) <= 7


def test_list_queries_do_not_grow_with_the_rows(api, users, count_queries):
    from tests.factories import make_school, make_student, make_workshop

    workshop = make_workshop(capacity=100)
    school = make_school()

    def sign_up(n):
        from outreach.signups.services import register

        register(workshop.id, [make_student(school).id for _ in range(n)], actor=users["coordinator"])
        db.session.commit()

    def queries(path):
        api.token(users["coordinator"])
        with count_queries() as counter:
            assert api.get(path, as_=users["coordinator"]).status_code == 200
        return counter.count

    sign_up(5)
    # the token's first use writes its last-used time (then at most once a minute): not part of a list's cost
    api.get("/regions", as_=users["coordinator"])
    few = {p: queries(p) for p in ("/students", f"/workshops/{workshop.id}/signups", "/schools", "/workshops")}
    sign_up(45)
    many = {p: queries(p) for p in few}
    assert many == few
