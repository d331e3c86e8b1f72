"""A small hand-built programme whose impact figures are worked out by hand in the tests.

Schools: A (Astana KZ-71, urban), B (Almaty Region KZ-19, rural), C (Almaty city KZ-75, urban).
Students: s1 A grade 3 girl · s2 A grade 7 boy · s3 B grade 10 girl · s4 B grade 5 gender not given ·
s5 C grade 0 boy (erased in some tests) · s6 A grade 8 girl (only ever waitlisted).
Initiatives: I1 (funder F1, target 100), I2 (funder F2, target 50), I3 (archived, no target, no workshop).

Workshops (Asia/Almaty times), all through the real services:
  W1 I1 2025-03-10 10:00, 90 min, kk, capacity 3: s1 s2 s3 confirmed, s6 waitlisted; s1 s2 present, s3 absent
  W2 I1 2025-04-01 01:00 (still 31 March in UTC), 60 min, ru: s1 s4 s5 confirmed, all present
  W3 I1 2025-04-15 10:00, 120 min, kk: s2 s3 confirmed, then the workshop was cancelled
  W4 I1 2025-05-05 10:00, 45 min, kk: s3 s4 confirmed, attendance never recorded
  W5 I2 2025-05-20 10:00, 90 min, en: s3 s1 confirmed, s2 signed up and cancelled; s3 present, s1 absent
  W6 I1 in ten days: s1 confirmed (not delivered yet)
  W7 I2 2025-06-01 10:00: nobody signed up (delivered all the same)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from outreach.attendance import services as attendance
from outreach.extensions import db
from outreach.signups import services as signups
from outreach.signups.models import Signup
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop

ALMATY = ZoneInfo("Asia/Almaty")


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY)


@dataclass
class Programme:
    coordinator: object
    f1: object
    f2: object
    funder1: object  # a user of F1
    funder2: object  # a user of F2
    i1: object
    i2: object
    i3: object
    schools: dict
    students: dict
    workshops: dict


def build() -> Programme:
    coordinator = make_user("coordinator")
    f1, f2 = make_funder(name="Дала қоры"), make_funder(name="Nomad Arts")
    i1 = make_initiative(funders=[f1], target_students=100, starts_on=date(2025, 1, 1), ends_on=date(2027, 12, 31),
                         title={"kk": "Ән мен күй: әғқңөұүһі", "ru": "Песня и кюй", "en": "Song and kui"})
    i2 = make_initiative(funders=[f2], target_students=50, starts_on=date(2025, 1, 1), ends_on=date(2027, 12, 31),
                         title={"kk": "Би", "ru": "Танец", "en": "Dance"})
    i3 = make_initiative(target_students=None, status="archived", starts_on=date(2024, 1, 1),
                         ends_on=date(2024, 12, 31))
    a = make_school(name="Мектеп А", region_code="KZ-71", settlement_type="urban")
    b = make_school(name="Мектеп Б", region_code="KZ-19", settlement_type="rural")
    c = make_school(name="Мектеп В", region_code="KZ-75", settlement_type="urban")
    s = {
        "s1": make_student(a, grade=3, gender="female", first_name="Айару"),
        "s2": make_student(a, grade=7, gender="male", first_name="Ерасыл"),
        "s3": make_student(b, grade=10, gender="female", first_name="Томирис"),
        "s4": make_student(b, grade=5, gender="unspecified", first_name="Дана"),
        "s5": make_student(c, grade=0, gender="male", first_name="Алихан"),
        "s6": make_student(a, grade=8, gender="female", first_name="Інжу"),
    }
    w = {
        "W1": make_workshop(initiative=i1, starts_at=local(2025, 3, 10, 10), duration_minutes=90, language="kk",
                            capacity=3),
        "W2": make_workshop(initiative=i1, starts_at=local(2025, 4, 1, 1), duration_minutes=60, language="ru"),
        "W3": make_workshop(initiative=i1, starts_at=local(2025, 4, 15, 10), duration_minutes=120, language="kk"),
        "W4": make_workshop(initiative=i1, starts_at=local(2025, 5, 5, 10), duration_minutes=45, language="kk"),
        "W5": make_workshop(initiative=i2, starts_at=local(2025, 5, 20, 10), duration_minutes=90, language="en"),
        "W6": make_workshop(initiative=i1, starts_at=datetime.now(timezone.utc) + timedelta(days=10),
                            duration_minutes=90, language="kk"),
        "W7": make_workshop(initiative=i2, starts_at=local(2025, 6, 1, 10), duration_minutes=90, language="kk"),
    }

    def sign(workshop: str, *names: str) -> None:
        signups.register(w[workshop].id, [s[n].id for n in names], actor=coordinator)

    sign("W1", "s1", "s2", "s3", "s6")
    attendance.record(w["W1"].id, [s["s1"].id, s["s2"].id], actor=coordinator)
    sign("W2", "s1", "s4", "s5")
    attendance.record(w["W2"].id, [s["s1"].id, s["s4"].id, s["s5"].id], actor=coordinator)
    sign("W3", "s2", "s3")
    from outreach.workshops import services as workshops

    workshops.cancel_workshop(w["W3"], actor=coordinator)
    sign("W4", "s3", "s4")
    sign("W5", "s3", "s1", "s2")
    cancelled = db.session.scalar(db.select(Signup).where(Signup.workshop_id == w["W5"].id,
                                                         Signup.student_id == s["s2"].id))
    signups.cancel(cancelled.id, actor=coordinator)
    attendance.record(w["W5"].id, [s["s3"].id], actor=coordinator)
    sign("W6", "s1")
    programme = Programme(coordinator=coordinator, f1=f1, f2=f2, funder1=make_user("funder", funder=f1),
                          funder2=make_user("funder", funder=f2), i1=i1, i2=i2, i3=i3,
                          schools={"A": a, "B": b, "C": c}, students=s, workshops=w)
    db.session.commit()
    return programme


def cells(report: dict, name: str) -> dict:
    """A breakdown as {key: students reached (None when suppressed)}."""
    return {cell["key"]: cell["students_reached"] for cell in report[name]}
