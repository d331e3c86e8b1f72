"""Reminders the day before (`flask notices run`): a school's representatives get tomorrow's workshops with their
own students' names (confirmed places only), a teaching artist the workshops they give; once a day, and never to
someone who turned them off on the account page."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta

from sqlalchemy import select

from outreach.attendance import services as attendance
from outreach.audit.models import AuditEvent
from outreach.dbtypes import local_tz
from outreach.extensions import db
from outreach.notifications import daily
from outreach.notifications.models import OutboxMessage
from outreach.signups import services as signups
from outreach.students import services as students
from tests.clock import programme_today
from tests.factories import make_artist, make_initiative, make_school, make_student, make_user, make_workshop
from tests.races import racing_app, together

TODAY = programme_today()
TOMORROW = TODAY + timedelta(days=1)


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=local_tz())


def _reminders(user=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id)
    if user is not None:
        query = query.where(OutboxMessage.recipient_id == user.id)
    return list(db.session.scalars(query))


def _tomorrow(app):
    """Two schools, two artists; tomorrow's workshops at 10:00 and 15:30 (Almaty), one the day after, one full."""
    coordinator = make_user("coordinator")
    ours, theirs = make_school(name="№7 мектеп"), make_school(name="№12 гимназия")
    rep = make_user("school", school=ours, locale="ru")
    other_rep = make_user("school", school=theirs, locale="kk")
    artist, other_artist = make_artist("Айгерім Нұрланова"), make_artist("Бақыт Серіков")
    artist_user = make_user("artist", artist=artist, locale="kk")
    other_artist_user = make_user("artist", artist=other_artist, locale="en")
    morning = make_workshop(starts_at=_at(TOMORROW, 10), artist=artist, venue="Опера залы",
                            title={"kk": "Би сабағы", "ru": "Урок танца", "en": "Dance lesson"}, capacity=2)
    afternoon = make_workshop(starts_at=_at(TOMORROW, 15, 30), artist=other_artist, venue="Камерный зал",
                              title={"kk": "Ән", "ru": "Пение", "en": "Singing"})
    later = make_workshop(starts_at=_at(TOMORROW + timedelta(days=1), 10), artist=artist)
    ali = make_student(ours, first_name="Әлия", last_name="Құрманғазиева")
    dana = make_student(ours, first_name="Дана", last_name="Бекова")
    waiting = make_student(ours, first_name="Ерлан", last_name="Жақсыбеков")
    elsewhere = make_student(theirs, first_name="Мадина", last_name="Сәрсенова")
    signups.register(morning.id, [ali.id, elsewhere.id], actor=coordinator)
    signups.register(morning.id, [waiting.id], actor=coordinator)  # full: waitlisted
    signups.register(afternoon.id, [dana.id], actor=coordinator)
    signups.register(later.id, [dana.id, ali.id], actor=coordinator)
    db.session.commit()
    return dict(rep=rep, other_rep=other_rep, artist_user=artist_user, other_artist_user=other_artist_user,
                ali=ali, dana=dana, waiting=waiting, elsewhere=elsewhere, coordinator=coordinator)


def test_a_representative_gets_tomorrow_s_workshops_with_their_own_confirmed_students(app):
    s = _tomorrow(app)
    assert daily.run(TODAY).reminders == 4
    [message] = _reminders(s["rep"])
    assert message.locale == "ru" and "Напоминание: завтра" in message.subject
    body = message.body
    assert "10:00" in body and "15:30" in body and "«Урок танца»" in body and "Опера залы" in body
    assert "Құрманғазиева Әлия" in body and "Бекова Дана" in body
    assert "Жақсыбеков" not in body  # waitlisted
    assert "Сәрсенова" not in body  # another school's student
    assert body.index("10:00") < body.index("15:30")
    [theirs] = _reminders(s["other_rep"])
    assert "Сәрсенова Мадина" in theirs.body and "Құрманғазиева" not in theirs.body and "Бекова" not in theirs.body
    assert "15:30" not in theirs.body  # their students are in the morning workshop only


def test_a_teaching_artist_gets_only_the_workshops_they_give_with_venue_and_schools_and_no_names(app):
    s = _tomorrow(app)
    daily.run(TODAY)
    [message] = _reminders(s["artist_user"])
    assert message.locale == "kk" and "Еске салу: ертең" in message.subject
    assert "10:00" in message.body and "Опера залы" in message.body and "«Би сабағы»" in message.body
    assert "№7 мектеп: 1" in message.body and "№12 гимназия: 1" in message.body
    assert "15:30" not in message.body and "Ән" not in message.body  # the other artist's workshop
    for name in ("Құрманғазиева", "Сәрсенова", "Жақсыбеков"):
        assert name not in message.body
    [other] = _reminders(s["other_artist_user"])
    assert "3:30" in other.body and "“Singing”" in other.body and "Dance lesson" not in other.body


