"""After a workshop the school's representative gets a one-time link for the teacher, in the school's language,
through the outbox; the teacher answers once, without an account; the link expires."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from outreach.attendance import services as attendance
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage
from outreach.notifications.services import body_for_admins
from outreach.outcomes.models import TeacherLink
from outreach.outcomes.services import start_from_library
from outreach.signups.services import register
from tests.factories import make_initiative, make_school, make_student, make_user, make_workshop


def _after_a_workshop(app, school_languages=("ru",)):
    """A workshop with pupils of one school, attendance taken on the page; the initiative asks teachers."""
    coordinator = make_user("coordinator")
    initiative = make_initiative()
    start_from_library(initiative, "teachers", actor=coordinator)
    workshop = make_workshop(initiative=initiative, starts_at=utcnow() - timedelta(hours=2),
                             title={"kk": "Балет әлемі", "ru": "Мир балета", "en": "World of ballet"})
    school = make_school(languages=list(school_languages))
    representative = make_user("school", school=school, locale="kk")  # the account says kk; the school teaches in ru
    pupils = [make_student(school) for _ in range(2)]
    register(workshop.id, [p.id for p in pupils], actor=coordinator)
    db.session.commit()
    with app.test_request_context(base_url="https://outreach.example.kz"):  # recorded on the page (or the API)
        attendance.record_marks(workshop.id, {p.id: attendance.Recorded("present") for p in pupils},
                                actor=coordinator)
        db.session.commit()
    return workshop, school, representative


def _link_in(message: OutboxMessage) -> str:
    return re.search(r"https://outreach\.example\.kz(/feedback/[A-Za-z0-9_\-]+)", message.body).group(1)


def test_the_representative_gets_the_link_in_the_schools_language_and_the_teacher_answers_once(app, client):
    workshop, school, representative = _after_a_workshop(app)
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "teacher_feedback")).all()
    assert [(m.to_email, m.locale) for m in messages] == [(representative.email, "ru")]
    assert "Как прошёл мастер-класс? Мир балета" == messages[0].subject
    assert "Мир балета" in messages[0].body and "один раз" in messages[0].body
    assert "/feedback/…" in body_for_admins(messages[0])  # the admins' outbox does not show the one-time link
    path = _link_in(messages[0])

    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Класс был увлечён занятием" in html and "Ваши замечания и предложения" in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    done = client.post(path, data={"csrf_token": token, "a_class_engaged": "4",
                                   "a_teacher_comments": "Дети просили ещё"})
    assert done.status_code == 200 and "Ваши ответы получены" in done.get_data(as_text=True)
    link = db.session.scalar(select(TeacherLink))
    assert link.answers == {"class_engaged": 4, "teacher_comments": "Дети просили ещё"}

    again = client.post(path, data={"csrf_token": token, "a_class_engaged": "1"})
    assert "уже ответили" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(TeacherLink)).answers["class_engaged"] == 4

    # attendance corrected later: no second link for the same school
    attendance.record_marks(workshop.id, {}, actor=make_user("coordinator"))
    db.session.commit()
    assert db.session.query(TeacherLink).count() == 1


def test_an_expired_link_says_so_and_an_unknown_one_is_not_found(app, client):
    _after_a_workshop(app, school_languages=("kk",))
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "teacher_feedback"))
    assert message.locale == "kk" and "Шеберлік сабағы қалай өтті?" in message.subject
    path = _link_in(message)
    link = db.session.scalar(select(TeacherLink))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(path)
    assert expired.status_code == 410 and "мерзімі өтті" in expired.get_data(as_text=True)
    assert client.get("/feedback/not-a-real-token").status_code == 404
