"""The glossary (../shared/GLOSSARY.md) holds for every kk and ru message: no rejected form, one word per concept.

The tables below are the glossary's rows in a form a test can check. When the glossary changes, change them
here too; when a sentence reads wrong with the glossary's term, fix the glossary first (and then this file).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def _catalog(lang: str):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def _entries(lang: str) -> list[tuple[str, str, str | None, list[str]]]:
    """(msgid, all English text, context, [msgstr forms]) for every message; msgid is the singular of a plural."""
    out = []
    for m in _catalog(lang):
        if not m.id:
            continue
        english = " ".join(m.id) if isinstance(m.id, (list, tuple)) else m.id
        strings = list(m.string) if isinstance(m.string, (list, tuple)) else [m.string]
        out.append((m.id[0] if isinstance(m.id, (list, tuple)) else m.id, english, m.context, strings))
    return out


# Rejected forms: (language, pattern, the glossary row that rejects it). Patterns are case-insensitive.
REJECTED = [
    ("kk", r"күш\w*\s+жо[йюя]", "cancel = «болдырмау», «болдырылмады» — not «күшін жою» (that is revoking: see EXCEPT)"),
    ("kk", r"мәртебе", "status = «күйі» — not «мәртебе»"),
    ("kk", r"облыс", "region (the 20, three of them cities) = «өңір»; «облыс» only when an oblys is meant"),
    ("kk", r"бұғатта", "deactivated = «өшірілген», «өшірілді» — not «бұғатталған» (blocked)"),
    ("kk", r"мектепалды\s+сыныб", "pre-school class = «мектепалды даярлық сыныбы»"),
    # («бетті қайта жүктеу» is reloading a page: that one is right)
    ("kk", r"(?<!\w)(?<!бетті қайта )жүкте(?!п\s+(сал|ал))\w*",
     "upload / download = «жүктеп салу» / «жүктеп алу» — bare «жүктеу» is ambiguous"),
    ("kk", r"жүктеп\s+сал\w*\s+жүктеп", "one verb for upload"),
    ("kk", r"ешнәрсе", "nothing = «ештеңе»"),
    ("kk", r"есептік\s+жазба", "account = «тіркелгі»"),
    ("kk", r"өтетін\s+оры?н", "venue = «өткізу орны»"),
    ("kk", r"анонимді", "anonymised = «иесіздендірілген (аты-жөнсіз)»"),
    ("kk", r"аты-жөнінсіз", "without names = «аты-жөнсіз»"),
    ("kk", r"кері\s+қайтарыл|кері\s+қайтарса", "withdraw consent = «кері қайтарып алу»"),
    ("kk", r"жеке\s+өмір", "children's privacy = «дербес деректерін қорғау» (no «жеке өмірі/өмірін/өміріне»)"),
    ("kk", r"біз\s+тарап", "an error on the system's side: «Жүйеде қате орын алды»"),
    ("kk", r"^сынып(тар)?:\s*%\(\w+\)s(–%\(\w+\)s)?$", "grades are ordinals: «5-сынып», «1–6-сыныптар»"),
    ("kk", r"бос\s+емес\s+орын", "seats taken: «Толған орын: 9 / 12»"),
    ("ru", r"област", "region = «регион»; «область» only when an oblys is meant"),
    ("ru", r"не\s+больше|не\s+меньше", "limits: «не более», «не менее»"),
    ("ru", r"(?<!\w)по\s+класс(?!\w)", "to grade = «Старший класс»"),
    ("ru", r"^класс(ы)?:\s*%\(\w+\)s(–%\(\w+\)s)?$", "grades are ordinals: «5 класс», «1–6 классы»"),
    ("ru", r"(?<!\w)место\s*%\(|(?<!\w)места:\s*%\(", "a waitlist position is «№ 3», never «место» (a seat)"),
]


# A rejected form that is the right word in some messages: (language, pattern) → English msgids where it is allowed.
EXCEPT = {
    # the glossary (December 2026): revoking a token, an invitation or a link is «күшін жою»; cancelling stays «болдырмау»
    ("kk", r"күш\w*\s+жо[йюя]"): r"\brevok",
}


@pytest.mark.parametrize("lang,pattern,why", REJECTED, ids=[f"{r[0]}:{r[1]}" for r in REJECTED])
def test_no_rejected_form(lang, pattern, why):
    regex = re.compile(pattern, re.IGNORECASE)
    allowed = EXCEPT.get((lang, pattern))
    found = [(english, s) for _id, english, _ctx, strings in _entries(lang) for s in strings
             if regex.search(s) and not (allowed and re.search(allowed, english, re.IGNORECASE))]
    assert not found, f"{lang}: {why}:\n" + "\n".join(f"  {e!r} → {s!r}" for e, s in found[:10])


# One concept, one translation: (concept, English msgid pattern, kk must match, ru must match).
CONCEPTS = [
    ("workshop", r"\bworkshops?\b", r"шеберлік\s+саба[ғқ]", r"мастер-класс"),
    ("series", r"\bseries\b", r"цикл", r"цикл"),
    ("session", r"\bsessions?\b", r"сабақ|сабағ", r"заняти"),
    ("initiative", r"\binitiatives?\b", r"бастама", r"инициатив"),
    ("school", r"\bschools?\b(?!\s+(year|periods?)\b)", r"мектеп|мектеб", r"школ"),  # school year = оқу жылы, учебный год
    ("partner school", r"partner school", r"серіктес\s+мектеп", r"школ\w*-партн"),
    ("student", r"\bstudents?'?s?\b", r"оқушы", r"учени"),
    ("grade", r"\bgrades?\b", r"сынып|сыныб", r"класс"),
    ("pre-school class", r"pre-school", r"мектепалды\s+даярлық\s+сыныб", r"предшкольн"),
    ("region", r"\bregions?\b", r"өңір", r"регион"),
    ("sign-up", r"\bsign-ups?\b", r"жазыл", r"запис"),
    ("sign up", r"\bsign\b.*\bup\b|\bsigned up\b", r"жаз", r"запис"),
    ("confirmed", r"\bconfirmed\b", r"растал", r"подтвержд"),
    ("waitlist", r"\bwaitlist", r"күту\s+тізім", r"лист\w*\s+ожидания"),
    ("position on the waitlist", r"\bpositions?\b", r"№|рет", r"№|номер"),
    ("capacity", r"\bcapacity\b", r"орын\s+саны", r"количеств\w*\s+мест"),
    ("seats left", r"\bseats?\s+left\b", r"бос\s+орын", r"свободн\w*\s+мест"),
    ("full workshop", r"^Full$|\bis full\b", r"бос\s+орын\s+жоқ", r"свободных\s+мест\s+нет|нет\s+свободных\s+мест"),
    ("attendance", r"\battendance\b", r"қатыс", r"посещ"),
    ("present", r"\bpresent\b", r"қатыс", r"присутств"),
    ("coordinator", r"\bcoordinators?\b", r"үйлестіруші", r"координатор"),
    ("school representative", r"\brepresent", r"өкіл", r"представ"),
    ("funder", r"\bfunders?\b", r"қаржыландырушы\s+ұйым", r"финансирующ"),
    ("instructor", r"\binstructors?\b", r"педагог", r"педагог"),
    ("venue", r"\bvenues?\b", r"өткізу\s+оры?н", r"мест\w*\s+проведения"),
    ("guardian", r"\bguardians?'?s?\b", r"заңды\s+өкіл", r"законн\w*\s+представител"),
    ("consent", r"\bconsent\b", r"келісім", r"согласи"),
    ("withdraw consent", r"\bwithdr[ae]w", r"кері\s+қайтарып\s+ал", r"отозва|отзыв|отзов"),
    ("personal data", r"personal data", r"дербес\s+деректер", r"персональн\w*\s+данн"),
    ("anonymised", r"\banonym", r"иесіздендірілген", r"обезличен"),
    ("relationship", r"\brelationship\b", r"кім\s+болып\s+кел|туыстығы", r"кем\b.*приход"),
    ("impact report", r"\bimpact reports?\b", r"нәтижелер\s+туралы\s+есеп", r"отч[её]т\w*\s+о\s+результатах"),
    ("students reached", r"\breach", r"қамт", r"охва"),
    ("attendance rate", r"attendance rate", r"қатысу\s+үлесі", r"доля\s+посещений"),
    ("target", r"\btarget\b", r"мақсатты\s+көрсеткіш", r"целев"),
    ("student-hours", r"student-hours", r"оқушы-сағат", r"ученико-час"),
    ("urban / rural", r"\burban\b", r"қалалық", r"городск"),
    ("language of instruction", r"languages? of instruction", r"оқыту\s+тіл", r"язык\w*\s+обучения"),
    ("language of delivery", r"language of delivery|language of the workshops", r"өткізу\s+тіл", r"язык\w*\s+проведения"),
    ("calendar", r"\bcalendar\b", r"күнтізбе", r"календар"),
    ("password", r"\bpassword\b", r"құпиясөз", r"парол"),
    ("invitation", r"\binvit", r"шақыр", r"приглаш|приглас"),
    ("account", r"\baccounts?\b", r"тіркелгі", r"учётн\w*\s+запис"),
    ("deactivated", r"\bdeactivated\b", r"өшіріл", r"отключ"),  # «Тіркелгі өшірілді» (an event), «Өшірілген» (a status)
    # erasing a student's data is «жою» / «удалить»: «өшіру» is deactivating an account (the glossary)
    ("erase", r"\berase", r"жо[йю]", r"удал"),
    ("cancel", r"\bcancel", r"болдыр", r"отмен"),
    ("status", r"\bstatus\b", r"күй", r"статус"),
    ("upload", r"\bupload", r"жүктеп\s+сал", r"загру"),
    ("download", r"\bdownload", r"жүктеп\s+ал", r"скача"),
    ("export", r"\bexport", r"экспорт", r"экспорт"),
    ("import", r"\bimport", r"импорт", r"импорт"),
    ("roster", r"\broster\b", r"тізім", r"спис"),
    ("ballet", r"\bballet\b", r"балет", r"балет"),
    ("folk dance", r"folk dance", r"халық\s+биі", r"народн\w*\s+танец"),
    ("visual arts", r"visual arts", r"бейнелеу\s+өнері", r"изобразительн\w*\s+искусств"),
]

# Where a sentence reads better without the glossary's word, say so here (and in the closing note of the change).
KEPT = {
    ("My account", None): "the account menu and page: «Жеке кабинет» / «Личный кабинет» is what every Kazakh "
                          "and Russian site calls it; «Менің тіркелгім» reads as translated",
    ("The roster opens here at %(start)s.", None): "the English says roster but means taking attendance: "
                                                  "«Қатысуды мұнда белгілеу басталатын уақыт: …», «Отметить посещаемость можно будет здесь с …»",
    ("guardian", None): "the relationship option 'guardian' is the legal guardian (опекун, қорғаншысы), "
                        "not the glossary's guardian in general (законный представитель, заңды өкіл)",
    ("held, not cancelled", None): "kk «іс жүзінде өткізілгендері» (those actually held) says it without a second verb; "
                                   "«болдырылмағандары» beside «өткізілгендері» reads as a calque",
    ("Attendance saved: %(num)s student present, %(absent)s absent.", None):
        "ru «Присутствовали: 5, отсутствовали: 2» after «Посещаемость сохранена» needs no «учеников»",
    ("%(num)s student of your school has moved from the waitlist to a confirmed place in the workshop “%(title)s” "
     "on %(when)s at %(venue)s.", None): "ru «переведён из листа ожидания и получил место» (the December 2026 "
                                         "review's wording): a place given from the waitlist is confirmed by definition",
    ("The invitation email is in the outbox. If email is not set up yet, pass this link on yourself — it is "
     "shown only now, works once and expires.", None): "«шақыру хаты» / «письмо с приглашением»: an invitation letter",
}


def _check_concepts(lang: str) -> list[str]:
    problems = []
    for concept, english_pattern, kk, ru in CONCEPTS:
        english_re = re.compile(english_pattern, re.IGNORECASE)
        wanted = re.compile(kk if lang == "kk" else ru, re.IGNORECASE)
        for msgid, english, context, strings in _entries(lang):
            if (msgid, context) in KEPT or not english_re.search(PLACEHOLDER.sub("", english)):
                continue
            for s in strings:
                if not wanted.search(s):
                    problems.append(f"{concept}: {english!r} → {s!r} (expected /{wanted.pattern}/)")
    return problems


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_each_concept_is_translated_one_way(lang):
    problems = _check_concepts(lang)
    assert not problems, f"{lang}: {len(problems)} messages leave the glossary:\n" + "\n".join(problems[:25])


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_mixed_script_words(lang):
    """Kazakh letters stay Kazakh: no Latin look-alike (i, a, o, e, c…) inside a Cyrillic word."""
    mixed = re.compile(r"\b(?=\w*[а-яёәғқңөұүһі])(?=\w*[a-z])\w+\b", re.IGNORECASE)
    found = [(e, w) for _i, e, _c, strings in _entries(lang) for s in strings for w in mixed.findall(PLACEHOLDER.sub("", s))]
    assert not found, found[:10]


def test_the_tables_catch_the_old_mistakes():
    """The rules would have caught what the November 2026 review found (so they are not empty checks)."""
    samples = {
        "kk": ["Жазылудың күшін жою", "Кез келген мәртебе", "Барлық облыстар", "Бұғатталған", "0 (мектепалды сыныбы)",
               "Файлды жүктеу", "Ешнәрсе өзгерген жоқ.", "Барлық өтетін орындар", "Сынып: %(g)s"],
        "ru": ["Все области", "Не больше %(n)s.", "По класс", "Лист ожидания, место %(position)s", "Класс: %(g)s"],
    }
    for lang, texts in samples.items():
        rules = [re.compile(p, re.IGNORECASE) for code, p, _why in REJECTED if code == lang]
        for text in texts:
            assert any(r.search(text) for r in rules), (lang, text)


# The December 2026 review's classes of error, checked in the catalogues (case-sensitive where case is the point).
# A placeholder cannot carry a Kazakh case ending or stand before a postposition that governs one: the value
# comes after a colon instead («Жарамдылық мерзімі: %(when)s»). Ordinals written with the number are fine
# («%(g)s-сынып», «%(row)s-жол»), and so is a noun after the value that takes the ending («%(date)s күнгі»).
PLACEHOLDER_ENDINGS = [
    r"%\(\w+\)s\s+(дейін|шейін|бастап|өтеді|өтетін|кейін|бері|соң|қарай)(?!\w)",
    r"%\(\w+\)s-(?!сынып|сыныб|жол)[а-яәғқңөұүһі]+",
]
POLITE = {
    # «Сіз», «Сіздің», «Сізге» … with a capital (the glossary's formal register)
    "kk": r"(?<![\w-])сіз\w*",
    # «Вы», «Вас», «Вам», «Вами», «Ваш…» with a capital
    "ru": r"(?<![\w-])(вы|вас|вам|вами|ваш\w*)(?!\w)",
}
DOUBLED_QUOTES = r"««|»»|„„|““"


def _found(lang: str, pattern: str, flags: int = 0) -> list[str]:
    regex = re.compile(pattern, flags)
    return [f"  {english!r} → {s!r}" for _id, english, _ctx, strings in _entries(lang) for s in strings
            if regex.search(s)]


@pytest.mark.parametrize("pattern", PLACEHOLDER_ENDINGS, ids=["postposition", "suffix"])
def test_no_kazakh_ending_hangs_on_a_placeholder(pattern):
    found = _found("kk", pattern, re.IGNORECASE)
    assert not found, "a placeholder cannot take this ending: put the value after a colon\n" + "\n".join(found[:10])


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_polite_pronoun_has_its_capital(lang):
    found = _found(lang, POLITE[lang])
    assert not found, f"{lang}: «Сіз» / «Вы» with a capital, as in every other message:\n" + "\n".join(found[:10])


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_doubled_quotes(lang):
    found = _found(lang, DOUBLED_QUOTES)
    assert not found, f"{lang}: nested quotes are «„…“»:\n" + "\n".join(found[:10])


def test_the_new_rules_catch_what_the_december_review_found():
    """Each rule above would have caught the strings the December 2026 review quoted."""
    kk_endings = ["Шақыру жіберілді, %(when)s дейін жарамды", "Қатысуды мұнда %(start)s бастап белгілеуге болады.",
                  "Сабақ %(when)s өтеді.", "саны %(base)s-ке дейін"]
    for text in kk_endings:
        assert any(re.search(p, text, re.IGNORECASE) for p in PLACEHOLDER_ENDINGS), text
    for text in ["%(g)s-сынып", "%(low)s–%(high)s-сыныптар", "%(row)s-жолында", "%(date)s күнгі сабақ",
                 "Жарамдылық мерзімі: %(when)s."]:
        assert not any(re.search(p, text, re.IGNORECASE) for p in PLACEHOLDER_ENDINGS), text
    assert re.search(POLITE["kk"], "Егер мұны сіз сұрамаған болсаңыз") and re.search(POLITE["kk"], "сіздің атыңыздан")
    assert not re.search(POLITE["kk"], "Сіздің атыңыздан рұқсатсыз, аты-жөнсіз")
    assert re.search(POLITE["ru"], "В Outreach вы следите") and re.search(POLITE["ru"], "на выбранном вами языке")
    assert not re.search(POLITE["ru"], "Выберите выборку; Ваш пароль, Вам, Вами")
    assert re.search(DOUBLED_QUOTES, "««Аққу көлі» — мектептерге»") and not re.search(DOUBLED_QUOTES, "«„Аққу көлі“»")
