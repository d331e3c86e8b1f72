"""The roster's rules as the pages and the API meet them: consent, scoping, search, erasure."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from outreach.attendance import services as attendance
from outreach.attendance.models import Attendance
from outreach.audit.models import AuditEvent
from outreach.errors import Forbidden, NotFound, OutreachError
from outreach.extensions import db
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.students import services
from outreach.students.models import GuardianConsent, Student
from tests.factories import make_school, make_student, make_user, make_workshop
from tests.students.helpers import consent_data, student_data
from tests.clock import programme_today


def _students() -> int:
    return db.session.scalar(select(func.count()).select_from(Student))


# --- consent rules ---------------------------------------------------------------------------------

def test_a_student_with_full_consent_is_saved_to_the_school_users_own_school():
    own, other = make_school(), make_school()
    user = make_user("school", school=own)
    student = services.create_student(student_data(school_id=other.id), actor=user)
    assert student.id and student.school_id == own.id
    assert student.consent.guardian_name == "Айгүл Сейітова"
    assert student.consent.relationship_to_student == "анасы"
    assert student.consent.method == "paper" and student.consent.recorded_by_id == user.id


@pytest.mark.parametrize("consent", [None, {}, "yes", {"method": "paper"}])
def test_no_consent_no_student(consent):
    user = make_user("school")
    data = student_data()
    if consent is None:
        del data["guardian_consent"]
    else:
        data["guardian_consent"] = consent
    with pytest.raises(OutreachError) as caught:
        services.create_student(data, actor=user)
    assert caught.value.status == 422
    assert list(caught.value.fields) == ["guardian_consent"]
    assert _students() == 0


def test_each_missing_consent_field_is_named_with_a_dot():
    user = make_user("school")
    with pytest.raises(OutreachError) as caught:
        services.create_student(student_data(guardian_consent={"given_on": programme_today()}), actor=user)
    assert set(caught.value.fields) == {"guardian_consent.guardian_name", "guardian_consent.relationship"}
    with pytest.raises(OutreachError) as caught:
        services.create_student(student_data(guardian_consent=consent_data(
            given_on=programme_today() + timedelta(days=2), method="fax", guardian_name=" ")), actor=user)
    assert set(caught.value.fields) == {"guardian_consent.given_on", "guardian_consent.method",
                                        "guardian_consent.guardian_name"}
    assert "future" in str(caught.value.fields["guardian_consent.given_on"][0])
    assert _students() == 0


def test_consent_method_defaults_to_paper_and_electronic_is_kept():
    user = make_user("school")
    consent = consent_data()
    del consent["method"]
    assert services.create_student(student_data(guardian_consent=consent), actor=user).consent.method == "paper"
    electronic = services.create_student(student_data(first_name="Дана", guardian_consent=consent_data(
        method="electronic")), actor=user)
    assert electronic.consent.method == "electronic"


@pytest.mark.parametrize("field,value", [
    ("first_name", ""), ("last_name", "   "), ("first_name", "я" * 101), ("grade", 12), ("grade", -1),
    ("grade", None), ("grade", "5"), ("grade", True), ("gender", "boy"), ("gender", None),
])
def test_student_fields_are_checked(field, value):
    user = make_user("school")
    with pytest.raises(OutreachError) as caught:
        services.create_student(student_data(**{field: value}), actor=user)
    assert list(caught.value.fields) == [field]
    assert _students() == 0


def test_grades_0_and_11_are_fine_and_names_are_tidied():
    user = make_user("school")
    preschool = services.create_student(student_data(grade=0, first_name="  Әлия  Мәди "), actor=user)
    assert preschool.grade == 0 and preschool.first_name == "Әлия Мәди"
    assert services.create_student(student_data(grade=11, first_name="Ерлан"), actor=user).grade == 11


def test_coordinators_choose_an_existing_school():
    coordinator = make_user("coordinator")
    with pytest.raises(OutreachError) as caught:
        services.create_student(student_data(), actor=coordinator)
    assert list(caught.value.fields) == ["school_id"]
    with pytest.raises(OutreachError) as caught:
        services.create_student(student_data(school_id=987654), actor=coordinator)
    assert list(caught.value.fields) == ["school_id"]
    school = make_school()
    assert services.create_student(student_data(school_id=school.id), actor=coordinator).school_id == school.id


def test_funders_keep_no_roster():
    with pytest.raises(Forbidden):
        services.create_student(student_data(school_id=make_school().id), actor=make_user("funder"))


def test_update_changes_only_what_is_given_and_checks_it():
    user = make_user("school")
    student = services.create_student(student_data(), actor=user)
    services.update_student(student, {"grade": 6, "guardian_consent": {"relationship": "әжесі"}}, actor=user)
    assert (student.grade, student.first_name, student.consent.relationship_to_student) == (6, "Әлия", "әжесі")
    assert student.consent.guardian_name == "Айгүл Сейітова"
    with pytest.raises(OutreachError) as caught:
        services.update_student(student, {"grade": 13, "guardian_consent": {"given_on": None}}, actor=user)
    assert set(caught.value.fields) == {"grade", "guardian_consent.given_on"}
    with pytest.raises(OutreachError) as caught:
        services.update_student(student, {"guardian_consent": None}, actor=user)
    assert list(caught.value.fields) == ["guardian_consent"]


def test_update_renames_and_search_follows():
    user = make_user("school")
    student = services.create_student(student_data(), actor=user)
    services.update_student(student, {"first_name": "Гүлназ"}, actor=user)
    db.session.commit()
    assert _search(user, "гүлназ") == [student.id]
    assert _search(user, "әлия") == []


def test_a_school_cannot_change_or_move_another_schools_student():
    student = make_student(make_school())
    intruder = make_user("school")
    with pytest.raises(NotFound):
        services.update_student(student, {"grade": 3}, actor=intruder)
    with pytest.raises(NotFound):
        services.get_student(student.id, actor=intruder)
    mine = services.create_student(student_data(), actor=intruder)
    services.update_student(mine, {"school_id": student.school_id}, actor=intruder)
    assert mine.school_id == intruder.school_id


# --- who sees whom, and search ---------------------------------------------------------------------

def _search(user, q=None, **kw):
    return [s.id for s in db.session.scalars(services.students_query(user, q=q, **kw)).unique()]


def test_query_is_scoped_and_never_shows_erased_students():
    school, other = make_school(), make_school()
    mine = make_student(school, first_name="Әлия")
    theirs = make_student(other, first_name="Дана")
    gone = make_student(school, first_name="Ерлан")
    services.erase_student(gone, actor=make_user("coordinator"))
    assert _search(make_user("school", school=school)) == [mine.id]
    assert sorted(_search(make_user("coordinator"))) == sorted([mine.id, theirs.id])
    assert _search(make_user("coordinator"), school_id=other.id) == [theirs.id]
    assert _search(make_user("school", school=school), school_id=other.id) == []
    assert _search(make_user("funder")) == []


def test_name_search_ignores_case_for_kazakh_and_russian_letters():
    school = make_school()
    user = make_user("school", school=school)
    alia = make_student(school, first_name="Әлия", last_name="Сейітова", grade=5)
    ivan = make_student(school, first_name="Иван", last_name="Құрманов", grade=7)
    db.session.commit()
    assert _search(user, "әлия") == [alia.id]
    assert _search(user, "СЕЙІТОВА") == [alia.id]
    assert _search(user, "сейітова әлия") == [alia.id]
    assert _search(user, "қҰр") == [ivan.id]
    assert _search(user, "%") == []
    assert _search(user, "ов", grade=7) == [ivan.id]


# --- erasure ---------------------------------------------------------------------------------------

def _figures(school_id):
    confirmed_past = db.session.scalar(select(func.count()).select_from(Signup).join(Student).where(
        Student.school_id == school_id, Signup.status == "confirmed"))
    present = db.session.scalar(select(func.count()).select_from(Attendance).where(Attendance.present.is_(True)))
    by_grade_gender = db.session.execute(select(Student.grade, Student.gender, func.count()).join(
        Signup, Signup.student_id == Student.id).where(Student.school_id == school_id).group_by(
        Student.grade, Student.gender)).all()
    return confirmed_past, present, sorted(by_grade_gender)


def test_erasure_removes_names_for_good_and_keeps_the_figures():
    school = make_school()
    coordinator = make_user("coordinator")
    rep = make_user("school", school=school)
    student = services.create_student(student_data(
        first_name="Әлия", last_name="Құрманғазиева",
        guardian_consent=consent_data(guardian_name="Гүлнар Құрманғазиева", relationship="анасы")), actor=rep)
    friend = make_student(school)
    past = make_workshop(starts_at=datetime.now(timezone.utc) - timedelta(days=10))
    signups.register(past.id, [student.id, friend.id], actor=coordinator)
    attendance.record(past.id, [student.id], actor=coordinator)
    db.session.commit()
    before = _figures(school.id)
    signup_rows = db.session.scalar(select(func.count()).select_from(Signup))
    attendance_rows = db.session.scalar(select(func.count()).select_from(Attendance))

    services.erase_student(student, actor=rep)
    db.session.commit()
    db.session.expire_all()

    raw = db.session.execute(text("SELECT first_name, last_name, name_folded, erased_at, school_id, grade, gender "
                                  "FROM student WHERE id = :id"), {"id": student.id}).one()
    assert raw[:3] == (None, None, None) and raw[3] is not None
    assert raw[4:] == (school.id, 5, "female")
    consent = db.session.execute(text("SELECT guardian_name, relationship, given_on, method, withdrawn_at "
                                      "FROM guardian_consent WHERE student_id = :id"), {"id": student.id}).one()
    assert consent[:2] == (None, None) and consent[2] is not None and consent[3] == "paper" and consent[4] is not None
    # sign-ups and attendance stay, anonymous: same rows, same figures
    assert db.session.scalar(select(func.count()).select_from(Signup)) == signup_rows
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == attendance_rows
    assert _figures(school.id) == before
    # nothing in the database still holds the names
    dump = json.dumps([list(map(str, r)) for r in db.session.execute(text("SELECT * FROM student")).all()]
                      + [list(map(str, r)) for r in db.session.execute(text("SELECT * FROM guardian_consent")).all()]
                      + [list(map(str, r)) for r in db.session.execute(text("SELECT * FROM audit_event")).all()],
                      ensure_ascii=False)
    assert "Құрманғазиева" not in dump and "құрманғазиева" not in dump and "Әлия" not in dump, dump
    # and the student is gone from everywhere the services reach
    with pytest.raises(NotFound):
        services.get_student(student.id, actor=coordinator)
    assert student.id not in _search(coordinator)
    with pytest.raises(NotFound):
        services.erase_student(db.session.get(Student, student.id), actor=coordinator)


def test_erasure_is_audited_by_id_only():
    rep = make_user("school")
    student = services.create_student(student_data(), actor=rep)
    services.erase_student(student, actor=rep)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "student.erased")).one()
    assert (event.object_type, event.object_id, event.actor_id) == ("student", student.id, rep.id)
    assert "Әлия" not in json.dumps(event.details, ensure_ascii=False)


def test_erasure_frees_upcoming_seats_for_the_waitlist():
    school = make_school()
    rep = make_user("school", school=school)
    leaving, waiting = make_student(school), make_student(school)
    upcoming = make_workshop(capacity=1)
    signups.register(upcoming.id, [leaving.id, waiting.id], actor=rep)
    db.session.commit()
    services.erase_student(leaving, actor=rep)
    db.session.commit()
    rows = {s.student_id: s for s in db.session.scalars(select(Signup).where(Signup.workshop_id == upcoming.id))}
    assert rows[leaving.id].status == "cancelled"
    assert rows[waiting.id].status == "confirmed" and rows[waiting.id].waitlist_position is None
    db.session.refresh(upcoming)
    assert (upcoming.seats_taken, upcoming.waitlist_length) == (1, 0)


def test_a_school_cannot_erase_another_schools_student():
    student = make_student(make_school())
    with pytest.raises(NotFound):
        services.erase_student(student, actor=make_user("school"))
    assert db.session.get(Student, student.id).first_name is not None


def test_the_database_refuses_a_half_erased_student():
    """CHECK constraints back the rule even without the service."""
    from sqlalchemy.exc import IntegrityError

    student = make_student(make_school())
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE student SET erased_at = CURRENT_TIMESTAMP, first_name = NULL, "
                                "last_name = NULL WHERE id = :id"), {"id": student.id})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(GuardianConsent)) == 1
