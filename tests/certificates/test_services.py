"""Who qualifies for a certificate of participation, and what the certificate says."""
from __future__ import annotations

import pytest
from outreach.certificates import services
from outreach.errors import Conflict, NotFound, OutreachError
from outreach.extensions import db
from outreach.students.services import erase_student
from tests.certificates.helpers import P, attend, past_workshops, world
from tests.factories import make_initiative


def _names(user, school, **kw) -> list[str]:
    rows = db.session.execute(services.qualifiers_query(user, school.id, **kw)).all()
    return [row[0].first_name for row in rows]


def test_present_and_late_count_excused_and_absent_do_not(app):
    w = world()
    # Әлия: 3 present (just enough); Ерлан: 2 present + 1 late; Дана: 2 present, 1 excused, 1 absent
    assert set(_names(w["coordinator"], w["school"])) == {"Әлия", "Ерлан"}
    with pytest.raises(Conflict) as refused:
        services.student_certificate(w["coordinator"], w["dana"].id, w["initiative"].id)
    assert "Attended: 2." in str(refused.value.message)


def test_the_threshold_is_the_setting(app):
    w = world()
    app.config["CERTIFICATE_MIN_SESSIONS"] = 4
    try:
        assert _names(w["coordinator"], w["school"]) == []
        assert _names(w["coordinator"], w["other_school"]) == ["Мария"]  # present 4 times
        app.config["CERTIFICATE_MIN_SESSIONS"] = 2
        assert set(_names(w["coordinator"], w["school"])) == {"Дана", "Әлия", "Ерлан"}
    finally:
        app.config["CERTIFICATE_MIN_SESSIONS"] = 3


def test_a_certificate_sums_the_hours_dates_and_artists_of_the_workshops_attended(app):
    w = world()
    erlan = services.student_certificate(w["coordinator"], w["erlan"].id, w["initiative"].id)
    assert (erlan.sessions, erlan.minutes, erlan.hours) == (3, 90 + 90 + 60, 4.0)
    days = [ws.starts_at.astimezone(services.local_tz()).date() for ws in w["workshops"]]
    assert (erlan.first_day, erlan.last_day) == (days[0], days[2])  # the fourth he missed
    assert erlan.artists == ["Айгерім Сәрсенова"]
    assert erlan.language == "kk"  # the school's
    assert services.student_certificate(w["coordinator"], w["erlan"].id, w["initiative"].id, lang="ru").language == "ru"


def test_the_artist_of_most_sessions_comes_first(app):
    w = world()
    more = past_workshops(w["initiative"], 2, artist="Ерлан Қасымов")
    attend(more, {w["aliya"]: [P, P]}, actor=w["coordinator"])
    aliya = services.student_certificate(w["coordinator"], w["aliya"].id, w["initiative"].id)
    assert aliya.sessions == 5 and aliya.artists == ["Айгерім Сәрсенова", "Ерлан Қасымов"]


def test_another_initiative_counts_apart(app):
    w = world()
    other = make_initiative(title={"kk": "Домбыра үні"})
    attend(past_workshops(other, 2), {w["aliya"]: [P, P]}, actor=w["coordinator"])
    with pytest.raises(Conflict):
        services.student_certificate(w["coordinator"], w["aliya"].id, other.id)
    assert services.student_sessions(w["aliya"]) == {w["initiative"].id: 3, other.id: 2}


def test_a_school_makes_certificates_of_its_own_students_only(app):
    w = world()
    rep = w["rep"]
    assert services.student_certificate(rep, w["aliya"].id, w["initiative"].id).student.id == w["aliya"].id
    with pytest.raises(NotFound):
        services.student_certificate(rep, w["other"].id, w["initiative"].id)
    with pytest.raises(NotFound):
        services.class_certificates(rep, w["other_school"].id, w["initiative"].id)
    assert _names(rep, w["other_school"]) == []  # the scoped students: none of another school


def test_a_class_is_one_grade_and_nobody_qualifying_is_a_conflict(app):
    w = world()
    fifth = services.class_certificates(w["coordinator"], w["school"].id, w["initiative"].id, grade=5)
    assert [c.student.first_name for c in fifth] == ["Ерлан", "Әлия"]  # by name: Құрманов before Сейітқызы
    with pytest.raises(Conflict):
        services.class_certificates(w["coordinator"], w["school"].id, w["initiative"].id, grade=6)
    with pytest.raises(OutreachError) as invalid:
        services.class_certificates(w["coordinator"], w["school"].id, 10**6)
    assert invalid.value.status == 422 and "initiative_id" in invalid.value.fields


def test_an_erased_student_gets_no_certificate(app):
    w = world()
    erase_student(w["aliya"], actor=w["coordinator"])
    db.session.flush()
    assert _names(w["coordinator"], w["school"]) == ["Ерлан"]
    with pytest.raises(NotFound):
        services.student_certificate(w["coordinator"], w["aliya"].id, w["initiative"].id)


def test_a_cancelled_workshop_does_not_count(app):
    w = world()
    w["workshops"][0].status = "cancelled"
    db.session.flush()
    assert _names(w["coordinator"], w["school"]) == []  # Әлия and Ерлан are down to two
