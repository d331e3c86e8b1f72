"""Retention: RETENTION_NOTICE_DAYS before a student's retention period ends the school's representative is told
(once, in their language), can keep the student from /students/retention, and `flask retention run` erases the
others the way a withdrawal erases — the figures do not change."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from outreach.attendance import services as attendance
from outreach.audit.models import AuditEvent
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage
from outreach.signups import services as signups
from outreach.students import retention
from outreach.students.models import Student
from tests.conftest import Csrf
from tests.factories import make_school, make_student, make_user, make_workshop
from tests.students.test_services import _figures

NOW = datetime.now(timezone.utc)


def _school_with_students():
    school = make_school()
    rep = make_user("school", school=school, locale="ru")
    coordinator = make_user("coordinator")
    old = make_student(school, first_name="Әлия", last_name="Құрманғазиева")       # last workshop 25 months ago
    never = make_student(school, first_name="Дана", last_name="Бекова")           # consent 25 months ago, no workshop
    never.consent.given_on = (NOW - timedelta(days=25 * 31)).date()
    soon = make_student(school, first_name="Ерлан", last_name="Жақсыбеков")       # 24 months less 10 days ago
    recent = make_student(school, first_name="Мадина", last_name="Сәрсенова")     # last month: stays
    for student in (old, soon, recent):
        student.consent.given_on = (NOW - timedelta(days=30 * 30)).date()
    long_ago = make_workshop(starts_at=NOW - timedelta(days=25 * 31))
    nearly = make_workshop(starts_at=retention.add_months(NOW, -24) + timedelta(days=10))
    lately = make_workshop(starts_at=NOW - timedelta(days=30))
    signups.register(long_ago.id, [old.id, recent.id], actor=coordinator)
    attendance.record(long_ago.id, [old.id, recent.id], actor=coordinator)
    signups.register(nearly.id, [soon.id], actor=coordinator)
    signups.register(lately.id, [recent.id], actor=coordinator)
    db.session.commit()
    return school, rep, coordinator, {"old": old.id, "never": never.id, "soon": soon.id, "recent": recent.id}


def _notices():
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "retention_notice")))


def test_the_school_is_told_once_in_its_language_which_students_will_go(app):
    school, rep, _coordinator, ids = _school_with_students()
    other_school_rep = make_user("school", school=make_school())
    db.session.commit()

    outcome = retention.run()
    assert (outcome.noticed, outcome.messages, outcome.erased) == (3, 1, 0)  # nobody erased before the notice ran
    [message] = _notices()
    assert message.recipient_id == rep.id and message.locale == "ru"
    assert "Срок хранения" in message.subject
    for name in ("Құрманғазиева Әлия", "Бекова Дана", "Жақсыбеков Ерлан"):
        assert name in message.body
    assert "Сәрсенова" not in message.body and "дата автоматического удаления" in message.body
    assert "/students/retention" in message.body
    assert other_school_rep.id not in [m.recipient_id for m in _notices()]
    # the next day's run (and the same day's again) says nothing new
    assert retention.run(NOW + timedelta(days=1)).noticed == 0
    assert len(_notices()) == 1


def test_after_the_notice_period_the_students_are_erased_as_a_withdrawal_erases_and_figures_stay(app):
    school, _rep, _coordinator, ids = _school_with_students()
    retention.run()
    before = _figures(school.id)
    assert retention.run(NOW + timedelta(days=29)).erased == 0  # the notice has not run its 30 days yet

    outcome = retention.run(NOW + timedelta(days=31))
    assert sorted(outcome.erased_ids) == sorted([ids["old"], ids["never"], ids["soon"]])
    db.session.expire_all()
    for key in ("old", "never", "soon"):
        student = db.session.get(Student, ids[key])
        assert student.erased_at is not None and student.first_name is None and student.last_name is None
        assert student.consent.guardian_name is None
    assert db.session.get(Student, ids["recent"]).erased_at is None
    assert _figures(school.id) == before
    # the notice that named them names them no more (the outbox keeps no erased child's name)
    [notice] = _notices()
    assert "Құрманғазиева" not in notice.body and "Бекова" not in notice.body and "Жақсыбеков" not in notice.body
    erased = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "student.erased")).all()
    assert len(erased) == 3 and all(e.details.get("reason") == "retention" and e.actor_id is None for e in erased)
    assert retention.run(NOW + timedelta(days=32)).erased == 0


def test_the_representative_keeps_a_student_from_the_page_and_the_clock_starts_again(app, client, login):
    school, rep, _coordinator, ids = _school_with_students()
    retention.run()
    login(rep)
    page = client.get("/students/retention").get_data(as_text=True)
    assert "Құрманғазиева Әлия" in page and "Жақсыбеков Ерлан" in page and "Сәрсенова" not in page
    assert "Срок хранения" in page and "Ещё в программе" in page  # the representative's language
    response = client.post(f"/students/{ids['old']}/keep", data={"csrf_token": Csrf.token(client, "/students/retention")})
    assert response.status_code == 303 and response.headers["Location"].endswith("/students/retention")
    after = client.get("/students/retention").get_data(as_text=True)
    assert "Құрманғазиева Әлия остаётся в программе" in after and "Құрманғазиева Әлия</a>" not in after
    kept = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "student.kept")).one()
    assert kept.actor_id == rep.id and kept.object_id == ids["old"]

    outcome = retention.run(NOW + timedelta(days=31))
    assert ids["old"] not in outcome.erased_ids and ids["soon"] in outcome.erased_ids
    db.session.expire_all()
    assert db.session.get(Student, ids["old"]).erased_at is None
    # the kept student's new period ends 24 months after today: told again then, erased after that notice
    later = retention.add_months(NOW, 24) + timedelta(days=1)
    assert retention.run(later).noticed == 2  # the kept student and the one of last month's workshop
    assert ids["old"] not in retention.run(later).erased_ids
    assert ids["old"] in retention.run(later + timedelta(days=31)).erased_ids


def test_a_representative_sees_only_its_own_school_and_staff_see_every_school(app, client, login):
    school, rep, coordinator, ids = _school_with_students()
    elsewhere = make_student(make_school(), first_name="Бауыржан", last_name="Омаров")
    elsewhere.consent.given_on = (NOW - timedelta(days=25 * 31)).date()
    db.session.commit()
    login(rep)
    page = client.get("/students/retention").get_data(as_text=True)
    assert "Омаров" not in page and "Бекова Дана" in page
    assert client.post(f"/students/{elsewhere.id}/keep",
                       data={"csrf_token": Csrf.token(client, "/students/retention")}).status_code == 404
    staff = client.application.test_client()
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(coordinator, c=staff)
    page = staff.get("/students/retention").get_data(as_text=True)
    assert "Омаров" in page and "Бекова Дана" in page and "Retention period" in page and "Still in the programme" in page


def test_the_daily_command(app):
    _school_with_students()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["retention", "run"])
    assert first.exit_code == 0 and "3 student(s) newly due (1 message(s)" in first.output
    again = runner.invoke(args=["retention", "run"])
    assert "0 student(s) newly due (0 message(s)" in again.output and "0 student(s) erased" in again.output


def test_months_are_calendar_months():
    assert retention.add_months(datetime(2027, 1, 31, 10, tzinfo=timezone.utc), 1).date() == date(2027, 2, 28)
    assert retention.add_months(datetime(2027, 3, 15, tzinfo=timezone.utc), -24).date() == date(2025, 3, 15)
