"""Wordings the November 2026 review asked for, as a Kazakh or Russian reader meets them on the pages."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from outreach.extensions import db
from outreach.signups import services as signups
from tests.factories import make_school, make_student, make_user, make_workshop
from tests.workshops.helpers import at, term, workshop_data


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_full_workshop_reads_the_same_on_the_dashboard_and_the_browse_page(app, client, login):
    coordinator = make_user("coordinator")
    school = make_school()
    workshop = make_workshop(capacity=1, starts_at=datetime.now(timezone.utc) + timedelta(days=3))
    signups.register(workshop.id, [make_student(school).id], actor=coordinator)
    db.session.commit()
    login(coordinator)
    dashboard = _text(client.get("/?lang=kk").get_data(as_text=True))
    representative = app.test_client()
    login(make_user("school", school=school), c=representative)
    browse = _text(representative.get("/signups/browse?lang=kk").get_data(as_text=True))
    assert "Бос орын жоқ" in dashboard and "Бос орын жоқ" in browse
    assert "0 бос орын" not in dashboard and "Орын қалмады" not in browse
    assert "Свободных мест нет" in _text(client.get("/?lang=ru").get_data(as_text=True))


def test_the_series_cancel_form_asks_which_sessions(client, login):
    from outreach.workshops import services

    coordinator = login("coordinator")
    sessions = services.create_series(workshop_data(term(), starts_at=at(2027, 3, 1, 10)),
                                      {"weekdays": [1], "count": 3}, actor=coordinator)
    db.session.commit()
    html = client.get(f"/workshops/{sessions[0].id}?lang=ru").get_data(as_text=True)
    legend = re.search(r"<legend[^>]*>([^<]+)</legend>", html).group(1).strip()
    assert legend == "Какие занятия отменить"  # not the button's «Отмена»


def test_names_of_people_and_of_schools_are_searched_and_headed_in_their_own_words(client, login):
    school = make_school()
    make_student(school)
    login("coordinator")
    students = _text(client.get("/students?lang=kk").get_data(as_text=True))
    assert "Аты-жөні бойынша іздеу" in students and "Аты-жөні" in students
    schools = _text(client.get("/schools?lang=kk").get_data(as_text=True))
    assert "Атауы бойынша іздеу" in schools and "Аты-жөні бойынша іздеу" not in schools
    assert "Поиск по фамилии или имени" in _text(client.get("/students?lang=ru").get_data(as_text=True))
    assert "Поиск по названию" in _text(client.get("/schools?lang=ru").get_data(as_text=True))


def test_grades_are_ordinals(client, login):
    login("coordinator")
    one = make_workshop(min_grade=5, max_grade=5)
    band = make_workshop(min_grade=1, max_grade=6)
    early = make_workshop(min_grade=0, max_grade=4)
    db.session.commit()
    assert "5-сынып" in _text(client.get(f"/workshops/{one.id}?lang=kk").get_data(as_text=True))
    assert "1–6-сыныптар" in _text(client.get(f"/workshops/{band.id}?lang=kk").get_data(as_text=True))
    assert "1–6 классы" in _text(client.get(f"/workshops/{band.id}?lang=ru").get_data(as_text=True))
    kk_early = _text(client.get(f"/workshops/{early.id}?lang=kk").get_data(as_text=True))
    assert "Мектепалды даярлық сыныбы – 4-сынып" in kk_early and "0-сынып" not in kk_early
