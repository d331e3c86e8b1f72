"""Lists sorted by name follow the alphabet of the page's language, on SQLite and PostgreSQL alike.

Kazakh: А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я.
Code point order (what SQLite and PostgreSQL's "C" collation do) puts every Kazakh letter after Я.
"""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from outreach.collation import by_name, sort_key, stored_order
from outreach.extensions import db
from outreach.i18n import force_locale
from outreach.schools.models import School
from tests.factories import make_funder, make_school, make_student, make_user, make_workshop

REGIONS = ["Ақмола", "Атырау", "Ұлытау", "Шымкент", "Шығыс Қазақстан"]
REGIONS_SORTED = ["Ақмола", "Атырау", "Ұлытау", "Шығыс Қазақстан", "Шымкент"]
PEOPLE = ["Әлия", "Айгерім", "Қанат", "Кәмила"]
PEOPLE_SORTED = ["Айгерім", "Әлия", "Кәмила", "Қанат"]
# where the two alphabets differ: І after Ы in Kazakh (after И in Russian), Ұ before Ү in Kazakh, Ё a letter of its own
DIFFER = ["Іле", "Иван", "Ыбырай", "Үржар", "Ұзынағаш", "Ежов", "Ёж", "Йошкар"]
DIFFER_KK = ["Ежов", "Ёж", "Иван", "Йошкар", "Ұзынағаш", "Үржар", "Ыбырай", "Іле"]
DIFFER_RU = ["Ёж", "Ежов", "Иван", "Іле", "Йошкар", "Үржар", "Ұзынағаш", "Ыбырай"]


def _names(lang):
    return [s for s, in db.session.execute(select(School.name).order_by(*by_name(School.name, language=lang),
                                                                          School.id))]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_issues_lists_sort_in_the_alphabet(lang):
    assert sorted(REGIONS, key=lambda n: sort_key(n, lang)) == REGIONS_SORTED
    assert sorted(PEOPLE, key=lambda n: sort_key(n, lang)) == PEOPLE_SORTED
    # what code point order gave: Ақмола after Атырау, Ұлытау last, Шымкент before Шығыс
    assert sorted(REGIONS) != REGIONS_SORTED and sorted(PEOPLE) != PEOPLE_SORTED


def test_kazakh_and_russian_orders_differ_where_the_alphabets_do():
    assert sorted(DIFFER, key=lambda n: sort_key(n, "kk")) == DIFFER_KK
    assert sorted(DIFFER, key=lambda n: sort_key(n, "ru")) == DIFFER_RU


def test_case_spaces_digits_and_punctuation_sort_as_icu_does():
    names = ["Абай 2", "абай", "Абай", "Абай 10", "Ахметова София", "Ахмет Айдос", "Zebra", "«Дала өнері» қоры"]
    assert sorted(names, key=lambda n: sort_key(n, "kk")) == [
        "«Дала өнері» қоры", "абай", "Абай", "Абай 10", "Абай 2", "Ахмет Айдос", "Ахметова София", "Zebra"]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_database_sorts_in_the_alphabet(lang):
    """ORDER BY … COLLATE: PostgreSQL's ICU collation, SQLite's registered one — the same order."""
    for name in REGIONS + PEOPLE + DIFFER:
        make_school(name=name)
    db.session.flush()
    names = _names(lang)
    assert [n for n in names if n in REGIONS] == REGIONS_SORTED
    assert [n for n in names if n in PEOPLE] == PEOPLE_SORTED
    assert [n for n in names if n in DIFFER] == (DIFFER_KK if lang == "kk" else DIFFER_RU)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_database_and_sort_key_agree_on_any_names(lang):  # en: the Russian order
    """Random names from mixed letters, case, digits, spaces and punctuation: the database (ICU on PostgreSQL)
    and sort_key (used for lists sorted in Python, and behind SQLite's collation) give one order."""
    rng = random.Random(15)
    letters = "аАәӘбгғдеЕёЁжиійЙкКқҚнңоөуУұҰүҮхһыЫіІьэяЯ -.,«»\"'№0129abzAZé"
    names = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(1, 6))) for _ in range(150)})
    for name in names:
        make_school(name=name)
    db.session.flush()
    stored = list(db.session.scalars(select(School.name)))  # as the school keeps them (spaces tidied)
    expected = sorted(stored, key=lambda n: sort_key(n, lang))
    assert _names(lang) == expected
    # the long lists read the key stored beside the name (an index, not a collation called per comparison)
    assert list(db.session.scalars(select(School.name).order_by(stored_order(School, lang), School.id))) == expected


