"""Realistic demo data for a fresh database: schools, funders, initiatives, workshops, students, sign-ups."""
from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from outreach.artists import services as artist_services
from outreach.attendance import services as attendance
from outreach.auth import services as auth
from outreach.auth.models import User
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.funders.models import Funder
from outreach.initiatives.models import Initiative
from outreach.outcomes import services as outcomes
from outreach.outcomes.models import SCALE5, STUDENTS, TEACHERS, TEXT, YESNO, TeacherLink
from outreach.reports import counts
from outreach.schools.models import School
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.students.models import GuardianConsent, Student
from outreach.venues import services as venue_services
from outreach.workshops import services as workshop_services
from outreach.workshops.models import Workshop

DEMO_PASSWORD = "outreach-demo"

SCHOOLS = [
    # name, region, locality, settlement, languages
    ("№45 мектеп-гимназия", "KZ-71", "Астана", "urban", ["kk"]),
    ("Школа-лицей №8", "KZ-71", "Астана", "urban", ["ru", "kk"]),
    ("№12 жалпы білім беретін мектеп", "KZ-75", "Алматы", "urban", ["kk", "ru"]),
    ("Гимназия №159", "KZ-75", "Алматы", "urban", ["ru"]),
    ("Абай атындағы №3 мектеп", "KZ-79", "Шымкент", "urban", ["kk"]),
    ("Школа №21 имени Ы. Алтынсарина", "KZ-79", "Шымкент", "urban", ["ru", "kk"]),
    ("Қаскелең №2 орта мектебі", "KZ-19", "Қаскелең", "urban", ["kk", "ru"]),
    ("Ұзынағаш ауылының мектебі", "KZ-19", "Ұзынағаш", "rural", ["kk"]),
    ("Средняя школа села Акколь", "KZ-11", "Акколь", "rural", ["ru"]),
    ("Қарағанды №7 мектеп-лицейі", "KZ-35", "Қарағанды", "urban", ["kk", "ru"]),
    ("Школа-гимназия №38 г. Караганды", "KZ-35", "Караганда", "urban", ["ru"]),
    ("Түркістан №1 дарынды балаларға арналған мектеп", "KZ-61", "Түркістан", "urban", ["kk"]),
    ("Шәуілдір ауылының орта мектебі", "KZ-61", "Шәуілдір", "rural", ["kk"]),
    ("Павлодар №24 мектебі", "KZ-55", "Павлодар", "urban", ["kk", "ru"]),
    ("Школа села Железинка", "KZ-55", "Железинка", "rural", ["ru"]),
    ("Қостанай №9 мектеп-гимназиясы", "KZ-39", "Қостанай", "urban", ["kk", "ru"]),
    ("Жітіқара ауданының мектебі", "KZ-39", "Жітіқара", "rural", ["kk"]),
    ("Ақтау №5 мектебі", "KZ-47", "Ақтау", "urban", ["kk"]),
    ("Қызылорда №15 мектебі", "KZ-43", "Қызылорда", "urban", ["kk"]),
    ("Жаңақорған ауылының мектебі", "KZ-43", "Жаңақорған", "rural", ["kk"]),
]

FUNDERS = ["«Дала өнері» қоры", "Nomad Arts Foundation", "«Алтын сахна» қоры"]

