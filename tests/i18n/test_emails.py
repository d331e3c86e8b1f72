"""Every e-mail Outreach writes, read in kk and ru as the December 2026 review read them: dates in full words
without seconds and with the time zone named, a title that holds «» not wrapped in a second pair, no bracket
inside a bracket."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from babel.dates import get_month_names
from sqlalchemy import select

from outreach.auth import invitations, resets
from outreach.extensions import db
from outreach.notifications import services as notifications
from outreach.notifications.models import OutboxMessage
from outreach.signups import services as signups
from tests.factories import make_funder, make_school, make_student, make_user, make_workshop

STARTS = datetime(2031, 3, 14, 10, 30, tzinfo=timezone.utc)  # 15:30 in Almaty (UTC+5)
TITLE = {"kk": "«Аққу көлі» — мектептерге", "ru": "«Лебединое озеро» — школам", "en": "Swan Lake for Schools"}
# the start and the zone as a Kazakh and a Russian reader expect them in a letter
WHEN = {"kk": "2031 ж. 14 наурыз, 15:30 (Астана уақыты, UTC+5)", "ru": "14 марта 2031 г., 15:30 (по времени Астаны, UTC+5)"}
INNER = {"kk": "«„Аққу көлі“ — мектептерге»", "ru": "«„Лебединое озеро“ — школам»"}
SECONDS = re.compile(r"\d{1,2}:\d\d:\d\d")
NESTED = re.compile(r"\([^()]*\(")
# CLDR's abbreviated months (kk «нау.», «қар.»; ru «мар.», «нояб.») and its zero-padded Kazakh day («08 нау.»)
_SHORT_MONTHS = {name.lower() for lang in ("kk", "ru") for kind in ("format", "stand-alone")
                 for name in get_month_names("abbreviated", kind, lang).values() if name.endswith(".")}
ABBREVIATED = re.compile(r"(?<!\w)(" + "|".join(re.escape(m) for m in sorted(_SHORT_MONTHS)) + r")(?=[\s,]|$)"
                         r"|\b0\d\s+[а-яәғқңөұүһі]", re.IGNORECASE)


def spaced(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _bodies(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def _readable(message: OutboxMessage) -> str:
    body = spaced(message.body)
    assert not SECONDS.search(body), f"seconds in a letter: {body!r}"
    assert not ABBREVIATED.search(body), f"an abbreviated month in a letter: {body!r}"
    assert "««" not in body and "»»" not in body, body
    assert not NESTED.search(body), f"a bracket inside a bracket (the zone is in brackets already): {body!r}"
    return body


@pytest.fixture
def workshop():
    return make_workshop(starts_at=STARTS, capacity=1, title=TITLE, venue="«Шабыт» мәдениет үйі")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_moved_and_cancelled_letters(app, workshop, lang):
    school = make_school()
    make_user("school", school=school, locale=lang)
    signups.register(workshop.id, [make_student(school).id], actor=make_user("coordinator"))
    with app.test_request_context("/"):
        notifications.workshop_changed(workshop, "moved")
        notifications.workshop_changed(workshop, "cancelled")
    for kind in ("workshop_moved", "workshop_cancelled"):
        [message] = _bodies(kind)
        body = _readable(message)
        assert WHEN[lang] in body, body
        assert INNER[lang] in body, body


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_letter_of_a_place_from_the_waitlist(app, workshop, lang):
    school = make_school()
    make_user("school", school=school, locale=lang)
    coordinator = make_user("coordinator")
    first, waiting = make_student(school), make_student(school)
    results = signups.register(workshop.id, [first.id, waiting.id], actor=coordinator)
    with app.test_request_context("/"):
        signups.cancel(results[0].signup.id, actor=coordinator)
    [message] = _bodies("signup_promoted")
    body = _readable(message)
    assert WHEN[lang] in body and INNER[lang] in body, body
    if lang == "kk":
        assert f"Сабақтың уақыты: {WHEN['kk']}." in body  # the value after a colon: no ending to carry
    else:
        assert "переведён из листа ожидания и получил место на мастер-классе" in body


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_teachers_feedback_letter(app, workshop, lang):
    """The workshop's time and the link's validity, each with the zone."""
    school = make_school()
    make_user("school", school=school, locale=lang)
    with app.test_request_context("/"):
        notifications.teacher_feedback_link(workshop, school, "token", lang, STARTS + timedelta(days=7))
    [message] = _bodies("teacher_feedback")
    body = _readable(message)
    assert WHEN[lang] in body and INNER[lang] in body, body
    until = {"kk": "Жарамдылық мерзімі: 2031 ж. 21 наурыз, 15:30 (Астана уақыты, UTC+5).",
             "ru": "действует до 21 марта 2031 г., 15:30 (по времени Астаны, UTC+5)."}
    assert until[lang] in body, body


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_invitation_and_reset_letters(app, lang):
    expected = {"kk": r"Жарамдылық мерзімі: \d{4} ж\. \d{1,2} [а-яәғқңөұүһі]+, \d\d:\d\d \(Астана уақыты, UTC\+5\)\.",
                "ru": r"действует до \d{1,2} [а-яё]+ \d{4} г\., \d\d:\d\d \(по времени Астаны, UTC\+5\)\."}
    with app.test_request_context("/"):
        invitations.invite({"email": f"funder-{lang}@example.org", "locale": lang}, role="funder",
                           actor=make_user("admin"), funder_id=make_funder(name="«Дала өнері» қоры").id,
                           link_for=lambda token: f"https://outreach.example/invite/{token}")
        user = make_user("coordinator", locale=lang)
        resets.request_reset(user.email, link_for=lambda token: f"https://outreach.example/reset/{token}")
    for kind in ("invitation", "password_reset"):
        [message] = _bodies(kind)
        body = _readable(message)
        assert re.search(expected[lang], body), body
    invitation = spaced(_bodies("invitation")[0].body)
    if lang == "kk":
        assert "мына қаржыландырушы ұйымның өкілі ретінде шақырылдыңыз: «Дала өнері» қоры." in invitation
    else:
        assert "В Outreach Вы сможете следить" in invitation and " вы " not in invitation


def test_the_checks_catch_what_the_review_quoted():
    """«2027 ж. 08 нау., 10:00:00» and ««Аққу көлі» — мектептерге» are refused."""
    for old in ["2027 ж. 08 нау., 10:00:00", "8 мар. 2027 г., 10:00:00"]:
        assert SECONDS.search(old) and ABBREVIATED.search(old)
    assert NESTED.search("болдырылмады (белгіленген уақыты: 2031 ж. 8 наурыз, 10:00 (Астана уақыты, UTC+5)).")
    assert not NESTED.search("Белгіленген уақыты: 2031 ж. 8 наурыз, 10:00 (Астана уақыты, UTC+5). (екі минут)")
    for new in [WHEN["kk"], WHEN["ru"], "Сабақтың уақыты: 2031 ж. 14 наурыз, 15:30.", "с 1 сентября 2026 г."]:
        assert not SECONDS.search(new) and not ABBREVIATED.search(spaced(new)), new