def test_pages_list_schools_students_and_regions_in_the_pages_alphabet(client, login):
    school = make_school(name="Әлем мектебі", region_code="KZ-11")
    make_school(name="Бәйтерек мектебі")
    make_school(name="Іле мектебі")
    make_school(name="Ыбырай мектебі")
    for first in PEOPLE:
        make_student(school, last_name=first, first_name="Оқушы")
    login("coordinator")

    def order(html, names):
        return sorted(names, key=lambda n: html.index(n))

    kk = client.get("/schools?lang=kk").get_data(as_text=True)
    assert order(kk, ["Әлем мектебі", "Бәйтерек мектебі", "Іле мектебі", "Ыбырай мектебі"]) == \
        ["Әлем мектебі", "Бәйтерек мектебі", "Ыбырай мектебі", "Іле мектебі"]
    ru = client.get("/schools?lang=ru").get_data(as_text=True)
    assert order(ru, ["Іле мектебі", "Ыбырай мектебі"]) == ["Іле мектебі", "Ыбырай мектебі"]

    roster = client.get(f"/students?school_id={school.id}&lang=kk").get_data(as_text=True)
    assert order(roster, PEOPLE) == PEOPLE_SORTED

    from outreach.signups import services as signups
    from outreach.students.models import Student

    workshop = make_workshop(capacity=10)
    signups.register(workshop.id, list(db.session.scalars(select(Student.id))), actor=make_user("coordinator"))
    db.session.commit()
    page = client.get(f"/workshops/{workshop.id}?lang=kk").get_data(as_text=True)
    assert order(page, PEOPLE) == PEOPLE_SORTED  # the workshop's list of confirmed students

    form = client.get("/schools/new?lang=kk").get_data(as_text=True)
    regions = re.findall(r'<option value="KZ-\w+"[^>]*>([^<]+)</option>', form)
    assert regions.index("Ақмола облысы") < regions.index("Атырау облысы") < regions.index("Ұлытау облысы") \
        < regions.index("Шығыс Қазақстан облысы") < regions.index("Шымкент")
    ru_form = client.get("/schools/new?lang=ru").get_data(as_text=True)
    ru_regions = re.findall(r'<option value="KZ-\w+"[^>]*>([^<]+)</option>', ru_form)
    assert ru_regions == sorted(ru_regions, key=lambda n: sort_key(n, "ru")) and len(ru_regions) == 20


def test_funders_and_instructors_in_the_pages_alphabet():
    from outreach.initiatives import services as initiatives
    from outreach.workshops import queries as workshops
    from outreach.artists.models import Artist

    for name in ["Қазына қоры", "Кеңес қоры", "Ақ жол қоры", "Атамекен қоры"]:
        make_funder(name=name)
    for name in PEOPLE:
        make_workshop(instructor=f"{name} Серікқызы")
    coordinator = make_user("coordinator")
    with force_locale("kk"):
        assert [f.name for f in initiatives.funder_choices(coordinator)] == \
            ["Ақ жол қоры", "Атамекен қоры", "Кеңес қоры", "Қазына қоры"]
        assert [n for _id, n in workshops.record_choices(Artist)] == [f"{n} Серікқызы" for n in PEOPLE_SORTED]


def test_the_exported_school_table_breaks_ties_in_the_alphabet(client, login):
    """Schools with the same figures come in alphabet order in the spreadsheet too (Ә before Б)."""
    import io

    from openpyxl import load_workbook

    from outreach.attendance import services as attendance
    from outreach.signups import services as signups
    from outreach.dbtypes import utcnow

    coordinator = make_user("coordinator")
    workshop = make_workshop(starts_at=utcnow() - timedelta(days=3))
    students = [make_student(make_school(name=name)) for name in ["Бәйтерек мектебі", "Әлем мектебі"]]
    signups.register(workshop.id, [s.id for s in students], actor=coordinator)
    attendance.record(workshop.id, [s.id for s in students], actor=coordinator)
    db.session.commit()
    login(coordinator)
    book = load_workbook(io.BytesIO(client.get("/reports/impact.xlsx?lang=kk").data))
    sheet = next(ws for ws in book.worksheets if any(c.value == "Әлем мектебі" for row in ws.iter_rows() for c in row))
    names = [row[0].value for row in sheet.iter_rows() if row[0].value in ("Әлем мектебі", "Бәйтерек мектебі")]
    assert names == ["Әлем мектебі", "Бәйтерек мектебі"]


