"""What school representatives are told, in whose language, and that a message lives and dies with its transaction."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from babel.support import Translations
from sqlalchemy import select

from outreach.extensions import db
from outreach.notifications import services as notifications
from outreach.notifications.models import OutboxMessage
from outreach.signups import services as signups
from tests.conftest import Csrf
from tests.factories import make_school, make_student, make_user, make_workshop

ROOT = Path(__file__).resolve().parents[2]
ALMATY = ZoneInfo("Asia/Almaty")


def _outbox():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_a_russian_speaking_representative_is_told_in_russian_when_a_kazakh_coordinator_acts(client, login):
    school = make_school()
    rep = make_user("school", school=school, locale="ru")
    coordinator = login(make_user("coordinator", locale="kk"))
    starts = datetime(2031, 3, 14, 10, 30, tzinfo=timezone.utc)
    workshop = make_workshop(capacity=1, starts_at=starts, title={"kk": "Домбыра сабағы", "ru": "Урок домбры"})
    first, waiting = (make_student(school, first_name=name) for name in ("Айару", "Ерасыл"))
    results = signups.register(workshop.id, [first.id, waiting.id], actor=coordinator)
    db.session.commit()

    response = client.post(f"/signups/{results[0].signup.id}/cancel?lang=kk",
                           data={"csrf_token": Csrf.token(client, "/account?lang=kk")})
    assert response.status_code == 302
    [message] = _outbox()
    assert message.recipient_id == rep.id and message.to_email == rep.email
    assert message.locale == "ru" and message.kind == "signup_promoted"
    # the date in Russian (Babel), in Almaty time, and the workshop's Russian title
    russian_date = format_date(starts.astimezone(ALMATY), "long", locale="ru")
    assert russian_date in message.body and "марта" in russian_date
    assert format_date(starts.astimezone(ALMATY), "long", locale="kk") not in message.body
    assert format_time(starts, "short", tzinfo=ALMATY, locale="ru") in message.body  # Almaty time, not UTC
    assert "10:30" not in message.body
    assert "Урок домбры" in message.subject and "Домбыра сабағы" not in message.body
    ru = Translations.load(str(ROOT / "translations"), ["ru"])
    subject = ru.gettext("A place was confirmed: %(title)s")
    assert subject != "A place was confirmed: %(title)s", "the ru catalog translates this subject"
    assert message.subject == subject % {"title": "Урок домбры"}


def test_messages_name_the_workshop_and_a_number_never_a_child(app):
    school = make_school()
    rep = make_user("school", school=school, locale="en")
    other_school = make_school()
    make_user("school", school=other_school, locale="en")
    workshop = make_workshop(capacity=1, title={"en": "Dombra basics"})
    coordinator = make_user("coordinator")
    names = ["Томирис", "Алихан", "Ақбота"]
    students = [make_student(school, first_name=n, last_name="Сейітова") for n in names]
    outsider = make_student(other_school, first_name="Темірлан")
    results = signups.register(workshop.id, [s.id for s in students] + [outsider.id], actor=coordinator)
    workshop.capacity = 3
    signups.promote_waitlist(workshop.id)
    messages = _outbox()
    assert [m.recipient_id for m in messages] == [rep.id]  # the outsider is still waiting
    body = messages[0].body
    assert "Dombra basics" in body and "2 students of your school have moved from the waitlist" in body
    assert not any(name in body or name in messages[0].subject for name in names + ["Сейітова", "Темірлан"])
    assert results[0].signup.status == "confirmed"


@pytest.mark.parametrize("kind", ["cancelled", "moved"])
def test_a_cancelled_or_moved_workshop_tells_each_school_with_live_signups(kind):
    coordinator = make_user("coordinator")
    workshop = make_workshop(capacity=2, title={"en": "Theatre games"}, venue="Hall 3")
    a, b, gone = make_school(), make_school(), make_school()
    rep_a = make_user("school", school=a, locale="en")
    rep_b = make_user("school", school=b, locale="kk")
    make_user("school", school=b, locale="ru", active=False)  # a deactivated account is not written to
    rep_gone = make_user("school", school=gone, locale="en")
    signups.register(workshop.id, [make_student(a).id, make_student(a).id, make_student(b).id], actor=coordinator)
    left = signups.register(workshop.id, [make_student(gone).id], actor=coordinator)[0].signup
    signups.cancel(left.id, actor=coordinator)
    before = {m.id for m in _outbox()}

    notifications.workshop_changed(workshop, kind)
    messages = [m for m in _outbox() if m.id not in before]
    assert sorted(m.recipient_id for m in messages) == sorted([rep_a.id, rep_b.id])
    assert rep_gone.id not in {m.recipient_id for m in messages}
    for_a = next(m for m in messages if m.recipient_id == rep_a.id)
    assert for_a.kind == f"workshop_{kind}" and "Theatre games" in for_a.subject
    if kind == "cancelled":
        assert "2 students of your school were signed up" in for_a.body
    else:
        assert "Hall 3" in for_a.body and "2 students of your school are signed up" in for_a.body
    assert next(m for m in messages if m.recipient_id == rep_b.id).locale == "kk"


def test_a_message_queued_in_a_rolled_back_transaction_is_gone_and_never_sent():
    rep = make_user("school", locale="en")
    db.session.commit()
    notifications.queue(rep, "workshop_moved", "Subject", "Body")
    db.session.flush()
    db.session.rollback()
    assert _outbox() == []
    assert notifications.take_committed(db.session.info) == []
    message = notifications.queue(rep, "workshop_moved", "Subject", "Body")
    db.session.commit()
    assert notifications.take_committed(db.session.info) == [message.id]
