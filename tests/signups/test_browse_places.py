"""A school narrows the open workshops by where they take place: the venue's region (its own region first in the
list) and locality; a value that is not in the list is ignored, never an error page. A series' open sessions are
one card with each date and its own sign-up."""
from __future__ import annotations

import re
from datetime import timedelta

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.workshops import services as workshops
from tests.factories import make_school, make_user, make_venue, make_workshop


def _world():
    talgar = make_venue("Талғар ауылдық клубы", region="KZ-19", locality="Талғар")
    esik = make_venue("Есік мәдениет үйі", region="KZ-19", locality="Есік")
    almaty = make_venue("«Шабыт» мәдениет үйі", region="KZ-75", locality="Алматы")
    for venue, title in ((talgar, "Талғардағы сабақ"), (esik, "Есіктегі сабақ"), (almaty, "Алматыдағы сабақ")):
        make_workshop(place=venue, title={"kk": title, "ru": title, "en": title})
    school = make_school(region_code="KZ-75")
    db.session.commit()
    return school


def _titles(html: str) -> set[str]:
    return {t for t in ("Талғардағы сабақ", "Есіктегі сабақ", "Алматыдағы сабақ") if t in html}


def test_the_region_and_the_locality_narrow_the_list(client, login):
    school = _world()
    login(make_user("school", school=school))
    everything = client.get("/signups/browse?lang=kk").get_data(as_text=True)
    assert _titles(everything) == {"Талғардағы сабақ", "Есіктегі сабақ", "Алматыдағы сабақ"}
    # the school's own region (Almaty, KZ-75) comes first in the list, then the others
    options = re.findall(r'<option value="(KZ-\d+)"', everything)
    assert options == ["KZ-75", "KZ-19"]
    region = client.get("/signups/browse?region=KZ-19&lang=kk").get_data(as_text=True)
    assert _titles(region) == {"Талғардағы сабақ", "Есіктегі сабақ"}
    # the localities offered are the chosen region's
    localities = re.findall(r'<option[^>]*value="([^"]+)"[^>]*>([^<]+)</option>',
                            re.search(r'name="locality".*?</select>', region, re.S).group(0))
    assert [name for _value, name in localities] == ["Есік", "Талғар"]
    town = client.get(f"/signups/browse?region=KZ-19&locality={localities[0][0]}&lang=kk").get_data(as_text=True)
    assert _titles(town) == {"Есіктегі сабақ"}


def test_a_region_not_in_the_list_is_ignored(client, login):
    school = _world()
    login(make_user("school", school=school))
    response = client.get("/signups/browse?region=ZZ-99&locality=%00&lang=en")
    assert response.status_code == 200
    assert _titles(response.get_data(as_text=True)) == {"Талғардағы сабақ", "Есіктегі сабақ", "Алматыдағы сабақ"}


def test_the_sessions_of_a_series_are_one_card_with_each_date(client, login):
    school = make_school()
    coordinator = make_user("coordinator")
    first = make_workshop(title={"kk": "Балет циклі", "ru": "Балет циклі", "en": "Ballet series"})
    created = workshops.create_series(
        {"initiative_id": first.initiative_id, "title": {"kk": "Домбыра циклі"},
         "starts_at": utcnow() + timedelta(days=3), "duration_minutes": 60, "capacity": 5,
         "venue_id": first.venue_id, "artist_id": first.artist_id, "language": "kk", "min_grade": 0, "max_grade": 11},
        {"weekdays": [(utcnow() + timedelta(days=3)).isoweekday()], "interval_weeks": 1, "count": 3},
        actor=coordinator)
    db.session.commit()
    login(make_user("school", school=school))
    html = client.get("/signups/browse?lang=kk").get_data(as_text=True)
    assert html.count("Домбыра циклі") == 1  # one card for the three sessions
    assert html.count(f'data-series="{created[0].series_id}"') == 1
    assert "жазылу ашық сабақтар: 3" in html
    for session in created:  # each date with its own sign-up
        assert f"/signups/workshops/{session.id}" in html or f"workshop_id={session.id}" in html