def test_an_initiatives_funders_in_the_pages_alphabet(client, login):
    from tests.factories import make_initiative

    funders = [make_funder(name=name) for name in ("Қазына қоры", "Кәусар қоры", "Әйгерім қоры", "Ақжол қоры")]
    initiative = make_initiative(funders=funders)
    db.session.commit()
    login("coordinator")
    names = ["Ақжол қоры", "Әйгерім қоры", "Кәусар қоры", "Қазына қоры"]
    for path in (f"/initiatives/{initiative.id}?lang=kk", "/initiatives?lang=kk"):
        html = client.get(path).get_data(as_text=True)
        assert sorted(names, key=html.index) == names, path


def test_the_account_funder_and_audit_pages_in_the_pages_alphabet(client, login):
    """The December 2026 review: the funders list, a funder's representatives, the accounts' organisation filter
    and role form, and the audit log's actor filter no longer sort by code point."""
    from outreach.audit.services import record

    funders = [make_funder(name=name) for name in ("Nomad Arts Foundation", "«Дала өнері» қоры", "«Алтын сахна» қоры")]
    funders_sorted = ["«Алтын сахна» қоры", "«Дала өнері» қоры", "Nomad Arts Foundation"]
    schools = [make_school(name=name) for name in ("Шәуілдір мектебі", "Қарасу мектебі", "Ұзынағаш мектебі", "Абай мектебі")]
    schools_sorted = ["Абай мектебі", "Қарасу мектебі", "Ұзынағаш мектебі", "Шәуілдір мектебі"]
    people = ["Сәуле Мектепова", "Әлия Администратор", "Айгерім Қорова"]
    people_sorted = ["Айгерім Қорова", "Әлия Администратор", "Сәуле Мектепова"]
    for school in schools:
        make_user("school", school=school)
    for name in people:
        user = make_user("funder", funder=funders[0], name=name)
        record(user, "user.signed_in", user)
    admin = make_user("admin", name="Ерлан Әкімов")
    db.session.commit()
    login(admin)

    def options(html: str, name: str) -> list[str]:
        select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        return [re.sub(r"\s+", " ", o).strip().replace("&#34;", '"') for o in re.findall(r"<option[^>]*>([^<]*)</option>", select_html)]

    def in_order(found: list[str], wanted: list[str]) -> list[str]:
        return [name for name in found if name in wanted]

    funders_page = client.get("/funders?lang=kk").get_data(as_text=True)
    assert sorted(funders_sorted, key=funders_page.index) == funders_sorted
    detail = client.get(f"/funders/{funders[0].id}?lang=ru").get_data(as_text=True)
    assert sorted(people_sorted, key=detail.index) == people_sorted
    accounts = client.get("/accounts?lang=kk").get_data(as_text=True)
    organisations = options(accounts, "organisation")
    assert in_order(organisations, funders_sorted) == funders_sorted
    assert in_order(organisations, schools_sorted) == schools_sorted
    someone = db.session.scalars(select(type(admin)).where(type(admin).name == people[0])).one()
    role_form = client.get(f"/accounts/{someone.id}?lang=kk").get_data(as_text=True)
    assert in_order(options(role_form, "school_id"), schools_sorted) == schools_sorted
    assert in_order(options(role_form, "funder_id"), funders_sorted) == funders_sorted
    audit = client.get("/audit?lang=kk").get_data(as_text=True)
    assert in_order(options(audit, "actor"), people_sorted) == people_sorted


def test_teaching_artists_and_venues_in_the_pages_alphabet(client, login):
    """The artists' and venues' lists, the merge form and the pay sheet sort in the alphabet of the page, not by
    the folded search key (which reads Ә as А and Қ as К: «Әлия» before «Асель», «Қанат» among the К…)."""
    from outreach.artists.services import monthly_hours
    from tests.factories import make_artist, make_venue

    artists = [make_artist(name) for name in ("Қанат Сәрсенов", "Әлия Омарова", "Кәмила Ахметова", "Асель Нұрова")]
    artists_kk = ["Асель Нұрова", "Әлия Омарова", "Кәмила Ахметова", "Қанат Сәрсенов"]
    for name in ("Қазақконцерт", "Әуезов театры", "Кеңес үйі", "Арман залы"):
        make_venue(name)
    venues_kk = ["Арман залы", "Әуезов театры", "Кеңес үйі", "Қазақконцерт"]
    for artist in artists:
        make_workshop(artist=artist, starts_at=datetime.now(timezone.utc) - timedelta(days=3))
    db.session.commit()
    login("coordinator")
    for path, wanted in (("/artists?lang=kk", artists_kk), ("/artists/merge?lang=kk", artists_kk),
                         ("/venues?lang=kk", venues_kk)):
        html = client.get(path).get_data(as_text=True)
        assert sorted(wanted, key=html.index) == wanted, path
    with force_locale("kk"):
        assert [row[0].name for row in monthly_hours()] == artists_kk
