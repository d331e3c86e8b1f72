"""One correct Content-Type on every download, and an OpenAPI document that says what the server accepts."""
from __future__ import annotations

import re
from datetime import timedelta

from outreach.students.rules import today
from tests.test_routes_table import ROWS, expected_for, objects  # noqa: F401  (the fixture)
from tests.conftest import Csrf, PASSWORD


def test_every_download_has_one_content_type_with_one_charset(app, objects):
    seen = {}
    for role in ("admin", "coordinator", "school", "funder"):
        client = app.test_client()
        client.post("/login", data={"email": objects["users"][role].email, "password": PASSWORD,
                                    "csrf_token": Csrf.token(client)})
        for row in ROWS:
            method, path = row[0], row[1]
            if method != "GET" or expected_for(app, row, role) != 200 or path.startswith("/api/"):
                continue
            response = client.get(path.format(**objects))
            content_type = response.headers["Content-Type"].replace('charset="utf-8"', "charset=utf-8")  # same value
            assert len(response.headers.getlist("Content-Type")) == 1, path
            assert content_type.count("charset") <= 1, f"{path}: {content_type}"
            if response.mimetype.startswith("text/"):
                assert content_type.endswith("; charset=utf-8"), f"{path}: {content_type}"
            seen[path] = content_type
    assert seen["/reports/impact.csv"] == "text/csv; charset=utf-8"
    assert seen["/students/import/template?lang=kk&format=csv"] == "text/csv; charset=utf-8"


def test_the_openapi_document_names_servers_operations_and_limits(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["servers"] and document["servers"][0]["url"] == "/"
    operations = [op for ops in document["paths"].values() for method, op in ops.items()
                  if method in ("get", "post", "put", "patch", "delete")]
    ids = [op.get("operationId") for op in operations]
    assert None not in ids and len(set(ids)) == len(ids)
    schemas = document["components"]["schemas"]
    assert len(schemas["SchoolIn"]["properties"]["region"]["enum"]) == 20
    assert schemas["SchoolIn"]["properties"]["languages"]["minItems"] == 1
    assert len(schemas["WorkshopIn"]["properties"]["title"]["anyOf"]) == 3
    pattern = schemas["ConsentIn"]["properties"]["given_on"]["pattern"]
    assert re.match(pattern, today().isoformat()) and re.match(pattern, "1990-05-17")
    assert not re.match(pattern, (today() + timedelta(days=1)).isoformat())


def test_a_patch_of_a_missing_workshop_is_404_whatever_the_body(client):
    from tests.api.conftest import Api
    from tests.factories import make_user

    api = Api(client)
    response = api.open("PATCH", "/workshops/2147483646", as_=make_user("coordinator"), json={"capacity": "x"})
    assert response.status_code == 404