INITIATIVES = [
    ({"kk": "«Аққу көлі» — мектептерге", "ru": "«Лебединое озеро» — школам", "en": "Swan Lake for Schools"},
     {"kk": "Балет әртістері мектептерде шеберлік сабақтарын өткізіп, оқушыларды классикалық биге баулиды.",
      "ru": "Артисты балета проводят в школах мастер-классы и знакомят учеников с классическим танцем.",
      "en": "Ballet dancers give workshops in schools and introduce students to classical dance."},
     "ballet", 600, [0, 1]),
    ({"kk": "Қара жорға: халық биі", "ru": "Кара жорга: народный танец", "en": "Kara Zhorga: Folk Dance"},
     {"kk": "Қазақ халық биінің негіздері ауыл мектептерінде.", "ru": "Основы казахского народного танца в сельских школах.",
      "en": "The basics of Kazakh folk dance in rural schools."},
     "folk_dance", 300, [0]),
    ({"kk": "Домбыра үні", "ru": "Звуки домбры", "en": "Sound of the Dombra"},
     {"kk": "Домбыра мен күй өнерімен танысу.", "ru": "Знакомство с домброй и искусством кюя.", "en": "Meeting the dombra and the art of the kui."},
     "music", 250, [1, 2]),
    ({"kk": "Сахна — балаларға", "ru": "Сцена — детям", "en": "A Stage for Children"},
     {"ru": "Театральные мастер-классы для старшеклассников.", "en": "Theatre workshops for older students."},
     "theatre", 200, [2]),
]

# teaching artists: name, art forms, languages, home region. Two pairs are one person written twice (as the old
# free text held them: «Мадина Төлеуова» / «Мадина Тулеуова», «Жанар Әбілова» / «Абилова Жанар»), for the
# near-duplicates page to offer their merge.
ARTISTS = [
    ("Айгерім Сәрсенова", ["ballet"], ["kk", "ru"], "KZ-71"), ("Мадина Төлеуова", ["music"], ["ru", "kk"], "KZ-71"),
    ("Ерлан Қасымов", ["folk_dance"], ["kk"], "KZ-75"), ("Анна Ким", ["folk_dance", "ballet"], ["ru"], "KZ-75"),
    ("Дәулет Нұрланов", ["folk_dance"], ["kk"], "KZ-19"), ("Ольга Петрова", ["theatre"], ["ru"], "KZ-35"),
    ("Жанар Әбілова", ["theatre"], ["kk", "ru"], "KZ-79"), ("Бауыржан Серіков", ["theatre"], ["kk"], "KZ-79"),
    ("Гүлнар Оспанова", ["visual_arts"], ["kk"], "KZ-19"), ("Сергей Ли", ["music"], ["ru", "en"], "KZ-35"),
    ("Мадина Тулеуова", ["music"], ["ru"], "KZ-71"), ("Абилова Жанар", ["theatre"], ["ru"], "KZ-79"),
]
# venues: name, region, locality (Талғар and Есік are an hour apart: an artist cannot give both at 10 and 11)
VENUE_RECORDS = [
    ("Астана Опера, репетиция залы", "KZ-71", "Астана"), ("№45 мектеп-гимназиясының акт залы", "KZ-71", "Астана"),
    ("«Шабыт» мәдениет үйі", "KZ-75", "Алматы"), ("Абай атындағы ҚазҰАТОБТ", "KZ-75", "Алматы"),
    ("Талғар ауылдық клубы", "KZ-19", "Талғар"), ("Есік мәдениет үйі", "KZ-19", "Есік"),
    ("Балалар шығармашылық орталығы", "KZ-79", "Шымкент"), ("Шымкент драма театры, кіші зал", "KZ-79", "Шымкент"),
    ("Қаскелең мәдениет үйі", "KZ-19", "Қаскелең"), ("Ұзынағаш ауылдық клубы", "KZ-19", "Ұзынағаш"),
    ("Дом культуры села Акколь", "KZ-11", "Акколь"), ("Қарағанды филармониясы", "KZ-35", "Қарағанды"),
    ("Оқушылар сарайы", "KZ-35", "Қарағанды"), ("Гимназия №159, актовый зал", "KZ-75", "Алматы"),
    ("Ботаникалық бақ, жазғы сахна", "KZ-75", "Алматы"),
]
INSTRUCTORS = [a[0] for a in ARTISTS]
VENUES = [v[0] for v in VENUE_RECORDS]

FIRST_F = ["Айару", "Аружан", "Дана", "Томирис", "Жансая", "Амина", "Әсел", "Мария", "Анна", "София", "Алина",
           "Камила", "Ақбота", "Інжу", "Виктория", "Ұлжан"]