def test_a_second_run_the_same_day_sends_nothing_and_reminders_off_means_none(app):
    s = _tomorrow(app)
    s["rep"].reminders = False
    s["other_artist_user"].reminders = False
    db.session.commit()
    assert daily.run(TODAY).reminders == 2
    assert _reminders(s["rep"]) == [] and _reminders(s["other_artist_user"]) == []
    assert daily.run(TODAY).reminders == 0
    assert len(_reminders()) == 2


def test_nobody_is_reminded_of_a_day_without_workshops(app):
    s = _tomorrow(app)
    assert daily.run(TODAY - timedelta(days=5)).reminders == 0
    assert s and _reminders() == []


def test_erasing_a_student_takes_the_name_out_of_the_unsent_reminder(app):
    s = _tomorrow(app)
    daily.run(TODAY)
    assert "Бекова Дана" in _reminders(s["rep"])[0].body
    students.erase_student(s["dana"], actor=s["coordinator"])
    db.session.commit()
    db.session.expire_all()
    [message] = _reminders(s["rep"])
    assert "Бекова" not in message.body and "Құрманғазиева Әлия" in message.body


def test_the_command_queues_the_reminders_and_they_leave_through_a_real_smtp_server(app, smtp_server):
    s = _tomorrow(app)
    result = app.test_cli_runner().invoke(args=["notices", "run", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "4 reminder(s)" in result.output
    mails = smtp_server.wait_for(4)
    to_rep = [m for m in mails if m["To"] == s["rep"].email]
    assert len(to_rep) == 1 and "Құрманғазиева Әлия" in to_rep[0].get_body(("plain",)).get_content()
    again = app.test_cli_runner().invoke(args=["notices", "run", "--date", TODAY.isoformat()])
    assert "0 reminder(s)" in again.output


def test_the_account_page_turns_reminders_off_and_on_with_csrf_and_keeps_the_value(app, client, login, csrf):
    rep = login(make_user("school"))
    page = client.get("/account").get_data(as_text=True)
    assert "Reminders the day before and follow-up of absences by e-mail" in page
    box = page[page.index('id="notices-reminders"') - 200:page.index('id="notices-reminders"') + 200]
    assert "checked" in box  # on by default

    refused = client.post("/account", data={"notices-submit": "Save"})  # no CSRF token
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(type(rep), rep.id).reminders is True

    token = csrf.token(client, "/account")
    response = client.post("/account", data={"notices-csrf_token": token, "notices-submit": "Save"})  # unticked
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(rep), rep.id).reminders is False
    page = client.get("/account").get_data(as_text=True)
    assert "Reminders by e-mail are off." in page
    box = page[page.index('id="notices-reminders"') - 200:page.index('id="notices-reminders"') + 200]
    assert "checked" not in box
    assert daily.run(TODAY).followups == 0

    client.post("/account", data={"notices-csrf_token": csrf.token(client, "/account"), "notices-reminders": "y",
                                  "notices-submit": "Save"})
    db.session.expire_all()
    assert db.session.get(type(rep), rep.id).reminders is True
    events = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == rep.id))]
    assert "user.reminders_off" in events and "user.reminders_on" in events


def test_people_who_get_no_reminders_see_no_toggle(app, client, login):
    login("coordinator")
    assert "notices-reminders" not in client.get("/account").get_data(as_text=True)


def test_two_runs_at_the_same_moment_queue_each_message_once(app, database_url):
    s = _tomorrow(app)
    school = s["rep"].school
    coordinator = s["coordinator"]
    absent = make_student(school, first_name="Екі", last_name="Рет")
    initiative = make_initiative()
    for days in (6, 3):
        workshop = make_workshop(initiative=initiative, starts_at=datetime.now(local_tz()) - timedelta(days=days))
        signups.register(workshop.id, [absent.id], actor=coordinator)
        attendance.record_marks(workshop.id, {}, actor=coordinator)  # absent
    db.session.commit()

    with racing_app(database_url, 8) as racing:
        @contextmanager
        def own_session():
            with racing.app_context():
                try:
                    yield
                finally:
                    db.session.remove()

        errors = together([lambda: daily.run(TODAY)] * 4, around=own_session)
    assert errors == []
    db.session.expire_all()
    assert len(_reminders()) == 4 and len(_reminders(s["rep"])) == 1
    followups = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "absence_followup")))
    assert [m.recipient_id for m in followups] == [s["rep"].id]
