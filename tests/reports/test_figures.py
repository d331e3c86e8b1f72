"""Every figure of the impact report on a hand-built programme (tests/reports/data.py), worked out by hand."""
from __future__ import annotations

from datetime import date

import pytest

from outreach.errors import Forbidden, NotFound, OutreachError
from outreach.extensions import db
from outreach.reports.services import impact_report
from tests.factories import make_user
from tests.reports import data
from tests.reports.data import cells

CONTRACT_KEYS = {"filters", "students_reached", "signups", "workshops_delivered", "attendance_rate", "student_hours",
                 "schools_reached", "regions_reached", "target_students", "by_region", "by_gender", "by_grade_band",
                 "by_settlement_type", "by_month", "by_hours_band", "outcomes", "teacher_feedback",
                 "suppression_threshold", "rounding_base", "suppressed"}


@pytest.fixture
def programme(app):
    return data.build()


def test_every_figure_for_a_coordinator(programme):
    report = impact_report(programme.coordinator)
    assert CONTRACT_KEYS <= set(report) and set(report) - CONTRACT_KEYS == {"by_language", "average_hours",
                                                                           "teacher_comments", "outcome_target"}
    assert report["filters"] == {"initiative_id": None, "region": None, "from": None, "to": None}
    # delivered: W1 W2 W4 W5 W7 (W3 cancelled, W6 not started)
    assert report["workshops_delivered"] == 5
    # confirmed sign-ups to those: W1 3 + W2 3 + W4 2 + W5 2 (s2's cancelled one and s6's waitlisted one do not count)
    assert report["signups"] == 10
    # attended W1 s1 s2, W2 s1 s4 s5, W5 s3 = 6 of the 8 confirmed where attendance was taken (W1, W2, W5)
    assert report["attendance_rate"] == 0.75
    # s1 s2 s3 s4 s5, each once (s6 was only waitlisted)
    assert report["students_reached"] == 5
    # 2 × 90 + 3 × 60 + 1 × 90 minutes
    assert report["student_hours"] == 7.5
    assert report["schools_reached"] == 3 and report["regions_reached"] == 3
    # I1 100 + I2 50; I3 (archived) has none
    assert report["target_students"] == 150
    assert cells(report, "by_region") == {"KZ-19": 2, "KZ-71": 2, "KZ-75": 1}
    assert cells(report, "by_gender") == {"female": 2, "male": 2, "unspecified": 1}
    assert cells(report, "by_grade_band") == {"0-4": 2, "5-9": 2, "10-11": 1}
    assert cells(report, "by_settlement_type") == {"urban": 3, "rural": 2}
    # W2 starts on 1 April in Almaty (31 March in UTC); s1 counts in March and in April
    assert cells(report, "by_month") == {"2025-03": 2, "2025-04": 3, "2025-05": 1}
    assert cells(report, "by_language") == {"kk": 2, "ru": 3, "en": 1}
    # hours each attended: s1 90 + 60 minutes (2.5 h), s2 1.5 h, s3 1.5 h, s4 and s5 1 h
    assert cells(report, "by_hours_band") == {"0-2": 4, "2-5": 1}
    assert [c["key"] for c in report["by_hours_band"]] == ["0-2", "2-5"]
    assert report["average_hours"] == 1.5  # 7.5 student-hours over 5 students
    assert report["suppression_threshold"] is None
    assert not any(c["suppressed"] for name in ("by_region", "by_month", "by_gender") for c in report[name])
    # cells in a fixed order: regions by code, months in time, the others as the contract lists them
    assert [c["key"] for c in report["by_region"]] == ["KZ-19", "KZ-71", "KZ-75"]
    assert [c["key"] for c in report["by_gender"]] == ["female", "male", "unspecified"]
    assert [c["key"] for c in report["by_grade_band"]] == ["0-4", "5-9", "10-11"]


def test_one_initiative(programme):
    report = impact_report(programme.coordinator, initiative_id=programme.i1.id)
    assert report["filters"]["initiative_id"] == programme.i1.id
    assert report["workshops_delivered"] == 3  # W1 W2 W4
    assert report["signups"] == 8
    assert report["attendance_rate"] == round(5 / 6, 4)
    assert report["students_reached"] == 4  # s1 s2 s4 s5
    assert report["student_hours"] == 6.0
    assert report["target_students"] == 100
    assert cells(report, "by_language") == {"kk": 2, "ru": 3}


def test_an_initiative_without_target_has_none(programme):
    report = impact_report(programme.coordinator, initiative_id=programme.i3.id)
    assert report["target_students"] is None
    assert report["students_reached"] == 0 and report["attendance_rate"] is None
    assert report["by_region"] == [] and report["by_month"] == []


def test_region_of_the_students_school(programme):
    report = impact_report(programme.coordinator, region="KZ-19")  # school B: s3, s4
    assert report["signups"] == 5  # W1 s3, W2 s4, W4 s3 s4, W5 s3
    assert report["workshops_delivered"] == 4  # the delivered workshops with a sign-up from the region
    assert report["attendance_rate"] == round(2 / 3, 4)
    assert report["students_reached"] == 2 and report["student_hours"] == 2.5
    assert cells(report, "by_region") == {"KZ-19": 2}
    assert report["target_students"] == 150  # the region does not change which initiatives are counted


