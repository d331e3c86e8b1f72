"""Hours that mean something: each student's hours attended in bands, the average per student, protected for
funders like every breakdown."""
from __future__ import annotations

from datetime import timedelta

import pytest

from outreach.attendance import services as attendance
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.reports import rollups, services as reports
from outreach.signups import services as signups
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop


def bands(report) -> dict[str, int | None]:
    return {cell["key"]: cell["students_reached"] for cell in report["by_hours_band"]}


@pytest.fixture
def course(app):
    """An initiative of a funder: four 90-minute workshops in the past, twelve students of one school."""
    coordinator = make_user("coordinator")
    funder = make_funder()
    initiative = make_initiative(funders=[funder])
    school = make_school()
    students = [make_student(school) for _ in range(12)]
    workshops = [make_workshop(initiative=initiative, starts_at=utcnow() - timedelta(days=10 - i),
                               duration_minutes=90, capacity=20) for i in range(4)]
    for workshop in workshops:
        signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    return coordinator, funder, initiative, students, workshops


def mark(workshop, marks, coordinator):
    attendance.record_marks(workshop.id, marks, actor=coordinator)
    db.session.commit()


def test_each_students_hours_fall_in_one_band_and_the_average_is_per_student(course):
    coordinator, _funder, initiative, students, workshops = course
    # students 0-7 come to every workshop (6 h); 8 and 9 to one, late by an hour (30 minutes each);
    # 10 is excused everywhere; 11 absent everywhere
    for workshop in workshops:
        marks = {s.id: attendance.Recorded("present") for s in students[:8]}
        marks[students[10].id] = attendance.Recorded("excused")
        mark(workshop, marks, coordinator)
    mark(workshops[0], {**{s.id: attendance.Recorded("present") for s in students[:8]},
                        students[8].id: attendance.Recorded("late", 30), students[9].id: attendance.Recorded("late", 30),
                        students[10].id: attendance.Recorded("excused")}, coordinator)
    report = reports.impact_report(coordinator, initiative_id=initiative.id)
    assert report["students_reached"] == 10
    assert report["student_hours"] == 8 * 6 + 1.0
    assert bands(report) == {"0-2": 2, "5-10": 8}
    assert report["average_hours"] == round(49 / 10, 2)
    # the excused student is left out of the rate: 8 × 4 + 2 attended of 12 × 4 − 4 excused
    assert report["attendance_rate"] == round(34 / 44, 4)
    assert rollups.drift() == 0


def test_a_funder_sees_the_bands_protected(course):
    coordinator, funder_record, initiative, students, workshops = course
    funder = make_user("funder", funder=funder_record)
    for workshop in workshops[:3]:  # eleven students 4.5 h, one of them 6 h
        mark(workshop, {s.id: attendance.Recorded("present") for s in students[:11]}, coordinator)
    mark(workshops[3], {students[0].id: attendance.Recorded("present")}, coordinator)
    exact = reports.impact_report(coordinator, initiative_id=initiative.id)
    assert bands(exact) == {"2-5": 10, "5-10": 1}
    shown = reports.impact_report(funder, initiative_id=initiative.id)
    # every band is listed (API.md rule 5): the empty ones are hidden like the one student with more hours, so
    # three cells are hidden and none of them can be told from the others
    assert bands(shown) == {"0-2": None, "2-5": 10, "5-10": None, "10+": None}
    assert {c["suppressed_because"] for c in shown["by_hours_band"] if c["suppressed"]} == {"small"}
    assert shown["average_hours"] == 4.5  # 4.64 to the half hour
    assert exact["average_hours"] == round((10 * 4.5 + 6) / 11, 2)


def test_a_small_selection_hides_the_average_and_the_bands(course):
    coordinator, funder_record, initiative, students, workshops = course
    funder = make_user("funder", funder=funder_record)
    mark(workshops[0], {s.id: attendance.Recorded("present") for s in students[:3]}, coordinator)
    shown = reports.impact_report(funder, initiative_id=initiative.id)
    assert shown["suppressed"] and shown["average_hours"] is None
    assert all(cell["students_reached"] is None for cell in shown["by_hours_band"])


def test_the_report_page_and_the_csv_show_the_bands(course, client, login):
    coordinator, _funder, initiative, students, workshops = course
    mark(workshops[0], {s.id: attendance.Recorded("present") for s in students}, coordinator)
    login(coordinator)
    page = client.get(f"/reports/impact?initiative_id={initiative.id}").get_data(as_text=True)
    assert "Hours each student attended" in page and "Under 2 hours" in page
    assert "Average hours per student" in page
    csv = client.get(f"/reports/impact.csv?initiative_id={initiative.id}").get_data(as_text=True)
    assert "Hours each student attended" in csv and "Under 2 hours" in csv
