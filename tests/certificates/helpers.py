"""A school whose students attended past workshops of an initiative, with the marks each test needs."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from outreach.attendance.services import Recorded, record_marks
from outreach.extensions import db
from outreach.signups.services import register
from tests.factories import artist_named, make_initiative, make_school, make_student, make_user, make_workshop


def past_workshops(initiative, count: int, *, artist: str = "Айгерім Сәрсенова", duration: int = 90) -> list:
    """`count` workshops of the initiative, one a week, the last a week ago."""
    now = datetime.now(timezone.utc)
    return [make_workshop(initiative=initiative, starts_at=now - timedelta(days=7 * (count - i)),
                          duration_minutes=duration, artist=artist_named(artist)) for i in range(count)]


def attend(workshops, marks_by_student: dict, *, actor) -> None:
    """marks_by_student: {student: [Recorded or None (not signed up), ...]} one per workshop."""
    for index, workshop in enumerate(workshops):
        marks = {s.id: marks[index] for s, marks in marks_by_student.items() if marks[index] is not None}
        if not marks:
            continue
        register(workshop.id, list(marks), actor=actor)
        record_marks(workshop.id, marks, actor=actor)
    db.session.flush()


P, L, E, A = Recorded("present"), Recorded("late", 60), Recorded("excused"), Recorded("absent")


def world(languages=("kk",)):
    """School A (kk) with its representative, school B, a ballet initiative of 4 past workshops, and students:
    `aliya` present 3 times (qualifies at 3), `erlan` 2 present + 1 late 60 min + 1 absent (qualifies),
    `dana` 2 present + 1 excused + 1 absent (does not), `other` of school B present 4 times."""
    coordinator = make_user("coordinator")
    school = make_school(name="№45 мектеп-гимназия", languages=list(languages))
    other_school = make_school(name="Школа-лицей №8", languages=["ru"])
    initiative = make_initiative(title={"kk": "«Аққу көлі» — мектептерге", "ru": "«Лебединое озеро» — школам",
                                        "en": "Swan Lake for Schools"})
    workshops = past_workshops(initiative, 4)
    aliya = make_student(school, first_name="Әлия", last_name="Сейітқызы", grade=5, gender="female")
    erlan = make_student(school, first_name="Ерлан", last_name="Құрманов", grade=5, gender="male")
    dana = make_student(school, first_name="Дана", last_name="Ахметова", grade=6)
    other = make_student(other_school, first_name="Мария", last_name="Петрова", grade=5)
    attend(workshops, {aliya: [P, P, P, None], erlan: [P, P, L, A], dana: [P, E, P, A], other: [P, P, P, P]},
           actor=coordinator)
    rep = make_user("school", school=school, locale="ru")
    db.session.commit()
    return {"coordinator": coordinator, "school": school, "other_school": other_school, "initiative": initiative,
            "workshops": workshops, "aliya": aliya, "erlan": erlan, "dana": dana, "other": other, "rep": rep}