def test_period_is_inclusive_and_in_almaty_time(programme):
    april = impact_report(programme.coordinator, date_from=date(2025, 4, 1), date_to=date(2025, 4, 30))
    assert april["workshops_delivered"] == 1  # W2 (W3 was cancelled)
    assert april["students_reached"] == 3 and april["signups"] == 3 and april["attendance_rate"] == 1.0
    assert cells(april, "by_month") == {"2025-04": 3}
    assert april["filters"] == {"initiative_id": None, "region": None, "from": "2025-04-01", "to": "2025-04-30"}
    march = impact_report(programme.coordinator, date_to=date(2025, 3, 31))
    assert march["students_reached"] == 2 and march["workshops_delivered"] == 1  # W1 only
    one_day = impact_report(programme.coordinator, date_from=date(2025, 3, 10), date_to=date(2025, 3, 10))
    assert one_day["students_reached"] == 2


def test_a_period_from_the_middle_of_a_month_counts_only_its_part_of_the_month(programme):
    # W2 (1 April, all present) is before the period; W3 was cancelled: nobody was reached from 2 April on,
    # in no month, language, school or cell; from 20 March, W2's three students, in April only
    late_april = impact_report(programme.coordinator, date_from=date(2025, 4, 2), date_to=date(2025, 4, 30))
    assert late_april["students_reached"] == 0 and late_april["schools_reached"] == 0
    assert cells(late_april, "by_month") == {} and cells(late_april, "by_language") == {}
    assert cells(late_april, "by_region") == {}
    spring = impact_report(programme.coordinator, date_from=date(2025, 3, 20), date_to=date(2025, 4, 10))
    assert spring["students_reached"] == 3 and spring["schools_reached"] == 3
    assert cells(spring, "by_month") == {"2025-04": 3} and cells(spring, "by_language") == {"ru": 3}


def test_erasing_a_student_changes_no_figure(programme):
    from outreach.students import services as students

    before = impact_report(programme.coordinator)
    students.erase_student(programme.students["s5"], actor=programme.coordinator)
    db.session.commit()
    assert programme.students["s5"].first_name is None
    assert impact_report(programme.coordinator) == before


def test_a_funder_counts_only_the_initiatives_it_funds(programme, app):
    report = impact_report(programme.funder1)
    # I1 only: W1 W2 W4 delivered, and I1's target; s1 s2 s4 s5 reached: 4 is under the threshold, so no
    # child-derived figure is shown at all
    assert report["workshops_delivered"] == 3 and report["target_students"] == 100
    assert report["students_reached"] is None and report["signups"] is None and report["suppressed"] is True
    assert report["suppression_threshold"] == 10 and report["rounding_base"] == 5
    # the total is under the threshold: every cell is suppressed
    assert all(c["suppressed"] and c["students_reached"] is None
               for name in ("by_region", "by_gender", "by_grade_band", "by_settlement_type", "by_month")
               for c in report[name])
    with pytest.raises(NotFound):
        impact_report(programme.funder1, initiative_id=programme.i2.id)
    with pytest.raises(NotFound):
        impact_report(programme.funder2, initiative_id=programme.i1.id)
    with pytest.raises(NotFound):
        impact_report(programme.coordinator, initiative_id=999999)


def test_a_school_may_not_see_the_report(programme):
    with pytest.raises(Forbidden):
        impact_report(make_user("school"))


def test_filters_are_checked(programme):
    with pytest.raises(OutreachError) as error:
        impact_report(programme.coordinator, date_from=date(2025, 5, 1), date_to=date(2025, 4, 1))
    assert error.value.status == 422 and "to" in error.value.fields
    with pytest.raises(OutreachError) as error:
        impact_report(programme.coordinator, region="KZ-00")
    assert error.value.status == 422 and "region" in error.value.fields


def test_the_per_school_table(programme):
    from outreach.reports.services import school_table

    page = school_table(programme.coordinator)
    rows = {row.name: row for row in page.items}
    assert page.total == 3
    # most students reached first; B and A tie on 2, B has more sign-ups
    assert [row.name for row in page.items] == ["Мектеп Б", "Мектеп А", "Мектеп В"]
    a, b, c = rows["Мектеп А"], rows["Мектеп Б"], rows["Мектеп В"]
    # A: W1 s1 s2, W2 s1, W5 s1 (absent); s6 only waitlisted
    assert (a.students_reached, a.signups, a.attended, a.attendance_rate, a.student_hours) == (2, 4, 3, 0.75, 4.0)
    # B: W1 s3 (absent), W2 s4, W4 s3 s4 (not recorded), W5 s3
    assert (b.students_reached, b.signups, b.attended, b.attendance_rate, b.student_hours) == (
        2, 5, 2, round(2 / 3, 4), 2.5)
    assert (c.students_reached, c.signups, c.attended, c.student_hours) == (1, 1, 1, 1.0)
    # the rows add up to the report's totals
    report = impact_report(programme.coordinator)
    assert sum(r.students_reached for r in page.items) == report["students_reached"]
    assert sum(r.signups for r in page.items) == report["signups"]
    second = school_table(programme.coordinator, page=2, per_page=2)
    assert [row.name for row in second.items] == ["Мектеп В"] and second.total == 3
    with pytest.raises(Forbidden):
        school_table(programme.funder1)


def test_a_funder_without_initiatives_sees_an_empty_report(app, client, login):
    funder = make_user("funder")
    report = impact_report(funder)
    # no student is fewer than the threshold: nothing child-derived is shown, not even a 0
    assert report["students_reached"] is None and report["signups"] is None and report["suppressed"] is True
    assert report["workshops_delivered"] == 0
    assert report["target_students"] is None and report["by_region"] == []
    login(funder)
    assert client.get("/reports/impact").status_code == 200