FIRST_M = ["Нұрсұлтан", "Алихан", "Ерасыл", "Әлихан", "Темірлан", "Иван", "Артём", "Данияр", "Айбек", "Максим",
           "Ансар", "Рамазан", "Тимур", "Ғалым", "Мирас", "Дмитрий"]
LAST = [("Сейітов", "Сейітова"), ("Ахметов", "Ахметова"), ("Иванов", "Иванова"), ("Қасенов", "Қасенова"),
        ("Жұмабаев", "Жұмабаева"), ("Ким", "Ким"), ("Нұрпейісов", "Нұрпейісова"), ("Смағұлов", "Смағұлова"),
        ("Петров", "Петрова"), ("Әбенов", "Әбенова"), ("Оспанов", "Оспанова"), ("Ли", "Ли"),
        ("Тоқтаров", "Тоқтарова"), ("Кузнецов", "Кузнецова"), ("Бекмұхамбетов", "Бекмұхамбетова")]
# relationship in kk and ru, and whether the guardian is a woman (None: either); a legal guardian (опекун)
# is «қорғаншысы» — «қамқоршысы» is a trustee (попечитель)
GUARDIANS = [("анасы", "мать", True), ("әкесі", "отец", False), ("әжесі", "бабушка", True),
             ("қорғаншысы", "опекун", None)]


class DatabaseNotEmpty(RuntimeError):
    pass


def database_is_empty() -> bool:
    for model in (User, School, Funder, Initiative, Student):
        if db.session.scalar(select(func.count()).select_from(model)):
            return False
    return True


