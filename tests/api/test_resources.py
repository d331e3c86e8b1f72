"""Schools, initiatives, workshops, students and the impact report through the API: the contract's fields,
and the services' rules answered with the contract's statuses."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from outreach.extensions import db
from outreach.params import has_control_characters
from outreach.signups.services import register
from tests.api.conftest import error_of
from tests.factories import (
    artist_named, make_funder, make_initiative, make_school, make_student, make_user, make_workshop, venue_named,
)
from tests.clock import programme_today


@pytest.fixture
def coordinator():
    user = make_user("coordinator")
    db.session.commit()
    return user


def workshop_body(initiative, **overrides):
    body = {"initiative_id": initiative.id, "title": {"kk": "Күй", "ru": "Кюй", "en": "Kui"},
            "starts_at": "2027-03-08T10:00:00+05:00", "duration_minutes": 90, "capacity": 20,
            "venue": "Шабыт мәдениет үйі", "instructor": "Айгерім Сәрсенова", "language": "kk",
            "min_grade": 3, "max_grade": 9}
    body.update(overrides)
    # the names stand for records: a name that folds to exactly one record's is accepted
    # (a name with control characters is refused before any lookup: no record is made for it, and PostgreSQL
    # could not even hold one with a NUL)
    for key, make in (("instructor", artist_named), ("venue", venue_named)):
        if isinstance(body.get(key), str) and body[key].strip() and not has_control_characters(body[key]):
            make(body[key])
    db.session.commit()
    return body


# ---------------------------------------------------------------------------------------------- schools

def test_schools_are_created_and_read_with_the_contract_fields(api, coordinator):
    body = {"name": "Абай атындағы №3 мектеп", "region": "KZ-79", "locality": "Шымкент",
            "settlement_type": "urban", "languages": ["kk", "ru"]}
    created = api.post("/schools", as_=coordinator, json=body)
    assert created.status_code == 201
    school = created.get_json()
    assert school == {"id": school["id"], **body}
    assert api.get(f"/schools/{school['id']}", as_=coordinator).get_json() == school


def test_school_filters(api, coordinator):
    make_school(name="Қаскелең мектебі", region_code="KZ-19", settlement_type="urban", languages=["kk"])
    make_school(name="Ауыл мектебі", region_code="KZ-19", settlement_type="rural", languages=["ru"])
    make_school(name="Астана мектебі", region_code="KZ-71", languages=["kk"])
    db.session.commit()

    def names(query):
        return sorted(s["name"] for s in api.get(f"/schools?{query}", as_=coordinator).get_json()["items"])

    assert names("region=KZ-19") == ["Ауыл мектебі", "Қаскелең мектебі"]
    assert names("region=KZ-19&settlement_type=rural") == ["Ауыл мектебі"]
    assert names("q=ҚАСКЕЛЕҢ") == ["Қаскелең мектебі"]
    assert names("language=ru") == ["Ауыл мектебі"]
    assert api.get("/schools?settlement_type=town", as_=coordinator).status_code == 422


def test_a_school_in_no_region_is_422_from_the_service(api, coordinator):
    response = api.post("/schools", as_=coordinator, json={
        "name": "X", "region": "KZ-00", "locality": "Y", "settlement_type": "urban", "languages": ["kk"]})
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["region"]


# ------------------------------------------------------------------------------------------ initiatives

def test_initiatives_round_trip(api, coordinator):
    funders = [make_funder(), make_funder()]
    db.session.commit()
    body = {"title": {"kk": "Домбыра үні", "ru": "Звуки домбры", "en": "Sound of the Dombra"},
            "description": {"en": "Meeting the dombra."}, "art_form": "music", "starts_on": "2027-01-10",
            "ends_on": "2027-06-30", "target_students": 250, "funder_ids": [f.id for f in funders]}
    created = api.post("/initiatives", as_=coordinator, json=body)
    assert created.status_code == 201
    initiative = created.get_json()
    assert initiative["status"] == "active"
    assert initiative["description"] == {"kk": None, "ru": None, "en": "Meeting the dombra."}
    assert sorted(initiative["funder_ids"]) == sorted(f.id for f in funders)
    assert {k: initiative[k] for k in ("title", "art_form", "starts_on", "ends_on", "target_students")} == {
        k: body[k] for k in ("title", "art_form", "starts_on", "ends_on", "target_students")}
    assert api.get(f"/initiatives/{initiative['id']}", as_=coordinator).get_json() == initiative
    listed = api.get("/initiatives?art_form=music&status=active", as_=coordinator).get_json()
    assert [i["id"] for i in listed["items"]] == [initiative["id"]]


@pytest.mark.parametrize("override,field", [
    ({"title": {"kk": " ", "ru": None}}, "title"),
    ({"title": {}}, "title"),
    ({"ends_on": "2026-12-31"}, "ends_on"),
    ({"art_form": "opera"}, "art_form"),
    ({"target_students": -1}, "target_students"),
    ({"funder_ids": [987654]}, "funder_ids"),
    ({"title": {"kk": "A", "de": "B"}}, "title.de"),
])
def test_initiative_rules_are_422_on_the_named_field(api, coordinator, override, field):
    body = {"title": {"kk": "Атауы"}, "art_form": "music", "starts_on": "2027-01-10", "ends_on": "2027-06-30"}
    response = api.post("/initiatives", as_=coordinator, json={**body, **override})
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


# -------------------------------------------------------------------------------------------- workshops

def test_workshops_round_trip_with_local_times(api, coordinator):
    initiative = make_initiative(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    db.session.commit()
    created = api.post("/workshops", as_=coordinator, json=workshop_body(initiative))
    assert created.status_code == 201
    workshop = created.get_json()
    assert workshop["starts_at"] == "2027-03-08T10:00:00+05:00"
    assert (workshop["status"], workshop["seats_taken"], workshop["waitlist_length"]) == ("scheduled", 0, 0)
    for key in ("initiative_id", "title", "duration_minutes", "capacity", "venue", "instructor", "language",
                "min_grade", "max_grade"):
        assert workshop[key] == workshop_body(initiative)[key], key
    assert api.get(f"/workshops/{workshop['id']}", as_=coordinator).get_json() == workshop


def test_workshop_filters_use_local_dates(api, coordinator):
    initiative = make_initiative(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    # 2027-03-08 00:30 in Almaty is still 2027-03-07 in UTC
    early = make_workshop(initiative=initiative, starts_at=datetime(2027, 3, 7, 19, 30, tzinfo=timezone.utc))
    make_workshop(initiative=initiative, starts_at=datetime(2027, 3, 9, 10, 0, tzinfo=timezone.utc))
    other = make_workshop(starts_at=datetime(2027, 3, 8, 10, 0, tzinfo=timezone.utc))
    db.session.commit()
    on_the_8th = api.get("/workshops?from=2027-03-08&to=2027-03-08", as_=coordinator).get_json()
    assert sorted(w["id"] for w in on_the_8th["items"]) == sorted([early.id, other.id])
    mine = api.get(f"/workshops?initiative_id={initiative.id}&to=2027-03-08", as_=coordinator).get_json()
    assert [w["id"] for w in mine["items"]] == [early.id]
    assert api.get("/workshops?status=postponed", as_=coordinator).status_code == 422


def test_a_start_outside_the_initiative_is_422_and_a_past_start_is_allowed(api, coordinator):
    initiative = make_initiative(starts_on=date(2020, 1, 1), ends_on=date(2027, 3, 8))
    db.session.commit()
    # 2027-03-08T20:00 UTC is already the 9th in Almaty
    outside = api.post("/workshops", as_=coordinator, json=workshop_body(initiative,
                                                                          starts_at="2027-03-08T20:00:00Z"))
    assert outside.status_code == 422 and "starts_at" in error_of(outside)["fields"]
    last_day = api.post("/workshops", as_=coordinator, json=workshop_body(initiative,
                                                                           starts_at="2027-03-08T18:00:00Z"))
    assert last_day.status_code == 201
    past = api.post("/workshops", as_=coordinator, json=workshop_body(
        initiative, starts_at="2021-05-05T10:00:00+05:00", venue="Басқа", instructor="Басқа"))
    assert past.status_code == 201


def test_instructor_or_venue_overlap_is_409_schedule_conflict_and_back_to_back_is_fine(api, coordinator):
    initiative = make_initiative(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    db.session.commit()
    first = api.post("/workshops", as_=coordinator, json=workshop_body(initiative)).get_json()
    clash = api.post("/workshops", as_=coordinator, json=workshop_body(
        initiative, starts_at="2027-03-08T11:00:00+05:00", venue="Басқа зал"))
    assert clash.status_code == 409
    error = error_of(clash)
    assert error["code"] == "schedule_conflict"
    assert "Күй" in error["message"] or "Kui" in error["message"]  # names the clashing workshop
    venue = api.post("/workshops", as_=coordinator, json=workshop_body(
        initiative, starts_at="2027-03-08T09:00:00+05:00", instructor="Басқа педагог"))
    assert venue.status_code == 409 and error_of(venue)["code"] == "schedule_conflict"
    after = api.post("/workshops", as_=coordinator, json=workshop_body(initiative,
                                                                        starts_at="2027-03-08T11:30:00+05:00"))
    assert after.status_code == 201
    # PATCH is checked the same way; a cancelled workshop conflicts with nothing
    moved = api.patch(f"/workshops/{after.get_json()['id']}", as_=coordinator,
                      json={"starts_at": "2027-03-08T10:30:00+05:00"})
    assert moved.status_code == 409 and error_of(moved)["code"] == "schedule_conflict"
    cancelled = api.patch(f"/workshops/{first['id']}", as_=coordinator, json={"status": "cancelled"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert api.patch(f"/workshops/{after.get_json()['id']}", as_=coordinator,
                     json={"starts_at": "2027-03-08T10:30:00+05:00"}).status_code == 200


def test_capacity_cannot_drop_below_the_confirmed_and_raising_it_promotes_the_waitlist(api, coordinator):
    workshop = make_workshop(capacity=2)
    school = make_school()
    kids = [make_student(school) for _ in range(4)]
    register(workshop.id, [k.id for k in kids], actor=coordinator)
    db.session.commit()
    lowered = api.patch(f"/workshops/{workshop.id}", as_=coordinator, json={"capacity": 1})
    assert lowered.status_code == 409
    assert error_of(lowered)["code"] == "capacity_below_confirmed"
    raised = api.patch(f"/workshops/{workshop.id}", as_=coordinator, json={"capacity": 3})
    assert raised.status_code == 200
    assert (raised.get_json()["seats_taken"], raised.get_json()["waitlist_length"]) == (3, 1)
    listed = api.get(f"/workshops/{workshop.id}/signups", as_=coordinator).get_json()["items"]
    assert {s["student_id"]: (s["status"], s["waitlist_position"]) for s in listed} == {
        kids[0].id: ("confirmed", None), kids[1].id: ("confirmed", None), kids[2].id: ("confirmed", None),
        kids[3].id: ("waitlisted", 1)}
    waiting = api.get(f"/workshops/{workshop.id}/signups?status=waitlisted", as_=coordinator).get_json()
    assert [s["student_id"] for s in waiting["items"]] == [kids[3].id]


def test_patch_accepts_only_cancelled_as_a_status(api, coordinator):
    workshop = make_workshop()
    db.session.commit()
    for status in ("completed", "scheduled", "postponed"):
        response = api.patch(f"/workshops/{workshop.id}", as_=coordinator, json={"status": status})
        assert response.status_code == 422 and list(error_of(response)["fields"]) == ["status"]
    assert api.patch(f"/workshops/{workshop.id}", as_=coordinator, json={"status": "cancelled"}).status_code == 200
    again = api.patch(f"/workshops/{workshop.id}", as_=coordinator, json={"status": "cancelled"})
    assert again.status_code == 409


def test_an_empty_patch_changes_nothing(api, coordinator):
    workshop = make_workshop()
    db.session.commit()
    before = api.get(f"/workshops/{workshop.id}", as_=coordinator).get_json()
    assert api.patch(f"/workshops/{workshop.id}", as_=coordinator, json={}).get_json() == before


# --------------------------------------------------------------------------------------------- students

def test_a_coordinator_names_the_school_of_a_new_student(api, coordinator):
    school = make_school()
    db.session.commit()
    body = {"first_name": "Томирис", "last_name": "Ахметова", "grade": 0, "gender": "female",
            "guardian_consent": {"guardian_name": "Әсел Ахметова", "relationship": "анасы",
                                 "given_on": "2026-09-01"}}
    missing = api.post("/students", as_=coordinator, json=body)
    assert missing.status_code == 422 and list(error_of(missing)["fields"]) == ["school_id"]
    created = api.post("/students", as_=coordinator, json={**body, "school_id": school.id})
    assert created.status_code == 201
    student = created.get_json()
    assert student == {"id": student["id"], "school_id": school.id, "first_name": "Томирис",
                       "last_name": "Ахметова", "grade": 0, "gender": "female",
                       "guardian_consent": {"guardian_name": "Әсел Ахметова", "relationship": "анасы",
                                            "given_on": "2026-09-01", "method": "paper"},
                       "media_consent": False}  # no photos unless the guardian agreed
    assert api.get(f"/students/{student['id']}", as_=coordinator).get_json() == student
    found = api.get(f"/students?school_id={school.id}&q=томирис&grade=0", as_=coordinator).get_json()
    assert [s["id"] for s in found["items"]] == [student["id"]]


def test_consent_given_in_the_future_is_422_on_the_nested_field(api, coordinator):
    school = make_school()
    db.session.commit()
    body = {"first_name": "A", "last_name": "B", "grade": 3, "gender": "unspecified", "school_id": school.id,
            "guardian_consent": {"guardian_name": "C", "relationship": "D",
                                 "given_on": (programme_today() + timedelta(days=2)).isoformat()}}
    response = api.post("/students", as_=coordinator, json=body)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["guardian_consent.given_on"]


def test_erasure_leaves_no_name_and_keeps_the_figures(api, coordinator):
    funder_user = make_user("funder")
    initiative = make_initiative(funders=[funder_user.funder])
    workshop = make_workshop(initiative=initiative, starts_at=datetime.now(timezone.utc) - timedelta(days=1))
    school = make_school()
    kids = [make_student(school, grade=g) for g in (1, 6, 10)]
    register(workshop.id, [k.id for k in kids], actor=coordinator)
    db.session.commit()
    assert api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator,
                   json={"present": [k.id for k in kids]}).status_code == 200
    before = api.get("/reports/impact", as_=coordinator).get_json()
    assert api.delete(f"/students/{kids[0].id}", as_=coordinator).status_code == 204
    after = api.get("/reports/impact", as_=coordinator).get_json()
    assert after == before
    assert before["students_reached"] == 3
    names = [s["first_name"] for s in api.get("/students", as_=coordinator).get_json()["items"]]
    assert kids[0].first_name not in names and len(names) == 2


# ---------------------------------------------------------------------------------------- impact report

def test_the_impact_report_has_exactly_the_contract_keys(api, coordinator):
    response = api.get("/reports/impact?from=2026-01-01&to=2027-12-31", as_=coordinator)
    assert response.status_code == 200
    report = response.get_json()
    assert set(report) >= {"filters", "students_reached", "signups", "workshops_delivered", "attendance_rate",
                           "student_hours", "schools_reached", "regions_reached", "target_students", "by_region",
                           "by_gender", "by_grade_band", "by_settlement_type", "by_month", "suppression_threshold"}
    assert report["filters"] == {"initiative_id": None, "region": None, "from": "2026-01-01", "to": "2027-12-31"}
    assert report["suppression_threshold"] is None


def test_a_funder_gets_suppressed_cells_and_404_for_another_funders_initiative(api):
    funder_user = make_user("funder")
    mine = make_initiative(funders=[funder_user.funder], target_students=30)
    theirs = make_initiative(funders=[make_funder()])
    workshop = make_workshop(initiative=mine, starts_at=datetime.now(timezone.utc) - timedelta(days=1))
    school = make_school()
    kids = [make_student(school) for _ in range(3)]
    coordinator = make_user("coordinator")
    register(workshop.id, [k.id for k in kids], actor=coordinator)
    db.session.commit()
    api.put(f"/workshops/{workshop.id}/attendance", as_=coordinator, json={"present": [k.id for k in kids]})
    report = api.get(f"/reports/impact?initiative_id={mine.id}", as_=funder_user).get_json()
    # 3 children: under the threshold, so no child-derived figure at all (API.md, "Funders see protected figures")
    assert report["students_reached"] is None and report["suppressed"] is True and report["target_students"] == 30
    assert report["suppression_threshold"] >= 4 and report["rounding_base"] == 5
    assert report["by_gender"] == []  # not even which categories exist (rule 2)
    assert api.get(f"/reports/impact?initiative_id={theirs.id}", as_=funder_user).status_code == 404
    exact = api.get(f"/reports/impact?initiative_id={mine.id}", as_=coordinator).get_json()
    assert exact["by_gender"] == [{"key": "female", "students_reached": 3, "suppressed": False}]


def test_report_filters_are_checked(api, coordinator):
    assert api.get("/reports/impact?from=2027-02-01&to=2027-01-01", as_=coordinator).status_code == 422
    assert api.get("/reports/impact?region=KZ-00", as_=coordinator).status_code == 422
    assert api.get("/reports/impact?from=March", as_=coordinator).status_code == 422
    assert api.get("/reports/impact?initiative_id=987654", as_=coordinator).status_code == 404
