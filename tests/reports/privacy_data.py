"""A hand-built programme for the four privacy rules, every figure worked out by hand.

One initiative I (funder F, target 100); Asia/Almaty dates, all through the real services:
  school A  Astana KZ-71, urban:        32 girls in grade 3
  school B  Almaty Region KZ-19, rural: 22 boys in grade 7, and 3 more boys (grade 7) who are absent
  school C  Akmola KZ-11, rural:        2 girls in grade 3, 1 student in grade 10 (gender not given)
  W1 2025-03-10 10:00, 90 min, kk: A's 32 and B's 25 confirmed; B's 3 absent   → March: 54 reached
  W2 2025-04-15 10:00, 60 min, ru: 9 of A's girls, present                      → April: 9
  W3 2025-05-20 10:00, 45 min, kk: C's 3, present                               → May: 3

Exact figures: 57 students reached, 69 sign-ups, 66 attended (rate 0.9565), 92.25 student-hours, 3 schools.
  by region:      KZ-71 32 · KZ-19 22 · KZ-11 3      (a region with 3 children)
  by gender:      female 34 · male 22 · unspecified 1 (a cell of 22 hidden only to protect a cell of 1)
  by grade band:  0-4 34 · 5-9 22 · 10-11 1
  by settlement:  urban 32 · rural 25
  by month:       2025-03 54 · 2025-04 9 · 2025-05 3  (a month with 9)
  by language:    kk 57 · ru 9
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from outreach.attendance import services as attendance
from outreach.extensions import db
from outreach.signups import services as signups
from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop

ALMATY = ZoneInfo("Asia/Almaty")


@dataclass
class Small:
    coordinator: object
    funder: object  # a user of F
    initiative: object
    schools: dict
    workshops: dict


def build() -> Small:
    coordinator = make_user("coordinator")
    org = make_funder(name="Балалар қоры")
    initiative = make_initiative(funders=[org], target_students=100, starts_on=date(2025, 1, 1),
                                 ends_on=date(2025, 12, 31),
                                 title={"kk": "Қорғалған сандар", "ru": "Защищённые цифры", "en": "Protected figures"})
    a = make_school(name="Мектеп А", region_code="KZ-71", settlement_type="urban")
    b = make_school(name="Мектеп Б", region_code="KZ-19", settlement_type="rural")
    c = make_school(name="Мектеп В", region_code="KZ-11", settlement_type="rural")
    girls_a = [make_student(a, grade=3, gender="female") for _ in range(32)]
    boys_b = [make_student(b, grade=7, gender="male") for _ in range(25)]
    kids_c = [make_student(c, grade=3, gender="female"), make_student(c, grade=3, gender="female"),
              make_student(c, grade=10, gender="unspecified")]
    w = {
        "W1": make_workshop(initiative=initiative, starts_at=datetime(2025, 3, 10, 10, tzinfo=ALMATY),
                            duration_minutes=90, language="kk", capacity=60),
        "W2": make_workshop(initiative=initiative, starts_at=datetime(2025, 4, 15, 10, tzinfo=ALMATY),
                            duration_minutes=60, language="ru", capacity=10),
        "W3": make_workshop(initiative=initiative, starts_at=datetime(2025, 5, 20, 10, tzinfo=ALMATY),
                            duration_minutes=45, language="kk", capacity=10),
    }
    signups.register(w["W1"].id, [s.id for s in girls_a + boys_b], actor=coordinator)
    attendance.record(w["W1"].id, [s.id for s in girls_a + boys_b[:22]], actor=coordinator)
    signups.register(w["W2"].id, [s.id for s in girls_a[:9]], actor=coordinator)
    attendance.record(w["W2"].id, [s.id for s in girls_a[:9]], actor=coordinator)
    signups.register(w["W3"].id, [s.id for s in kids_c], actor=coordinator)
    attendance.record(w["W3"].id, [s.id for s in kids_c], actor=coordinator)
    small = Small(coordinator=coordinator, funder=make_user("funder", funder=org), initiative=initiative,
                  schools={"A": a, "B": b, "C": c}, workshops=w)
    db.session.commit()
    return small
