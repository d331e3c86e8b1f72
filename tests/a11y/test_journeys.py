"""The shorter journeys of issue 13, as a user meets them (HTTP level; the browser parts are in test_keyboard.py)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from outreach.extensions import db
from tests.conftest import Csrf
from tests.factories import make_initiative, make_school, make_student, make_user, make_workshop
from tests.clock import programme_today

NOW = datetime.now(timezone.utc)


def test_coordinator_dashboard_lists_attendance_to_take_newest_first(client, login):
    initiative = make_initiative()
    older = make_workshop(initiative=initiative, title={"en": "Older workshop"}, starts_at=NOW - timedelta(days=9))
    newer = make_workshop(initiative=initiative, title={"en": "Newer workshop"}, starts_at=NOW - timedelta(days=2))
    done = make_workshop(initiative=initiative, title={"en": "Recorded workshop"}, starts_at=NOW - timedelta(days=5))
    done.attendance_recorded_at = NOW - timedelta(days=4)
    cancelled = make_workshop(initiative=initiative, title={"en": "Cancelled workshop"},
                              starts_at=NOW - timedelta(days=3))
    cancelled.status = "cancelled"
    make_workshop(initiative=initiative, title={"en": "Future workshop"}, starts_at=NOW + timedelta(days=3))
    login("coordinator")
    html = client.get("/").get_data(as_text=True)
    section = html[html.index("Attendance to take"):]
    section = section[:section.index("</section>")]
    assert section.index("Newer workshop") < section.index("Older workshop")
    for absent in ("Recorded workshop", "Cancelled workshop", "Future workshop"):
        assert absent not in section
    assert f"/workshops/{newer.id}/attendance" in section and f"/workshops/{older.id}/attendance" in section


def test_nothing_to_take_no_section(client, login):
    make_workshop(starts_at=NOW + timedelta(days=3))
    login("coordinator")
    assert "Attendance to take" not in client.get("/").get_data(as_text=True)


def test_new_series_from_the_initiative_page_has_the_initiative_chosen_and_first(client, login):
    initiative = make_initiative(title={"en": "Ballet for villages"})
    make_initiative(title={"en": "Another initiative"})
    login("coordinator")
    page = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    link = f"/workshops/new-series?initiative_id={initiative.id}"
    assert link in page
    form = client.get(link).get_data(as_text=True)
    assert re.search(rf'<option selected value="{initiative.id}">', form)
    # the initiative picker comes before the title, the date and the place
    assert form.index('name="initiative_id"') < form.index('name="title_kk"') < form.index('name="date"')


def test_calendar_says_status_in_words(client, login):
    make_workshop(starts_at=NOW + timedelta(days=1))
    login("coordinator")
    html = client.get("/calendar").get_data(as_text=True)
    legend = html[html.index('class="list-inline small mb-3 cal-legend"'):]
    legend = legend[:legend.index("</ul>")]
    for word in ("Scheduled", "Completed", "Cancelled"):
        assert word in legend


def _school_with_students(names):
    school = make_school()
    students = [make_student(school, first_name=first, last_name=last, grade=5) for first, last in names]
    return school, students


def test_pick_page_search_narrows_the_list_and_says_the_seats(client, login):
    school, _students = _school_with_students([("Әлия", "Сейітова"), ("Ерлан", "Омаров"), ("Дана", "Сейітова")])
    workshop = make_workshop(capacity=2)
    login(make_user("school", school=school))
    token = Csrf.token(client, f"/signups/workshops/{workshop.id}")
    found = client.post(f"/signups/workshops/{workshop.id}/search", data={"q": "сейіт", "csrf_token": token})
    html = client.get(found.headers["Location"]).get_data(as_text=True)
    assert "Әлия" in html and "Дана" in html and "Ерлан" not in html
    line = html[html.index('id="seat-line"'):]
    line = line[:line.index("</p>")]
    assert 'data-seats="2"' in line
    assert "0 chosen" in line and "2 seats left" in line
    # the plural forms the page's script chooses from, with the number left open
    assert 'data-one="__N__ chosen"' in line and 'data-other="__N__ will wait"' in line


def test_pick_page_plural_forms_in_russian(client, login):
    school, _students = _school_with_students([("Әлия", "Сейітова")])
    workshop = make_workshop(capacity=5)
    login(make_user("school", school=school))
    html = client.get(f"/signups/workshops/{workshop.id}?lang=ru").get_data(as_text=True)
    seats = re.search(r'<span data-part="seats"([^>]*)>', html).group(1)
    one, few, many = (re.search(rf'data-{c}="([^"]*)"', seats).group(1) for c in ("one", "few", "many"))
    assert len({one, few, many}) == 3, (one, few, many)   # Russian has three forms


def test_consent_date_starts_today_and_the_method_is_chosen_by_the_user(client, login):
    login("school")
    html = client.get("/students/new").get_data(as_text=True)
    assert re.search(rf'name="given_on" type="date" value="{programme_today().isoformat()}"', html) or \
        f'value="{programme_today().isoformat()}"' in html
    method = html[html.index('name="method"'):]
    method = method[:method.index("</select>")]
    first_option = re.search(r"<option([^>]*)>", method).group(1)
    assert 'value=""' in first_option and "selected" not in method.split("</option>", 1)[1]


def test_import_confirmation_needs_a_method_choice(client, login, csrf):
    login("school")
    csv = "Тегі,Аты,Сынып,Жынысы,Заңды өкіл,Туыстығы\nСейітова,Әлия,5,әйел,Сейітова Гүлнар,анасы\n"
    from io import BytesIO

    token = csrf.token(client, "/students/import")
    preview = client.post("/students/import", data={"csrf_token": token, "step": "preview",
                                                    "file": (BytesIO(csv.encode()), "roster.csv")},
                          content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html[:300]
    assert f'value="{programme_today().isoformat()}"' in html
    import_token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    answer = client.post("/students/import", data={"csrf_token": token, "step": "confirm", "token": import_token,
                                                   "given_on": programme_today().isoformat(), "confirmed": "y"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    # the preview is still there to use: same token, an error summary that names the field
    assert f'value="{import_token}"' in html
    assert 'data-error-summary' in html and 'href="#method"' in html
    assert re.search(r'<select[^>]*aria-invalid="true"[^>]*name="method"|<select[^>]*name="method"[^>]*aria-invalid="true"',
                     html)
    # the phone sees the rows as cards
    assert 'class="list-unstyled d-sm-none import-cards"' in preview.get_data(as_text=True)


def test_sign_in_tells_when_the_language_changes_to_the_saved_one(client, csrf):
    user = make_user("school", locale="ru")
    db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "kk"
    answer = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                         "csrf_token": csrf.token(client)}, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert '<html lang="ru">' in html
    # the note is in the language the person was reading, marked as such for a screen reader
    assert '<span lang="kk">' in html
    assert "Сіздің тіркелгіңізде сақталған тілде көрсетіледі: Русский" in html
    assert 'href="/?lang=kk"' in html and "Бұрынғы тілге оралу: Қазақша" in html


def test_a_language_chosen_on_the_page_is_kept_without_a_note(client, csrf):
    user = make_user("school", locale="ru")
    db.session.commit()
    client.get("/login?lang=kk")
    answer = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                         "csrf_token": csrf.token(client)}, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert '<html lang="kk">' in html and "Вернуть язык" not in html


def test_suppressed_months_are_drawn_apart_from_zero():
    from outreach.reports.charts import line_chart

    svg = str(line_chart([("қаң", "қаңтар", 12, None), ("ақп", "ақпан", None, None), ("нау", "наурыз", 0, None)],
                         title="t", desc="d", suppressed="hidden: fewer than 5"))
    band = re.search(r'<rect ([^>]*class="suppressed-band"[^>]*)>', svg).group(1)
    y, height = float(re.search(r'\by="([\d.]+)"', band).group(1)), float(re.search(r'height="([\d.]+)"', band).group(1))
    zero_line = max(float(v) for v in re.findall(r'<circle [^>]*cy="([\d.]+)"', svg))   # the 0 of March
    assert y + height <= zero_line + 0.1 and height > 100   # a band over the plot, not a mark on the zero line
    assert "hidden: fewer than 5" in svg


def test_a_clash_highlights_the_fields_and_offers_the_next_free_time(client, login, csrf):
    from outreach.workshops import services
    from tests.workshops.helpers import at, term, workshop_data
    from tests.workshops.test_views import _form

    coordinator = login("coordinator")
    initiative = term()
    # the artist is busy 10:00–11:30 and 12:00–12:30 in Үлкен зал; the new workshop is in another venue of the
    # same locality, 30 minutes of travel away: free from 13:00
    services.create_workshop(workshop_data(initiative, title={"en": "Existing class"}), actor=coordinator)
    services.create_workshop(workshop_data(initiative, title={"en": "Short class"}, starts_at=at(2027, 3, 8, 12),
                                           duration_minutes=30), actor=coordinator)
    db.session.commit()
    token = csrf.token(client, "/workshops/new")
    response = client.post("/workshops/new?lang=en", data={**_form(initiative, venue="Жаңа зал", time="11:00"),
                                                            "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<select[^>]*aria-invalid="true"[^>]*name="artist_id"', html)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*name="date"', html)
    assert re.search(r"The next free time on that day: 1:00\s?PM\.", html)   # Babel puts a narrow space
    summary = html[html.index("data-error-summary"):]
    assert 'href="#artist_id"' in summary[:summary.index("</div>")]
