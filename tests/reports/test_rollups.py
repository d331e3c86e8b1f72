"""The impact facts stay exactly right through every write path that changes what a sign-up counts for."""
from __future__ import annotations

import pytest

from outreach.attendance import services as attendance
from outreach.extensions import db
from outreach.reports import rollups
from outreach.reports.services import impact_report
from outreach.signups import services as signups
from outreach.signups.models import Signup
from tests.reports import data
from tests.reports.data import cells, local


@pytest.fixture
def programme(app):
    built = data.build()
    assert rollups.drift() == 0
    return built


def report(programme, **filters):
    db.session.flush()
    assert rollups.drift() == 0
    return impact_report(programme.coordinator, **filters)


def test_attendance_corrections_and_promotions(programme):
    p, s, w = programme, programme.students, programme.workshops
    attendance.record(w["W1"].id, [s["s1"].id], actor=p.coordinator)  # s2 was absent after all
    assert report(p)["students_reached"] == 4
    # s3 leaves W1: s6, first on the waitlist, gets the seat (absent: attendance was taken before)
    seat = db.session.scalar(db.select(Signup).where(Signup.workshop_id == w["W1"].id,
                                                     Signup.student_id == s["s3"].id))
    _cancelled, promoted = signups.cancel(seat.id, actor=p.coordinator)
    assert promoted.student_id == s["s6"].id
    after = report(p)
    assert after["signups"] == 10 and after["attendance_rate"] == round(5 / 8, 4)
    attendance.record(w["W1"].id, [s["s1"].id, s["s6"].id], actor=p.coordinator)
    assert report(p)["students_reached"] == 5


def test_workshop_changes(programme):
    from outreach.workshops import services as workshops

    p, w = programme, programme.workshops
    workshops.update_workshop(w["W2"], {"starts_at": local(2025, 5, 2, 10), "language": "kk"}, actor=p.coordinator)
    moved = report(p)
    assert cells(moved, "by_month") == {"2025-03": 2, "2025-05": 4}
    assert cells(moved, "by_language") == {"kk": 4, "en": 1}
    workshops.update_workshop(w["W5"], {"duration_minutes": 30}, actor=p.coordinator)
    assert report(p)["student_hours"] == 7.5 - 1.0
    workshops.update_workshop(w["W4"], {"initiative_id": p.i2.id}, actor=p.coordinator)
    assert report(p, initiative_id=p.i2.id)["signups"] == 4  # W4's two and W5's two
    workshops.cancel_workshop(w["W4"], actor=p.coordinator)
    assert report(p)["signups"] == 8 and report(p)["workshops_delivered"] == 4


def test_student_and_school_changes(programme):
    from outreach.schools import services as schools
    from outreach.students import services as students

    p, s = programme, programme.students
    students.update_student(s["s3"], {"grade": 4, "gender": "male"}, actor=p.coordinator)
    changed = report(p)
    assert cells(changed, "by_grade_band") == {"0-4": 3, "5-9": 2}
    assert cells(changed, "by_gender") == {"female": 1, "male": 3, "unspecified": 1}
    students.update_student(s["s3"], {"school_id": p.schools["A"].id}, actor=p.coordinator)
    assert cells(report(p), "by_region") == {"KZ-19": 1, "KZ-71": 3, "KZ-75": 1}
    schools.update_school(p.schools["B"], {"region": "KZ-61", "settlement_type": "urban"}, actor=p.coordinator)
    moved = report(p)
    assert cells(moved, "by_region") == {"KZ-61": 1, "KZ-71": 3, "KZ-75": 1}
    assert cells(moved, "by_settlement_type") == {"urban": 5}
    assert report(p, region="KZ-61")["signups"] == 2  # s4: W2 and W4


def test_rebuild_gives_the_same_table(programme):
    before = impact_report(programme.coordinator)
    assert rollups.rebuild() == 10 + 1  # the ten counted sign-ups and W6's (not delivered yet)
    assert rollups.drift() == 0
    assert impact_report(programme.coordinator) == before


def test_the_commands_find_and_repair_a_wrong_fact(programme, app):
    from sqlalchemy import update

    from outreach.reports.models import ImpactFact

    runner = app.test_cli_runner()
    assert runner.invoke(args=["reports", "check-facts"]).exit_code == 0
    db.session.execute(update(ImpactFact).values(attended=0))
    db.session.commit()
    checked = runner.invoke(args=["reports", "check-facts"])
    assert checked.exit_code == 1 and "rebuild-facts" in checked.output
    assert runner.invoke(args=["reports", "rebuild-facts"]).exit_code == 0
    assert runner.invoke(args=["reports", "check-facts"]).exit_code == 0
    assert impact_report(programme.coordinator)["students_reached"] == 5


def _exact(user, **filters):
    """A report's exact figures as `user`'s scope reads them (the funder's protection not applied)."""
    from outreach.reports import services

    db.session.flush()
    return services.report_for_scope(services.build_scope(user, **filters), filters={})


def test_a_funders_figures_follow_a_change_of_its_initiatives(programme):
    from outreach.initiatives import services as initiatives
    from outreach.reports.models import ImpactScope

    p = programme
    assert _exact(p.funder2)["students_reached"] == 1  # I2: s3 at W5
    initiatives.update_initiative(p.i1, {"funder_ids": [p.f1.id, p.f2.id]}, actor=p.coordinator)
    db.session.commit()
    # F2 now funds I1 too: its counts were made again for both, in the same transaction
    assert db.session.get(ImpactScope, p.f2.id).initiative_ids == ",".join(str(i) for i in sorted((p.i1.id, p.i2.id)))
    both = _exact(p.funder2)
    assert both["students_reached"] == 5 and cells(both, "by_language") == {"kk": 2, "ru": 3, "en": 1}
    assert both == {**_exact(p.coordinator), "target_students": 150}
    initiatives.update_initiative(p.i1, {"funder_ids": [p.f1.id]}, actor=p.coordinator)
    db.session.commit()
    assert _exact(p.funder2)["students_reached"] == 1 and rollups.drift() == 0


def test_attendance_of_a_workshop_moved_to_a_later_date_is_not_counted(programme):
    from outreach.reports.services import school_table
    from outreach.workshops import services as workshops

    p, w = programme, programme.workshops
    before = report(p)
    # W2 took place (s1 s4 s5 present), then is moved into the future: not delivered, so not counted, though
    # its recorded attendance stays (the counts kept per region cannot say so: the report reads the facts)
    workshops.update_workshop(w["W2"], {"starts_at": local(2027, 4, 1, 10)}, actor=p.coordinator)
    db.session.commit()
    moved = report(p)
    assert before["students_reached"] == 5 and moved["students_reached"] == 3  # s4 and s5 only came to W2
    assert moved["workshops_delivered"] == before["workshops_delivered"] - 1
    assert cells(moved, "by_language") == {"kk": 2, "en": 1}
    rows = {row.name: (row.students_reached, row.signups) for row in school_table(p.coordinator).items}
    assert rows == {"Мектеп А": (2, 3), "Мектеп Б": (1, 4)}  # C's only sign-up was to W2
    assert _exact(p.funder1)["students_reached"] == 2  # I1: s1 s2 at W1