def seed(rng_seed: int = 2027) -> dict[str, int]:
    """Fill an empty database with demo data; refuses a database that holds data."""
    if not database_is_empty():
        raise DatabaseNotEmpty("the database already holds data")
    rng = random.Random(rng_seed)
    tz = ZoneInfo(current_app.config["OUTREACH_TIMEZONE"])
    today = utcnow().astimezone(tz).date()

    schools = []
    for name, region, locality, settlement, languages in SCHOOLS:
        school = School(region_code=region, locality=locality, settlement_type=settlement)
        school.set_name(name)
        school.languages = languages
        db.session.add(school)
        schools.append(school)
    funders = [Funder(name=name) for name in FUNDERS]
    db.session.add_all(funders)
    db.session.flush()

    admin = auth.create_user(email="admin@example.org", role="admin", password=DEMO_PASSWORD,
                             name="Әлия Администратор", locale="kk")
    coordinator = auth.create_user(email="coordinator@example.org", role="coordinator", password=DEMO_PASSWORD,
                                   name="Гүлнар Үйлестіруші", locale="kk")
    auth.create_user(email="school@example.org", role="school", password=DEMO_PASSWORD, name="Сәуле Мектепова",
                     locale="kk", school_id=schools[0].id)
    auth.create_user(email="school2@example.org", role="school", password=DEMO_PASSWORD, name="Елена Школьная",
                     locale="ru", school_id=schools[1].id)
    auth.create_user(email="funder@example.org", role="funder", password=DEMO_PASSWORD, name="Айдос Бекенов",
                     locale="en", funder_id=funders[0].id)

    term_start = today - timedelta(days=75)
    initiatives = []
    for title, description, art_form, target, funder_idx in INITIATIVES:
        initiative = Initiative(title=title, description=description, art_form=art_form, target_students=target,
                                starts_on=term_start, ends_on=today + timedelta(days=150),
                                funders=[funders[i] for i in funder_idx])
        db.session.add(initiative)
        initiatives.append(initiative)
    db.session.flush()
    counts.refresh_funder_scopes()  # each funder's report counts are kept from here on (the service's event does this)

    students = []
    # most guardians agreed to photos and video, some did not (a generator of its own: the other data stays as it was)
    media_rng = random.Random(rng_seed + 1)
    for school in schools:
        for _ in range(15):
            female = rng.random() < 0.55
            family = rng.choice(LAST)
            last = family[1 if female else 0]
            student = Student(school_id=school.id, first_name=rng.choice(FIRST_F if female else FIRST_M),
                              last_name=last, grade=rng.randint(0, 11),
                              gender="female" if female else ("male" if rng.random() < 0.95 else "unspecified"))
            relation = rng.choice(GUARDIANS)
            woman = relation[2] if relation[2] is not None else rng.random() < 0.5
            # a father carries the child's family name; mothers, grandmothers and guardians may not
            first, other_family = rng.choice(FIRST_F if woman else FIRST_M), rng.choice(LAST)
            surname = family[0] if relation[1] == "отец" else other_family[1 if woman else 0]
            student.consent = GuardianConsent(
                guardian_name=f"{first} {surname}",
                relationship_to_student=relation[0] if "kk" in school.languages else relation[1],
                given_on=term_start - timedelta(days=rng.randint(1, 20)),
                method=rng.choice(["paper", "electronic"]), recorded_by_id=coordinator.id)
            student.media_consent = media_rng.random() < 0.85
            db.session.add(student)
            students.append(student)
    db.session.flush()

    artists = [artist_services.create_artist({"name": name, "art_forms": forms, "languages": languages,
                                              "home_region": region}, actor=coordinator)
               for name, forms, languages, region in ARTISTS]
    # the ballet series' teaching artist has an account: her week, her workshops' attendance, her hours
    auth.create_user(email="artist@example.org", role="artist", password=DEMO_PASSWORD, name=artists[0].name,
                     locale="kk", artist_id=artists[0].id)
    for name, region, locality in VENUE_RECORDS:
        venue_services.create_venue({"name": name, "region": region, "locality": locality}, actor=coordinator)

    # Workshops through the scheduling service (so the demo obeys its rules: no instructor or venue is double-booked):
    # weekly series for the ballet and music initiatives, single workshops for the others.
    workshops: list[Workshop] = []
    ballet, folk, music, theatre = initiatives

    def base(initiative: Initiative, title: dict, when: date, hour: int, capacity: int, grades: tuple[int, int],
             language: str, venue: str, instructor: str) -> dict:
        return {"initiative_id": initiative.id, "title": title, "starts_at": datetime.combine(when, time(hour, 0), tz),
                "duration_minutes": 90, "capacity": capacity, "venue": venue, "instructor": instructor,
                "language": language, "min_grade": grades[0], "max_grade": grades[1]}

    for index, (initiative, weekday, hour, count, grades, language, capacity) in enumerate((
            (ballet, 1, 15, 12, (1, 6), "kk", 12), (music, 3, 14, 10, (3, 9), "ru", 15))):
        first = term_start + timedelta(days=(weekday - term_start.isoweekday()) % 7 + 14)
        workshops += workshop_services.create_series(
            base(initiative, initiative.title, first, hour, capacity, grades, language, VENUES[index], INSTRUCTORS[index]),
            {"weekdays": [weekday], "interval_weeks": 1, "count": count}, actor=coordinator)
    # the single workshops are 16 days apart and use other instructors and venues than the series
    for index in range(9):
        when = term_start + timedelta(days=10 + index * 16)
        workshops.append(workshop_services.create_workshop(base(
            folk, {"kk": "Халық биі шеберлік сабағы", "ru": "Мастер-класс народного танца", "en": "Folk dance workshop"},
            when, 11, 20, (0, 11), "kk", VENUES[2 + index % 2], INSTRUCTORS[2 + index % 3]), actor=coordinator))
        workshops.append(workshop_services.create_workshop(base(
            theatre, {"ru": "Театральная импровизация", "en": "Theatre improvisation"},
            when + timedelta(days=2), 16, 10, (7, 11), "ru", VENUES[4 + index % 2], INSTRUCTORS[5 + index % 3]),
            actor=coordinator))
    db.session.flush()

    # Sign-ups through the real service (coordinators may enter past sign-ups), then attendance.
    by_school: dict[int, list[Student]] = {}
    for student in students:
        by_school.setdefault(student.school_id, []).append(student)
    for workshop in workshops:
        chosen = rng.sample(schools, 3)
        fitting = [s.id for school in chosen for s in by_school[school.id]
                   if workshop.min_grade <= s.grade <= workshop.max_grade]
        rng.shuffle(fitting)
        signups.register(workshop.id, fitting[: workshop.capacity + rng.randint(-4, 4)], actor=coordinator)
    db.session.flush()
    now = utcnow()
    for workshop in workshops:
        if workshop.ends_at < now and rng.random() < 0.9:
            confirmed = list(db.session.scalars(select(Signup.student_id).where(
                Signup.workshop_id == workshop.id, Signup.status == "confirmed")))
            # one draw per student (as when marks were yes/no): most present, some late, a few excused
            marks = {}
            for sid in confirmed:
                draw = rng.random()
                if draw < 0.75:
                    marks[sid] = attendance.Recorded("present")
                elif draw < 0.85:  # 5 … 35 minutes late
                    late = min(5 + int((draw - 0.75) * 300), workshop.duration_minutes - 1)
                    marks[sid] = attendance.Recorded("late", max(workshop.duration_minutes - late, 1))
                elif draw < 0.92:
                    marks[sid] = attendance.Recorded("excused")
            attendance.record_marks(workshop.id, marks, actor=coordinator)
    # Class visits: the dombra's teaching artist gives five sessions in the hall of №45 мектеп-гимназия to grades
    # 3–9 of each demo school, so that both demo schools have students with a certificate of participation
    # (README "Certificates of participation"). A generator of its own: the rest of the demo stays as it was.
    workshops += _class_visits(music, schools[:2], by_school, term_start, tz, coordinator, random.Random(rng_seed + 3))
    # Every initiative asks the ready questions (pupils before and after, teachers after each workshop). The pupils of
    # the folk-dance workshops that took place answered at the start and at the end (most a little happier after);
    # the ballet series' pupils at its first session and its last; one teacher per school answered the link.
    for initiative in initiatives:
        outcomes.start_from_library(initiative, STUDENTS, actor=coordinator)
        outcomes.start_from_library(initiative, TEACHERS, actor=coordinator)
    # outcome targets: half of the folk-dance pupils confident in front of others, 70 % of the ballet pupils
    # knowing what «плие» means
    for initiative, key, percent in ((folk, "confident_dancing", 50), (ballet, "knows_ballet_term", 70)):
        outcomes.set_outcome_target(outcomes.questionnaire_for(initiative.id, STUDENTS), key, percent,
                                    actor=coordinator)
    answer_rng = random.Random(rng_seed + 2)

    def answers(questions, lift: int) -> dict:
        return {q.key: (min(5, answer_rng.randint(2, 4) + lift * answer_rng.randint(0, 1)) if q.kind == SCALE5
                        else answer_rng.random() < 0.35 + 0.3 * lift) for q in questions if q.kind in (SCALE5, YESNO)}

    def confirmed_ids(workshop: Workshop) -> list[int]:
        return list(db.session.scalars(select(Signup.id).where(Signup.workshop_id == workshop.id,
                                                               Signup.status == "confirmed").order_by(Signup.id)))

    held = [w for w in workshops if w.ends_at < now]
    for initiative, phases in ((folk, None), (ballet, "series")):
        questions = outcomes.questionnaire_for(initiative.id, STUDENTS).questions
        mine = [w for w in held if w.initiative_id == initiative.id]
        sessions = [(w, ("before", "after")) for w in mine] if phases is None else (
            [(mine[0], ("before",)), (mine[-1], ("after",))] if len(mine) > 1 else [])
        for workshop, asked in sessions:
            items = [{"signup_id": signup_id, "phase": phase, "answers": answers(questions, int(phase == "after"))}
                     for signup_id in confirmed_ids(workshop) for phase in asked if answer_rng.random() < 0.9]
            if items:
                outcomes.save_responses(workshop.id, items, actor=coordinator)
    teacher_questions = outcomes.questionnaire_for(folk.id, TEACHERS).questions
    comments = ["Балалар сабақтан кейін де билеп жүрді.", "Дети просили провести ещё одно занятие.",
                "Музыканы алдын ала жіберсеңіздер, жақсы болар еді.", "Зал был тесноват для двадцати детей.",
                "Ұялшақ оқушылар да қатысты — бұл біз үшін маңызды.", "Хорошо бы раздать родителям памятку.",
                None]
    for workshop in (w for w in held if w.initiative_id == folk.id):
        for school_id in sorted(set(db.session.scalars(select(Student.school_id).join(Signup).where(
                Signup.workshop_id == workshop.id, Signup.status == "confirmed")))):
            link = TeacherLink(token_hash=hashlib.sha256(f"demo-{workshop.id}-{school_id}".encode()).hexdigest(),
                               workshop_id=workshop.id, school_id=school_id, created_at=workshop.ends_at,
                               expires_at=now + timedelta(minutes=5))
            db.session.add(link)
            db.session.flush()
            given = answers([q for q in teacher_questions if q.kind != TEXT], 1)
            comment = answer_rng.choice(comments)
            if comment:
                given["teacher_comments"] = comment
            outcomes.answer_teacher_link(link, given)
            link.answered_at = workshop.ends_at + timedelta(days=1)  # answered the day after, a link lasting two weeks
            link.expires_at = workshop.ends_at + timedelta(days=14)
    # A few cancellations, so waitlists move.
    future_confirmed = list(db.session.scalars(select(Signup.id).join(Workshop).where(
        Signup.status == "confirmed", Workshop.starts_at > now).order_by(Signup.id).limit(200)))
    for signup_id in rng.sample(future_confirmed, min(6, len(future_confirmed))):
        signups.cancel(signup_id, actor=coordinator)
    db.session.flush()
    return {"schools": len(schools), "students": len(students), "workshops": len(workshops),
            "initiatives": len(initiatives), "admin": admin.id}


