"""Plural forms, dates and numbers as a Kazakh or Russian reader expects them."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from outreach.i18n import force_locale, ngettext
from outreach.templating import fmt_date, fmt_datetime, fmt_number, fmt_percent

def spaced(text: str) -> str:
    """Babel uses (narrow) no-break spaces where a line must not break; compare them as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


RUSSIAN_SEATS = {1: "1 свободное место", 2: "2 свободных места", 5: "5 свободных мест",
                 11: "11 свободных мест", 21: "21 свободное место"}


@pytest.mark.parametrize("n,expected", sorted(RUSSIAN_SEATS.items()))
def test_russian_plural_forms(app, n, expected):
    with app.test_request_context("/?lang=ru"), force_locale("ru"):
        assert ngettext("%(num)s seat left", "%(num)s seats left", n) == expected


@pytest.mark.parametrize("n", [1, 2, 5, 11, 21])
def test_kazakh_plural_keeps_the_noun_singular(app, n):
    with app.test_request_context("/?lang=kk"), force_locale("kk"):
        assert ngettext("%(num)s seat left", "%(num)s seats left", n) == f"{n} бос орын"


@pytest.mark.parametrize("n,expected", [(1, "1 student"), (2, "2 students"), (21, "21 students")])
def test_english_plural(app, n, expected):
    with app.test_request_context("/?lang=en"), force_locale("en"):
        assert ngettext("%(num)s student", "%(num)s students", n) == expected


@pytest.mark.parametrize("lang,day,number,percent", [
    ("kk", "2027 ж. 8 наурыз", "1\xa0234\xa0567,5", "82,5%"),
    ("ru", "8 марта 2027 г.", "1\xa0234\xa0567,5", "82,5%"),
    ("en", "March 8, 2027", "1,234,567.5", "82.5%"),
])
def test_dates_and_numbers_come_from_babel(app, lang, day, number, percent):
    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        assert spaced(fmt_date(date(2027, 3, 8), "long")) == day
        assert spaced(fmt_number(1234567.5)) == spaced(number)
        assert fmt_percent(0.825) == percent


def test_times_are_shown_in_almaty_time(app):
    with app.test_request_context("/?lang=ru"), force_locale("ru"):
        shown = fmt_datetime(datetime(2027, 3, 8, 5, 0, tzinfo=timezone.utc), "long")
    assert spaced(shown) == "8 марта 2027 г., 10:00"


def test_the_home_page_counts_seats_in_russian(app, client, login):
    from outreach.extensions import db
    from tests.factories import make_workshop

    login("coordinator")
    workshop = make_workshop(capacity=21)
    db.session.commit()
    page = client.get("/?lang=ru").get_data(as_text=True)  # the upcoming workshops list
    assert workshop.venue in page
    assert "21 свободное место" in spaced(page)


@pytest.mark.parametrize("pattern,expected", [("LLLL y", "қыркүйек 2026"), ("LLL y", "қыр. 2026"),
                                              ("d MMMM y", "5 қыркүйек 2026"), ("LLLL", "қыркүйек")])
def test_kazakh_month_names_are_lowercase_also_standing_alone(app, pattern, expected):
    """CLDR capitalises Kazakh stand-alone months («Қыркүйек 2026»); Kazakh writes them in lower case."""
    from flask_babel import format_date

    with app.test_request_context("/?lang=kk"), force_locale("kk"):
        assert format_date(date(2026, 9, 5), pattern) == expected


def test_calendar_heading_and_report_months_in_kazakh(client, login):
    login("coordinator")
    html = client.get("/calendar?date=2026-09-05&lang=kk").get_data(as_text=True)
    assert "қыркүйек 2026" in html and "Қыркүйек" not in html
    ru = client.get("/calendar?date=2026-09-05&lang=ru").get_data(as_text=True)
    assert "Сентябрь 2026" in ru  # a Russian heading starts with a capital
    from outreach.reports.presenter import _month_label

    with force_locale("kk"):
        assert [_month_label("2027-03"), _month_label("2027-03", "LLL y")] == ["наурыз 2027", "нау. 2027"]


@pytest.mark.parametrize("lang,long,short", [
    ("kk", "2027 ж. 8 наурыз, 10:00", "08.03.2027, 10:00"),
    ("ru", "8 марта 2027 г., 10:00", "08.03.2027, 10:00"),
])
def test_one_long_and_one_short_style(app, lang, long, short):
    """Long in sentences and letters, short in tables; "medium" (CLDR's «2027 ж. 08 нау.») reads as long."""
    when = datetime(2027, 3, 8, 5, 0, tzinfo=timezone.utc)
    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        assert spaced(fmt_datetime(when)) == long
        assert spaced(fmt_datetime(when, "medium")) == long
        assert spaced(fmt_datetime(when, "short")) == short
        assert spaced(fmt_date(date(2027, 3, 8), "medium")) == long.split(",")[0]


@pytest.mark.parametrize("lang,opening,closing", [("kk", "басы: қазан 2026", "соңы: желтоқсан 2026"),
                                                  ("ru", "с октября 2026", "по декабрь 2026")])
def test_an_open_period_of_months_reads_as_a_phrase(app, lang, opening, closing):
    from outreach.reports.presenter import period_text

    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        assert period_text("2026-10-01", None, months=True) == opening
        assert period_text(None, "2026-12-31", months=True) == closing
