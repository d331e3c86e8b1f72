"""Every endpoint × role with real bearer tokens: allowed, 403 for a role that may not, and 404 for another
school's or funder's objects (never 403: their existence is not revealed)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from outreach.extensions import db
from outreach.outcomes.services import start_from_library
from outreach.signups.services import register
from tests.api.conftest import error_of
from tests.factories import (
    make_artist, make_funder, make_initiative, make_school, make_student, make_user, make_venue, make_workshop,
)
from tests.clock import programme_today

ROLES = ("admin", "coordinator", "school", "funder")
NOT_YET_EARNED = {"admin": 409, "coordinator": 409, "school": 409, "funder": 403}


@pytest.fixture
def world():
    """School A and funder A (the school and funder users' own), school B and funder B (others')."""
    school_a, school_b = make_school(), make_school()
    funder_a, funder_b = make_funder(), make_funder()
    init_a = make_initiative(funders=[funder_a])
    init_b = make_initiative(funders=[funder_b])
    ws_a = make_workshop(initiative=init_a, capacity=10)
    ws_b = make_workshop(initiative=init_b)
    ws_past = make_workshop(initiative=init_a, starts_at=datetime.now(timezone.utc) - timedelta(hours=2))
    st_a, st_b = make_student(school_a), make_student(school_b)
    artist, venue = make_artist("Жаңа педагог"), make_venue("Жаңа зал")
    make_venue("Басқа зал")
    users = {"admin": make_user("admin"), "coordinator": make_user("coordinator"),
             "school": make_user("school", school=school_a), "funder": make_user("funder", funder=funder_a)}
    coordinator = users["coordinator"]
    signup_a = register(ws_a.id, [st_a.id], actor=coordinator)[0].signup
    signup_b = register(ws_a.id, [st_b.id], actor=coordinator)[0].signup
    past_signup = register(ws_past.id, [st_a.id], actor=coordinator)[0].signup
    start_from_library(init_a, "students", actor=coordinator)
    db.session.commit()
    ids = {"school_a": school_a.id, "school_b": school_b.id, "funder_a": funder_a.id, "funder_b": funder_b.id,
           "init_a": init_a.id, "init_b": init_b.id, "ws_a": ws_a.id, "ws_b": ws_b.id, "ws_past": ws_past.id,
           "st_a": st_a.id, "st_b": st_b.id, "signup_a": signup_a.id, "signup_b": signup_b.id,
           "signup_past": past_signup.id, "artist": artist.id, "venue": venue.id}
    return users, ids


def _school(ids):
    return {"name": "Жаңа мектеп", "region": "KZ-75", "locality": "Алматы", "settlement_type": "urban",
            "languages": ["kk", "ru"]}


def _initiative(ids):
    today = programme_today()
    return {"title": {"kk": "Домбыра", "en": "Dombra"}, "description": {"en": "Music"}, "art_form": "music",
            "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=60)).isoformat(),
            "target_students": 40, "funder_ids": [ids["funder_a"]]}


def _workshop(ids):
    starts = (programme_today() + timedelta(days=20)).isoformat() + "T10:00:00+05:00"
    return {"initiative_id": ids["init_a"], "title": {"kk": "Күй"}, "starts_at": starts, "duration_minutes": 90,
            "capacity": 25, "venue_id": ids["venue"], "artist_id": ids["artist"], "language": "kk",
            "min_grade": 3, "max_grade": 9}


def _student(ids):
    return {"first_name": "Әлихан", "last_name": "Қасенов", "grade": 4, "gender": "male", "school_id": ids["school_a"],
            "guardian_consent": {"guardian_name": "Гүлжан Қасенова", "relationship": "анасы",
                                 "given_on": programme_today().isoformat(), "method": "electronic"}}


STAFF_ONLY = {"admin": 200, "coordinator": 200, "school": 403, "funder": 403}
ALL_200 = {role: 200 for role in ROLES}
NO_FUNDER = {"admin": 200, "coordinator": 200, "school": 200, "funder": 403}
NO_SCHOOL = {"admin": 200, "coordinator": 200, "school": 403, "funder": 200}
CREATED_BY_STAFF = {"admin": 201, "coordinator": 201, "school": 403, "funder": 403}

TABLE = [
    ("GET", "/regions", None, ALL_200),
    ("GET", "/funders", None, STAFF_ONLY),
    ("GET", "/schools", None, NO_FUNDER),
    ("POST", "/schools", _school, CREATED_BY_STAFF),
    ("GET", "/schools/{school_a}", None, NO_FUNDER),
    ("GET", "/schools/{school_b}", None, {"admin": 200, "coordinator": 200, "school": 404, "funder": 403}),
    ("GET", "/initiatives", None, NO_SCHOOL),
    ("POST", "/initiatives", _initiative, CREATED_BY_STAFF),
    ("GET", "/initiatives/{init_a}", None, NO_SCHOOL),
    ("GET", "/initiatives/{init_b}", None, {"admin": 200, "coordinator": 200, "school": 403, "funder": 404}),
    ("GET", "/workshops", None, ALL_200),
    ("POST", "/workshops", _workshop, CREATED_BY_STAFF),
    ("GET", "/workshops/{ws_a}", None, ALL_200),
    ("GET", "/workshops/{ws_b}", None, {"admin": 200, "coordinator": 200, "school": 200, "funder": 404}),
    ("PATCH", "/workshops/{ws_a}", lambda ids: {"capacity": 12}, STAFF_ONLY),
    ("PATCH", "/workshops/{ws_b}", lambda ids: {"venue": "Басқа зал"}, STAFF_ONLY),
    ("GET", "/students", None, NO_FUNDER),
    ("POST", "/students", _student, {"admin": 201, "coordinator": 201, "school": 201, "funder": 403}),
    ("GET", "/students/{st_a}", None, NO_FUNDER),
    ("GET", "/students/{st_b}", None, {"admin": 200, "coordinator": 200, "school": 404, "funder": 403}),
    ("DELETE", "/students/{st_a}", None, {"admin": 204, "coordinator": 204, "school": 204, "funder": 403}),
    ("DELETE", "/students/{st_b}", None, {"admin": 204, "coordinator": 204, "school": 404, "funder": 403}),
    ("POST", "/workshops/{ws_b}/signups", lambda ids: {"student_ids": [ids["st_a"]]},
     {"admin": 201, "coordinator": 201, "school": 201, "funder": 403}),
    ("POST", "/workshops/{ws_b}/signups", lambda ids: {"student_ids": [ids["st_b"]]},
     {"admin": 201, "coordinator": 201, "school": 404, "funder": 403}),
    ("GET", "/workshops/{ws_a}/signups", None, NO_FUNDER),
    ("DELETE", "/signups/{signup_a}", None, NO_FUNDER),
    ("DELETE", "/signups/{signup_b}", None, {"admin": 200, "coordinator": 200, "school": 404, "funder": 403}),
    ("PUT", "/workshops/{ws_past}/attendance", lambda ids: {"present": [ids["st_a"]]}, STAFF_ONLY),
    ("GET", "/workshops/{ws_past}/attendance", None, STAFF_ONLY),
    ("POST", "/attendance/sync", lambda ids: {"idempotency_key": "roles-1", "marks": [
        {"workshop_id": ids["ws_past"], "student_id": ids["st_a"], "present": True,
         "marked_at": datetime.now(timezone.utc).isoformat()}]}, STAFF_ONLY),
    ("POST", "/initiatives/{init_a}/questionnaires", lambda ids: {"audience": "teachers", "questions": [
        {"key": "class_engaged", "kind": "scale5", "text": {"kk": "Сынып белсенді болды"}}]}, CREATED_BY_STAFF),
    ("GET", "/initiatives/{init_a}/questionnaires", None, STAFF_ONLY),
    ("POST", "/workshops/{ws_past}/responses", lambda ids: {"items": [
        {"signup_id": ids["signup_past"], "phase": "before", "answers": {"enjoyed": 4}}]}, STAFF_ONLY),
    ("GET", "/reports/impact", None, NO_SCHOOL),
    ("GET", "/artists", None, STAFF_ONLY),
    ("POST", "/artists", lambda ids: {"name": "Гүлмира Ахметова", "home_region": "KZ-75"}, CREATED_BY_STAFF),
    ("GET", "/artists/{artist}", None, STAFF_ONLY),
    ("PATCH", "/artists/{artist}", lambda ids: {"phone": "+7 701 000 00 00"}, STAFF_ONLY),
    ("POST", "/artists/{artist}/unavailable", lambda ids: {"from": "2030-06-10T00:00:00+05:00",
                                                          "to": "2030-06-25T00:00:00+05:00"}, CREATED_BY_STAFF),
    ("GET", "/artists/{artist}/hours", None, STAFF_ONLY),
    ("GET", "/venues", None, STAFF_ONLY),
    ("POST", "/venues", lambda ids: {"name": "Есік мәдениет үйі", "region": "KZ-19", "locality": "Есік"},
     CREATED_BY_STAFF),
    ("GET", "/venues/{venue}", None, STAFF_ONLY),
    ("PATCH", "/venues/{venue}", lambda ids: {"capacity": 80}, STAFF_ONLY),
    ("DELETE", "/tokens/current", None, {"admin": 204, "coordinator": 204, "school": 204, "funder": 204}),
    ("GET", "/reports/impact?initiative_id={init_a}", None, NO_SCHOOL),
    # certificates: st_a attended nothing (409 for those who may make them); another school's is not found
    ("GET", "/students/{st_a}/certificate.pdf?initiative_id={init_a}", None, NOT_YET_EARNED),
    ("GET", "/students/{st_b}/certificate.pdf?initiative_id={init_a}", None,
     {**NOT_YET_EARNED, "school": 404}),
    ("GET", "/schools/{school_a}/certificates.pdf?initiative_id={init_a}", None, NOT_YET_EARNED),
    ("GET", "/schools/{school_b}/certificates.pdf?initiative_id={init_a}", None,
     {**NOT_YET_EARNED, "school": 404}),
    ("GET", "/reports/impact?initiative_id={init_b}", None,
     {"admin": 200, "coordinator": 200, "school": 403, "funder": 404}),
]


@pytest.mark.parametrize("method,path,body,expected,role",
                         [(m, p, b, e, r) for m, p, b, e in TABLE for r in ROLES],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_endpoint_role(api, world, method, path, body, expected, role):
    users, ids = world
    response = api.open(method, path.format(**ids), as_=users[role], json=body(ids) if body else None)
    assert response.status_code == expected[role], response.get_json()
    if expected[role] >= 400:
        code = error_of(response)["code"]
        if expected[role] == 409:
            assert code in ("not_enough_attendance", "no_certificates")
        else:
            assert code == "forbidden" if expected[role] == 403 else code.endswith("not_found")


def test_every_contract_operation_is_in_the_role_table(api):
    doc = api.get("/openapi.json").get_json()
    operations = {(m.upper(), p.removeprefix("/api/v1")) for p, item in doc["paths"].items() for m in item
                  if m in ("get", "post", "put", "patch", "delete") and p != "/api/v1/tokens"}
    listed = set()
    for method, path, _body, _expected in TABLE:
        template = path.split("?")[0]
        for name, param in (("{school_a}", "{school_id}"), ("{school_b}", "{school_id}"), ("{init_a}", "{initiative_id}"),
                            ("{init_b}", "{initiative_id}"), ("{ws_a}", "{workshop_id}"), ("{ws_b}", "{workshop_id}"),
                            ("{ws_past}", "{workshop_id}"), ("{st_a}", "{student_id}"), ("{st_b}", "{student_id}"),
                            ("{signup_a}", "{signup_id}"), ("{signup_b}", "{signup_id}"),
                            ("{artist}", "{artist_id}"), ("{venue}", "{venue_id}")):
            template = template.replace(name, param)
        listed.add((method, template))
    assert operations <= listed


# ------------------------------------------------------------------------------- what each role sees in lists

def test_a_school_lists_only_its_own_school_students_and_sign_ups(api, world):
    users, ids = world
    school = users["school"]
    schools = api.get("/schools", as_=school).get_json()
    assert [s["id"] for s in schools["items"]] == [ids["school_a"]] and schools["total"] == 1
    students = api.get("/students", as_=school).get_json()
    assert [s["id"] for s in students["items"]] == [ids["st_a"]]
    # asking for another school's students finds none
    assert api.get(f"/students?school_id={ids['school_b']}", as_=school).get_json()["total"] == 0
    signups = api.get(f"/workshops/{ids['ws_a']}/signups", as_=school).get_json()
    assert [s["student_id"] for s in signups["items"]] == [ids["st_a"]]
    everyone = api.get(f"/workshops/{ids['ws_a']}/signups", as_=users["coordinator"]).get_json()
    assert sorted(s["student_id"] for s in everyone["items"]) == sorted([ids["st_a"], ids["st_b"]])


def test_a_funder_lists_only_what_it_funds_and_sees_only_its_own_id(api, world):
    users, ids = world
    funder = users["funder"]
    make_initiative(funders=[db.session.get(type(users["funder"].funder), ids["funder_a"]),
                             db.session.get(type(users["funder"].funder), ids["funder_b"])])
    db.session.commit()
    initiatives = api.get("/initiatives", as_=funder).get_json()
    assert ids["init_b"] not in [i["id"] for i in initiatives["items"]]
    assert initiatives["total"] == 2
    assert all(i["funder_ids"] == [ids["funder_a"]] for i in initiatives["items"])
    coordinator_view = api.get("/initiatives", as_=users["coordinator"]).get_json()
    assert sorted(len(i["funder_ids"]) for i in coordinator_view["items"]) == [1, 1, 2]
    workshops = api.get("/workshops", as_=funder).get_json()
    assert sorted(w["id"] for w in workshops["items"]) == sorted([ids["ws_a"], ids["ws_past"]])
    assert api.get(f"/workshops?initiative_id={ids['init_b']}", as_=funder).get_json()["total"] == 0


def test_a_funder_never_sees_a_student(api, world):
    users, ids = world
    funder = users["funder"]
    for path in ("/students", f"/students/{ids['st_a']}", f"/workshops/{ids['ws_a']}/signups"):
        assert api.get(path, as_=funder).status_code == 403
    report = api.get("/reports/impact", as_=funder).get_json()
    assert "students" not in report and report["suppression_threshold"] is not None


def test_a_school_user_creates_students_only_in_its_own_school(api, world):
    users, ids = world
    body = _student(ids)
    body["school_id"] = ids["school_b"]
    response = api.post("/students", as_=users["school"], json=body)
    assert response.status_code == 201
    assert response.get_json()["school_id"] == ids["school_a"]
