"""Hostile values in every GET route of the route table, as every role: 404, a form error or the page, never 5xx."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.conftest import Csrf, PASSWORD
from tests.test_routes_table import ROLES, ROWS, expected_for, objects  # noqa: F401  (the fixture)

HOSTILE = ["99999999999999999999", "-9223372036854775809", "0001-01-01", "9999-12-31", "junk", "\x00", "²",
           "x" * 3000]
#: more for the property-based run
MORE = ["9223372036854775807", "2147483648", "-1", "0", "1\x00", "1e309", "１２", "NaN", "' OR 1=1 --", "\u202e"]
#: bytes that are not UTF-8 at all (sent percent-encoded as they are)
RAW = ["%FF%FE%ED%A0%80"]
# query parameters an HTML page reads, by hand (the ones below are found in the code as well)
LISTED = ["page", "spage", "grade", "school_id", "initiative_id", "initiative", "student_id", "funder_id",
          "funder", "date_from", "date_to", "from", "to", "date", "view", "status", "when", "q", "lang",
          "format", "region", "instructor", "venue", "settlement_type", "language", "art_form", "mine", "next",
          "s", "existing", "actor", "since", "until", "object_id", "object_type", "action", "week", "keep", "other"]


def _read_parameters() -> list[str]:
    """Every query parameter the pages read: request.args.get("…") in the views, and the fields of every filter
    form (a form without a CSRF token reads the query string), so a new one is walked without being listed."""
    import importlib
    import pkgutil
    from pathlib import Path

    import outreach
    from outreach.forms import BaseForm

    root = Path(outreach.__file__).parent
    names = set(LISTED)
    for path in root.rglob("*.py"):
        names |= set(re.findall(r"request\.args\.(?:get|getlist)\(\s*[\"'](\w+)[\"']", path.read_text()))
    for module in pkgutil.walk_packages([str(root)], "outreach."):
        if module.name.endswith((".forms", "forms")):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in subclasses(BaseForm):
        if getattr(form.Meta, "csrf", True) is False:
            names |= {name for name, value in vars(form).items()
                      if hasattr(value, "field_class") and not name.startswith("_")}
    return sorted(names)


# every query parameter an HTML page reads
PARAMS = _read_parameters()
GET_ROWS = [row for row in ROWS if row[0] == "GET" and not row[1].startswith("/api/")]
PLACEHOLDER = re.compile(r"\{(\w+_id)\}")
SLOW = ("students.consent_form", "reports.export")  # PDFs: one role is enough


def _clients(app, users):
    clients = {"anonymous": app.test_client()}
    for role in ROLES[1:]:
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/login", data={"email": users[role].email, "password": PASSWORD,
                                               "csrf_token": Csrf.token(client)})
        assert response.status_code == 302
        clients[role] = client
    return clients


def _encoded(value: str) -> str:
    return value if value in RAW else quote(value, safe="")


def _query(value: str) -> str:
    return "&".join(f"{name}={_encoded(value)}" for name in PARAMS)


def _check(client, url, failures, role):
    response = client.get(url)
    if response.status_code >= 500:
        failures.append(f"{response.status_code} GET {url[:160]!r} as {role}")


@pytest.mark.parametrize("method,path,expected,endpoint", GET_ROWS, ids=[f"{r[3]}:{r[1]}" for r in GET_ROWS])
def test_hostile_values_never_give_a_server_error(app, objects, method, path, expected, endpoint):
    clients = _clients(app, objects["users"])
    row = (method, path, expected, endpoint)
    # every role the row answers for (403s too: a refusal must not be a 500 either)
    roles = [role for role in ROLES if expected_for(app, row, role) is not None]
    if endpoint in SLOW:
        roles = [role for role in roles if role in ("admin", "school")][:1] or roles[:1]
    failures: list[str] = []
    for role in roles:
        client = clients[role]
        base = path.format(**objects)
        for value in HOSTILE + RAW:
            separator = "&" if "?" in base else "?"
            _check(client, base + separator + _query(value), failures, role)
            if PLACEHOLDER.search(path):
                hostile_path = PLACEHOLDER.sub(_encoded(value), path).format(**objects)
                _check(client, hostile_path, failures, role)
    assert not failures, "\n".join(failures)


def test_the_reported_urls(app, client, login):
    login("admin")
    for url in ["/audit?actor=99999999999999999999", "/audit?actor=-1&object_id=99999999999999999999",
                "/audit?since=0001-01-01&until=9999-12-31", "/audit?actor=%C2%B2",
                "/students?page=9223372036854775807", "/workshops/99999999999999999999",
                "/students/99999999999999999999", "/students?grade=99999999999999999999",
                "/students?school_id=99999999999999999999", "/outbox?page=9223372036854775807",
                "/outbox/99999999999999999999", "/reports/impact?initiative_id=99999999999999999999",
                "/reports/impact?from=0001-01-01&to=9999-12-31", "/workshops?date_from=0001-01-01"]:
        response = client.get(url)
        assert response.status_code in (200, 404, 422), (url, response.status_code)
    assert client.get("/workshops/99999999999999999999").status_code == 404
    page = client.get("/reports/impact?from=0001-01-01&to=9999-12-31")
    assert "Enter a date between 1900 and 2999." in page.get_data(as_text=True)


@pytest.mark.slow
def test_random_hostile_queries(app, objects):
    """Hypothesis picks a route, a role and a value for every query parameter (any text, long numbers, far dates)."""
    clients = _clients(app, objects["users"])
    rows = [row for row in GET_ROWS if row[3] not in SLOW]
    values = st.one_of(st.sampled_from(HOSTILE + MORE), st.from_regex(r"-?[0-9]{1,25}", fullmatch=True),
                       st.dates().map(lambda d: d.isoformat()),
                       st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(row=st.sampled_from(rows), role=st.sampled_from(ROLES[1:]),
           query=st.fixed_dictionaries({name: values for name in PARAMS}))
    def run(row, role, query):
        if expected_for(app, row, role) is None:
            return
        base = row[1].format(**objects)
        encoded = "&".join(f"{name}={quote(value, safe='')}" for name, value in query.items())
        response = clients[role].get(base + ("&" if "?" in base else "?") + encoded)
        assert response.status_code < 500, (base, encoded, role)

    run()


def test_huge_ids_in_posted_forms_are_a_form_error_not_a_server_error(client, csrf, login):
    from tests.factories import make_school, make_user, make_workshop

    school = make_school()
    workshop = make_workshop(capacity=5, min_grade=0, max_grade=11)
    login(make_user("school", school=school))
    token = csrf.token(client, f"/signups/workshops/{workshop.id}")
    for value in ("99999999999999999999", "-1", "²", "1\x00"):
        response = client.post(f"/signups/workshops/{workshop.id}", data={"csrf_token": token, "student_ids": value})
        assert response.status_code in (404, 422), (value, response.status_code)
        response = client.post(f"/signups/workshops/{workshop.id}/search",
                               data={"csrf_token": token, "q": "x", "school_id": value})
        assert response.status_code == 303, value


def _api_parameters() -> list[str]:
    """Every query parameter of the JSON API: the fields of every query-string schema."""
    import outreach.api.schemas.artists  # noqa: F401  (the schemas register themselves as subclasses)
    import outreach.api.schemas.outcomes  # noqa: F401
    import outreach.api.views  # noqa: F401  (every resource, and through them every domain's schemas)
    from outreach.api.fields import Query

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {"page", "per_page"}
    for schema in subclasses(Query):
        names |= {field.data_key or name for name, field in schema._declared_fields.items()}
    return sorted(names)


API_GET_ROWS = [row for row in ROWS if row[0] == "GET" and row[1].startswith("/api/") and "openapi" not in row[1]]


def test_hostile_values_in_the_api_never_give_a_server_error(app, objects):
    """The API's GETs with every query parameter and path id hostile, with a coordinator's and a school's token."""
    from outreach.auth.services import issue_api_token
    from outreach.extensions import db

    tokens = {role: issue_api_token(objects["users"][role])[0] for role in ("coordinator", "school", "funder")}
    db.session.commit()
    client = app.test_client()
    names = _api_parameters()
    assert {"school_id", "initiative_id", "from", "to", "q"} <= set(names)
    failures = []
    for _method, path, _expected, _endpoint in API_GET_ROWS:
        for role, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            for value in HOSTILE + RAW:
                query = "&".join(f"{name}={_encoded(value)}" for name in names)
                urls = [path.format(**objects) + "?" + query]
                if PLACEHOLDER.search(path):
                    urls.append(PLACEHOLDER.sub(_encoded(value), path).format(**objects))
                for url in urls:
                    response = client.get(url, headers=headers)
                    if response.status_code >= 500:
                        failures.append(f"{response.status_code} GET {url[:160]!r} as {role}")
    assert not failures, "\n".join(failures)
