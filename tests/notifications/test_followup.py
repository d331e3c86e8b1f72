"""Follow-up of absences (`flask notices run`): a student absent, without an excuse, from the last two recorded
workshops of one initiative is named to the school's representatives once, in their language, one message a day."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from outreach.attendance import services as attendance
from outreach.attendance.services import Recorded
from outreach.dates import fmt_date
from outreach.extensions import db
from outreach.i18n import force_locale
from outreach.notifications import daily
from outreach.notifications.models import OutboxMessage
from outreach.signups import services as signups
from outreach.students import services as students
from tests.clock import programme_today
from tests.factories import make_initiative, make_school, make_student, make_user, make_workshop

NOW = datetime.now(timezone.utc)
TODAY = programme_today()


def _followups(user=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == "absence_followup").order_by(OutboxMessage.id)
    if user is not None:
        query = query.where(OutboxMessage.recipient_id == user.id)
    return list(db.session.scalars(query))


def _workshops_with_marks(student, marks, *, initiative=None, coordinator=None, others=()):
    """One workshop per mark (a few days apart, oldest first, all in the past), the student marked so."""
    initiative = initiative or make_initiative()
    coordinator = coordinator or make_user("coordinator")
    workshops = []
    for n, mark in enumerate(marks):
        workshop = make_workshop(initiative=initiative, starts_at=NOW - timedelta(days=3 * (len(marks) - n), hours=2))
        signups.register(workshop.id, [student.id, *[o.id for o in others]], actor=coordinator)
        attendance.record_marks(workshop.id, {student.id: Recorded(mark, 30 if mark == "late" else None),
                                              **{o.id: Recorded("present") for o in others}}, actor=coordinator)
        workshops.append(workshop)
    db.session.commit()
    return workshops


def test_two_absences_in_a_row_are_told_once_to_the_representative_in_their_language(app):
    school = make_school()
    rep = make_user("school", school=school, locale="ru")
    ali = make_student(school, first_name="Әлия", last_name="Құрманғазиева")
    present = make_student(school, first_name="Дана", last_name="Бекова")
    initiative = make_initiative(title={"kk": "Балет әлемі", "ru": "Мир балета", "en": "World of ballet"})
    workshops = _workshops_with_marks(ali, ["present", "absent", "absent"], initiative=initiative, others=[present])
    other_school_rep = make_user("school", school=make_school())
    db.session.commit()

    outcome = daily.run(TODAY)
    assert outcome.followups == 1
    [message] = _followups()
    assert message.recipient_id == rep.id and message.locale == "ru"
    assert "подряд" in message.subject and "Құрманғазиева Әлия" in message.body
    assert "«Мир балета»" in message.body  # the initiative, in the representative's language
    with force_locale("ru"):
        assert fmt_date(workshops[1].starts_at) in message.body and fmt_date(workshops[2].starts_at) in message.body
    assert "Бекова" not in message.body  # present every time
    assert "/account" in message.body  # how to turn them off
    assert other_school_rep.id not in [m.recipient_id for m in _followups()]

    # the same day again, and the next days while the run goes on: nothing new
    assert daily.run(TODAY).followups == 0
    attendance_later = make_workshop(initiative=initiative, starts_at=NOW - timedelta(hours=1))
    signups.register(attendance_later.id, [ali.id], actor=make_user("coordinator"))
    attendance.record_marks(attendance_later.id, {}, actor=make_user("coordinator"))  # a third absence
    db.session.commit()
    assert daily.run(TODAY + timedelta(days=1)).followups == 0
    assert len(_followups()) == 1


def test_excused_is_skipped_present_and_late_end_the_run(app):
    school = make_school()
    rep = make_user("school", school=school, locale="en")
    skipped = make_student(school, first_name="Excused", last_name="Between")
    broken = make_student(school, first_name="Late", last_name="Between")
    one = make_student(school, first_name="Only", last_name="Once")
    excused_only = make_student(school, first_name="Both", last_name="Excused")
    _workshops_with_marks(skipped, ["absent", "excused", "absent"])
    _workshops_with_marks(broken, ["absent", "late", "absent"])
    _workshops_with_marks(one, ["present", "absent", "excused"])
    _workshops_with_marks(excused_only, ["excused", "absent", "excused"])

    daily.run(TODAY)
    [message] = _followups(rep)
    assert "Between Excused" in message.body  # absent, excused, absent: two misses in a row
    assert "Between Late" not in message.body and "Once Only" not in message.body and "Excused Both" not in message.body
    assert message.subject == "A student of your school missed two workshops in a row"


def test_absences_in_two_initiatives_are_no_run_and_one_digest_names_several_students(app):
    school = make_school()
    rep = make_user("school", school=school, locale="kk")
    split = make_student(school, first_name="Екі", last_name="Бағдарлама")
    first, second = make_student(school, first_name="Бірінші"), make_student(school, first_name="Екінші")
    _workshops_with_marks(split, ["absent"])
    _workshops_with_marks(split, ["absent"])  # another initiative: one absence in each is no run
    _workshops_with_marks(first, ["absent", "absent"])
    _workshops_with_marks(second, ["absent", "absent"])

    assert daily.run(TODAY).followups == 1
    [message] = _followups(rep)
    assert message.locale == "kk" and first.full_name in message.body and second.full_name in message.body
    assert "Бағдарлама" not in message.body
    assert "2 оқушысы" in message.subject or "2 оқушы" in message.subject


def test_a_representative_with_reminders_off_or_deactivated_gets_nothing(app):
    school = make_school()
    make_user("school", school=school, reminders=False)
    make_user("school", school=school, active=False)
    on = make_user("school", school=school)
    _workshops_with_marks(make_student(school), ["absent", "absent"])

    assert daily.run(TODAY).followups == 1
    assert [m.recipient_id for m in _followups()] == [on.id]


def test_a_run_found_after_the_day_s_message_waits_until_the_next_day(app):
    school = make_school()
    rep = make_user("school", school=school)
    _workshops_with_marks(make_student(school, first_name="Morning"), ["absent", "absent"])
    daily.run(TODAY)
    _workshops_with_marks(make_student(school, first_name="Evening"), ["absent", "absent"])
    assert daily.run(TODAY).followups == 0  # one message a day
    assert daily.run(TODAY + timedelta(days=1)).followups == 1
    first, second = _followups(rep)
    assert "Morning" in first.body and "Evening" not in first.body
    assert "Evening" in second.body and "Morning" not in second.body


def test_erasing_the_student_takes_the_name_out_of_the_unsent_follow_up(app):
    school = make_school()
    make_user("school", school=school)
    coordinator = make_user("coordinator")
    student = make_student(school, first_name="Ерлан", last_name="Жақсыбеков")
    _workshops_with_marks(student, ["absent", "absent"], coordinator=coordinator)
    daily.run(TODAY)
    [message] = _followups()
    assert "Жақсыбеков Ерлан" in message.body and message.sent_at is None

    students.erase_student(student, actor=coordinator)
    db.session.commit()
    db.session.expire_all()
    [message] = _followups()
    assert "Жақсыбеков" not in message.body and "Ерлан" not in message.body
    assert daily.run(TODAY + timedelta(days=1)).followups == 0  # an erased student is followed up no more


def test_the_follow_up_leaves_through_a_real_smtp_server(app, smtp_server):
    school = make_school()
    rep = make_user("school", school=school, locale="ru", email="school-rep@example.org")
    _workshops_with_marks(make_student(school, first_name="Мадина", last_name="Сәрсенова"), ["absent", "absent"])

    daily.run(TODAY)
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == rep.email and "подряд" in str(mail["Subject"])
    assert "Сәрсенова Мадина" in mail.get_body(("plain",)).get_content()
