"""The impact facts follow the domain events: once per transaction per workshop, exact at commit, void on rollback."""
from __future__ import annotations

from sqlalchemy import func, select

from outreach import events
from outreach.extensions import db
from outreach.notifications.models import OutboxMessage
from outreach.reports import rollups
from outreach.reports.models import ImpactFact
from outreach.reports.subscribers import has_pending
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop
from tests.factories import make_school, make_student, make_user, make_workshop


def _facts(workshop_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ImpactFact).where(ImpactFact.workshop_id == workshop_id))


def test_a_cancellation_with_a_promotion_recomputes_the_workshop_once(monkeypatch):
    school, coordinator = make_school(), make_user("coordinator")
    make_user("school", school=school)
    workshop = make_workshop(capacity=1)
    first, second = make_student(school), make_student(school)
    signups.register(workshop.id, [first.id, second.id], actor=coordinator)
    db.session.commit()
    assert _facts(workshop.id) == 1
    seat = db.session.scalar(select(Signup).where(Signup.student_id == first.id))
    calls: list[int] = []
    real = rollups.changed

    def counting(*, workshops=(), **kw):
        calls.extend(workshops)
        return real(workshops=workshops, **kw)

    monkeypatch.setattr(rollups, "changed", counting)
    signups.cancel(seat.id, actor=coordinator)  # the seat goes to the waitlist: two changes, one recomputation
    assert calls == [] and has_pending(db.session())
    db.session.commit()
    assert calls == [workshop.id]
    assert _facts(workshop.id) == 1 and rollups.drift() == 0
    # the promoted student's school was told, by the notifications' subscriber
    assert db.session.scalars(select(OutboxMessage.kind)).all() == ["signup_promoted"]


def test_facts_are_read_with_the_transactions_own_writes_and_forgotten_on_rollback():
    school, coordinator = make_school(), make_user("coordinator")
    workshop = make_workshop(capacity=5)
    db.session.commit()
    signups.register(workshop.id, [make_student(school).id], actor=coordinator)
    assert _facts(workshop.id) == 1  # a read of the facts applies what is pending first
    db.session.rollback()
    assert not has_pending(db.session()) and _facts(workshop.id) == 0 and rollups.drift() == 0


def test_a_new_write_path_only_has_to_announce_its_change():
    school, coordinator = make_school(), make_user("coordinator")
    workshop = make_workshop(capacity=5)
    signups.register(workshop.id, [make_student(school).id], actor=coordinator)
    db.session.commit()
    db.session.execute(db.update(Workshop).where(Workshop.id == workshop.id).values(language="en"))
    assert rollups.drift() == 1  # a raw change nobody announced: the facts are wrong ...
    events.announce(events.workshop_changed, workshop.id, actor=coordinator, change="updated")
    db.session.commit()
    assert rollups.drift() == 0  # ... until it is announced
    assert db.session.scalar(select(ImpactFact.language).where(ImpactFact.workshop_id == workshop.id)) == "en"
