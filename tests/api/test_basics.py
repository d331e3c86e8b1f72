"""What every API call shares: the OpenAPI document, the error shape, 400 vs 422, sizes, languages."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from outreach.i18n import _, force_locale
from tests.api.conftest import error_of
from outreach.extensions import db
from tests.factories import make_artist, make_initiative, make_school, make_venue
from tests.clock import programme_today

CONTRACT = {
    ("post", "/api/v1/tokens"), ("delete", "/api/v1/tokens/current"), ("get", "/api/v1/regions"), ("get", "/api/v1/funders"),
    ("get", "/api/v1/schools"), ("post", "/api/v1/schools"), ("get", "/api/v1/schools/{school_id}"),
    ("get", "/api/v1/initiatives"), ("post", "/api/v1/initiatives"), ("get", "/api/v1/initiatives/{initiative_id}"),
    ("get", "/api/v1/workshops"), ("post", "/api/v1/workshops"), ("get", "/api/v1/workshops/{workshop_id}"),
    ("patch", "/api/v1/workshops/{workshop_id}"), ("get", "/api/v1/students"), ("post", "/api/v1/students"),
    ("get", "/api/v1/students/{student_id}"), ("delete", "/api/v1/students/{student_id}"),
    ("post", "/api/v1/workshops/{workshop_id}/signups"), ("get", "/api/v1/workshops/{workshop_id}/signups"),
    ("delete", "/api/v1/signups/{signup_id}"), ("put", "/api/v1/workshops/{workshop_id}/attendance"),
    ("get", "/api/v1/workshops/{workshop_id}/attendance"), ("get", "/api/v1/reports/impact"),
    # beyond the contract, documented in the README: marks taken offline, sent in batches
    ("post", "/api/v1/attendance/sync"),
    # v1.1: teaching artists and venues
    ("get", "/api/v1/artists"), ("post", "/api/v1/artists"), ("get", "/api/v1/artists/{artist_id}"),
    ("patch", "/api/v1/artists/{artist_id}"), ("post", "/api/v1/artists/{artist_id}/unavailable"),
    ("get", "/api/v1/artists/{artist_id}/hours"), ("get", "/api/v1/venues"), ("post", "/api/v1/venues"),
    ("get", "/api/v1/venues/{venue_id}"), ("patch", "/api/v1/venues/{venue_id}"),
    ("get", "/api/v1/students/{student_id}/certificate.pdf"), ("get", "/api/v1/schools/{school_id}/certificates.pdf"),
    # v1.1: feedback and outcomes
    ("post", "/api/v1/initiatives/{initiative_id}/questionnaires"),
    ("get", "/api/v1/initiatives/{initiative_id}/questionnaires"), ("post", "/api/v1/workshops/{workshop_id}/responses"),
}
METHODS = {"get", "post", "put", "patch", "delete"}


def student_body(**overrides):
    body = {"first_name": "Айару", "last_name": "Сейітова", "grade": 5, "gender": "female",
            "guardian_consent": {"guardian_name": "Айгүл Сейітова", "relationship": "анасы",
                                 "given_on": (programme_today() - timedelta(days=3)).isoformat()}}
    body.update(overrides)
    return body


# ------------------------------------------------------------------------------------------- the document

def test_openapi_document_is_public_and_describes_every_operation_of_the_contract(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    operations = {(method, path) for path, item in doc["paths"].items() for method in item if method in METHODS}
    assert operations == CONTRACT
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["paths"]["/api/v1/tokens"]["post"]["security"] == []
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_every_operation_documents_its_request_responses_and_error_statuses(api):
    doc = api.get("/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            statuses = set(operation["responses"])
            success = [s for s in statuses if s.startswith("2")]
            assert len(success) == 1, (method, path)
            if success != ["204"]:
                assert "$ref" in json.dumps(operation["responses"][success[0]]["content"]), (method, path)
            if path != "/api/v1/tokens":
                assert "401" in statuses, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "413", "422"} <= statuses, (method, path)
                assert "requestBody" in operation, (method, path)
            if "{" in path:
                assert "404" in statuses, (method, path)
            for status in statuses - set(success):
                ref = operation["responses"][status]["$ref"]
                response = doc["components"]["responses"][ref.rsplit("/", 1)[1]]
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_request_schemas_are_strict_and_response_schemas_open(api):
    schemas = api.get("/openapi.json").get_json()["components"]["schemas"]
    assert schemas["StudentIn"]["additionalProperties"] is False
    assert set(schemas["StudentIn"]["required"]) == {"first_name", "last_name", "grade", "gender",
                                                     "guardian_consent"}
    assert schemas["StudentIn"]["properties"]["grade"] == {"type": "integer", "minimum": 0, "maximum": 11}
    assert "additionalProperties" not in schemas["WorkshopOut"]
    assert schemas["SignupOut"]["properties"]["student_id"]["nullable"] is True


# ------------------------------------------------------------------------------------------ error shape

def test_errors_have_the_contract_shape(api, users):
    error = error_of(api.get("/schools/987654", as_=users["coordinator"]))
    assert error["code"] == "not_found"
    error = error_of(api.get("/no-such-thing", as_=users["coordinator"]))
    assert error["code"] == "not_found"
    response = api.open("PATCH", "/regions", as_=users["coordinator"])
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("header,language", [
    (None, "kk"), ("ru", "ru"), ("ru-KZ", "ru"), ("ru-KZ,ru;q=0.9,en;q=0.5", "ru"), ("en-GB", "en"),
    ("de-DE,en;q=0.3,ru;q=0.2", "en"), ("kk;q=0.1,ru;q=0.8", "ru"), ("fr", "kk"), ("*", "kk"),
])
def test_messages_follow_accept_language(api, header, language):
    response = api.get("/no-such-thing", lang=header)
    with force_locale(language):
        expected = _("This page does not exist or is not available to you.")
    assert error_of(response)["message"] == expected


def test_the_kazakh_and_russian_messages_really_differ(api):
    kk = error_of(api.get("/no-such-thing", lang="kk"))["message"]
    ru = error_of(api.get("/no-such-thing", lang="ru"))["message"]
    assert kk != ru


def test_field_messages_are_in_the_accept_language_too(api, users):
    response = api.post("/students", as_=users["school"], json=student_body(grade=12), lang="ru-KZ")
    with force_locale("ru"):
        expected = _("Must be between %(low)s and %(high)s.", low=0, high=11)
    assert error_of(response)["fields"] == {"grade": [expected]}


def test_the_session_language_does_not_change_api_messages(api):
    api.client.get("/?lang=ru")  # remembered in the session cookie for the HTML pages
    response = api.get("/no-such-thing", lang="en")
    with force_locale("en"):
        assert error_of(response)["message"] == _("This page does not exist or is not available to you.")


# -------------------------------------------------------------------------------------- 400 versus 422

@pytest.mark.parametrize("body,content_type", [
    ("{not json", "application/json"),
    ("", "application/json"),
    ('{"a": 1', "application/json"),
    ("[1, 2]", "application/json"),
    ('"text"', "application/json"),
    ("null", "application/json"),
    ("{\"first_name\": NaN}", "application/json"),
    ("\xff\xfe", "application/json"),
    ("first_name=A", "application/x-www-form-urlencoded"),
    ('{"first_name": "A"}', "text/plain"),
    ("[" * 100000 + "]" * 100000, "application/json"),
    ('{"grade": ' + "9" * 5000 + "}", "application/json"),
])
def test_a_body_that_is_not_a_json_object_is_400(api, users, body, content_type):
    response = api.post("/students", as_=users["school"], data=body.encode("utf-8", "surrogateescape"),
                        headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert error_of(response)["code"] in ("malformed_json", "not_json")


@pytest.mark.parametrize("override,field", [
    ({"grade": "5"}, "grade"),
    ({"grade": 5.0}, "grade"),
    ({"grade": True}, "grade"),
    ({"grade": [5]}, "grade"),
    ({"first_name": 7}, "first_name"),
    ({"first_name": {"kk": "A"}}, "first_name"),
    ({"guardian_consent": "yes"}, "guardian_consent"),
    ({"guardian_consent": [1]}, "guardian_consent"),
    ({"guardian_consent": {"guardian_name": "A", "relationship": "B", "given_on": 20270101}},
     "guardian_consent.given_on"),
])
def test_a_field_of_the_wrong_json_type_is_400_and_named(api, users, override, field):
    response = api.post("/students", as_=users["school"], json=student_body(**override))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "wrong_type"
    assert list(error["fields"]) == [field]


def test_list_items_of_the_wrong_type_are_named_by_position(api, users):
    response = api.post("/workshops/1/signups", as_=users["school"], json={"student_ids": [1, "2", 3.5]})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"student_ids.1", "student_ids.2"}


@pytest.mark.parametrize("override,field", [
    ({"grade": None}, "grade"),
    ({"grade": 12}, "grade"),
    ({"grade": -1}, "grade"),
    ({"grade": 10**30}, "grade"),
    ({"gender": "other"}, "gender"),
    ({"first_name": ""}, "first_name"),
    ({"first_name": "A" * 101}, "first_name"),
    ({"first_name": "A\x00B"}, "first_name"),
    ({"first_name": "\ud800"}, "first_name"),
    ({"guardian_consent": None}, "guardian_consent"),
    ({"guardian_consent": {"guardian_name": "A", "relationship": "B", "given_on": "2027-02-30"}},
     "guardian_consent.given_on"),
    ({"guardian_consent": {"guardian_name": "A", "relationship": "B", "given_on": "yesterday"}},
     "guardian_consent.given_on"),
    ({"guardian_consent": {"guardian_name": "A", "relationship": "B"}}, "guardian_consent.given_on"),
    ({"guardian_consent": {"guardian_name": "A", "relationship": "B", "given_on": "2026-01-01", "x": 1}},
     "guardian_consent.x"),
    ({"nickname": "Ай"}, "nickname"),
])
def test_missing_null_out_of_range_or_unparseable_values_are_422_and_named(api, users, override, field):
    response = api.post("/students", as_=users["school"], json=student_body(**override))
    assert response.status_code == 422, response.get_json()
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"] and all(isinstance(m, str) and m for m in error["fields"][field])


def test_a_missing_required_field_is_422(api, users):
    body = student_body()
    del body["last_name"]
    response = api.post("/students", as_=users["school"], json=body)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["last_name"]


def test_no_consent_is_422(api, users):
    body = student_body()
    del body["guardian_consent"]
    response = api.post("/students", as_=users["school"], json=body)
    assert response.status_code == 422
    assert "guardian_consent" in error_of(response)["fields"]


def test_a_wrong_type_wins_over_invalid_values(api, users):
    response = api.post("/students", as_=users["school"], json=student_body(grade="5", gender="other"))
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"grade", "gender"}


def test_times_need_an_offset_and_any_offset_is_accepted(api, users):
    initiative = make_initiative(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    body = {"initiative_id": initiative.id, "title": {"kk": "Сабақ"}, "duration_minutes": 60, "capacity": 10,
            "venue": "Зал", "instructor": "Педагог", "language": "kk", "min_grade": 0, "max_grade": 11}
    for name in ("Зал", "Басқа зал"):
        make_venue(name)
    make_artist("Педагог"), make_artist("Басқа")
    db.session.commit()
    naive = api.post("/workshops", as_=users["coordinator"], json={**body, "starts_at": "2027-03-08T10:00:00"})
    assert naive.status_code == 422 and list(error_of(naive)["fields"]) == ["starts_at"]
    not_a_time = api.post("/workshops", as_=users["coordinator"], json={**body, "starts_at": "8 March, 10am"})
    assert not_a_time.status_code == 422
    utc = api.post("/workshops", as_=users["coordinator"], json={**body, "starts_at": "2027-03-08T05:00:00Z"})
    assert utc.status_code == 201
    assert utc.get_json()["starts_at"] == "2027-03-08T10:00:00+05:00"
    other = api.post("/workshops", as_=users["coordinator"],
                     json={**body, "venue": "Басқа зал", "instructor": "Басқа", "starts_at": "2027-03-09T08:00:00+03:00"})
    assert other.status_code == 201
    assert other.get_json()["starts_at"] == "2027-03-09T10:00:00+05:00"
    assert other.get_json()["ends_at"] == "2027-03-09T11:00:00+05:00"


def test_dates_are_yyyy_mm_dd_only(api, users):
    for value in ("20270101", "2027-W01-1", "01.01.2027", "2027-1-1"):
        response = api.get(f"/workshops?from={value}", as_=users["coordinator"])
        assert response.status_code == 422, value
        assert list(error_of(response)["fields"]) == ["from"]
    assert api.get("/workshops?from=2027-01-01&to=2027-12-31", as_=users["coordinator"]).status_code == 200


# ------------------------------------------------------------------------------------ sizes and oddities

def test_bodies_over_one_megabyte_are_413(api, users):
    big = json.dumps(student_body(first_name="A" * (1024 * 1024)))
    response = api.post("/students", as_=users["school"], data=big, content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"
    # a body just under the limit is read (and refused for what it says, not for its size)
    near = json.dumps(student_body(first_name="A" * (1024 * 1024 - 400)))
    assert api.post("/students", as_=users["school"], data=near, content_type="application/json").status_code == 422


def test_a_chunked_body_without_a_length_is_cut_at_one_megabyte(api, users):
    import io

    body = json.dumps(student_body(first_name="A" * (2 * 1024 * 1024))).encode()
    response = api.post("/students", as_=users["school"], input_stream=io.BytesIO(body),
                        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_options_lists_the_methods_without_a_token(api):
    response = api.open("OPTIONS", "/workshops/1")
    assert response.status_code == 200
    assert {"GET", "PATCH"} <= set(response.headers["Allow"].split(", "))


def test_unicode_is_stored_and_returned_intact(api, users):
    school = api.post("/schools", as_=users["coordinator"], json={
        "name": "Ұзынағаш ауылының мектебі 🎭", "region": "KZ-19", "locality": "Ұзынағаш",
        "settlement_type": "rural", "languages": ["kk", "ru"]})
    assert school.status_code == 201
    assert school.get_json()["name"] == "Ұзынағаш ауылының мектебі 🎭"
    found = api.get("/schools?q=ҰЗЫНАҒАШ", as_=users["coordinator"]).get_json()
    assert [s["name"] for s in found["items"]] == ["Ұзынағаш ауылының мектебі 🎭"]


@pytest.mark.parametrize("query", [
    "q=%00", "q=%ff%fe", "page=99999999999999999999", "per_page=-5", "page=1e3", "region=" + "K" * 500,
    "grade=%F0%9F%8E%AD", "school_id=0x10",
])
def test_odd_query_strings_are_refused_or_ignored_never_500(api, users, query):
    make_school()
    response = api.get(f"/students?{query}", as_=users["coordinator"])
    assert response.status_code in (200, 422)
    response = api.get(f"/schools?{query}", as_=users["coordinator"])
    assert response.status_code in (200, 422)


def test_ids_that_cannot_exist_are_404(api, users):
    for ident in ("0", "2147483648", "99999999999999999999999"):
        response = api.get(f"/students/{ident}", as_=users["coordinator"])
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