def _class_visits(initiative: Initiative, schools: list[School], by_school: dict[int, list[Student]], first_day: date,
                  tz: ZoneInfo, coordinator: User, rng: random.Random) -> list[Workshop]:
    """A past series of five sessions per school, for its grades 3–9; most pupils come to most of them (a few
    late, a few excused or absent), so most of each class earn a certificate and some do not."""
    made: list[Workshop] = []
    friday = first_day + timedelta(days=(5 - first_day.isoweekday()) % 7 + 7)
    for index, school in enumerate(schools):
        data = {"initiative_id": initiative.id, "title": initiative.title,
                "starts_at": datetime.combine(friday, time(10 + 3 * index, 0), tz), "duration_minutes": 90,
                "capacity": 15, "venue": VENUES[1], "instructor": INSTRUCTORS[1], "language": school.languages[0],
                "min_grade": 3, "max_grade": 9}
        series = workshop_services.create_series(data, {"weekdays": [5], "interval_weeks": 1, "count": 5},
                                                 actor=coordinator, school_id=school.id)
        pupils = [s.id for s in by_school[school.id] if 3 <= s.grade <= 9][:15]
        for workshop in series:
            signups.register(workshop.id, pupils, actor=coordinator)
            marks = {}
            for sid in pupils:
                draw = rng.random()
                if draw < 0.7:
                    marks[sid] = attendance.Recorded("present")
                elif draw < 0.82:
                    marks[sid] = attendance.Recorded("late", workshop.duration_minutes - rng.choice((10, 15, 20)))
                elif draw < 0.9:
                    marks[sid] = attendance.Recorded("excused")
            attendance.record_marks(workshop.id, marks, actor=coordinator)
        made += series
    return made
