"""What a roster file's columns mean: the header words in Kazakh, Russian and English, the template's headers,
finding the header row, and reading one cell's grade, gender or yes/no."""
from __future__ import annotations

import re
from typing import Any, Sequence

from outreach.i18n import _l
from outreach.naming import casefold
from outreach.students.import_files import HEADER_SEARCH_ROWS, cell_text
from outreach.students.models import GENDERS
from outreach.students.rules import MAX_GRADE, MIN_GRADE

FIELDS = ("last_name", "first_name", "grade", "gender", "guardian_name", "relationship", "media_consent")
REQUIRED = ("last_name", "first_name", "grade", "gender")
#: a class list from the school's e-journal has no guardian columns: then consent is confirmed for the whole
#: file, and the guardians' names can be filled in later; with one of the two columns, the other is needed too
GUARDIAN_FIELDS = ("guardian_name", "relationship")

FIELD_TITLES = {
    "last_name": _l("Last name"),
    "first_name": _l("First name"),
    "full_name": _l("Full name"),
    "grade": _l("Grade"),
    "gender": _l("Gender"),
    "guardian_name": _l("Guardian"),
    "relationship": _l("Relationship"),
    "media_consent": _l("Photos and video"),
}

#: The template's column headers in each language (also recognised on import).
TEMPLATE_HEADERS: dict[str, dict[str, str]] = {
    "kk": {"last_name": "Тегі", "first_name": "Аты", "grade": "Сынып", "gender": "Жынысы",
           "guardian_name": "Заңды өкіл", "relationship": "Туыстығы", "media_consent": "Фото және бейне"},
    "ru": {"last_name": "Фамилия", "first_name": "Имя", "grade": "Класс", "gender": "Пол",
           "guardian_name": "Законный представитель", "relationship": "Кем приходится",
           "media_consent": "Фото и видео"},
    "en": {"last_name": "Last name", "first_name": "First name", "grade": "Grade", "gender": "Gender",
           "guardian_name": "Guardian", "relationship": "Relationship", "media_consent": "Photos and video"},
}
#: Gender values written into the template's drop-down, per language.
TEMPLATE_GENDERS: dict[str, dict[str, str]] = {
    "kk": {"female": "әйел", "male": "ер", "unspecified": "көрсетілмеген"},
    "ru": {"female": "женский", "male": "мужской", "unspecified": "не указан"},
    "en": {"female": "female", "male": "male", "unspecified": "unspecified"},
}

_HEADER_WORDS: dict[str, set[str]] = {
    "last_name": {"тегі", "тегi", "фамилия", "фамилия ученика", "оқушының тегі", "last name", "lastname",
                  "surname", "family name"},
    "first_name": {"аты", "есімі", "оқушының аты", "имя", "имя ученика", "first name", "firstname", "given name"},
    "full_name": {"аты-жөні", "аты жөні", "оқушының аты-жөні", "тегі аты", "тегі, аты", "фио", "ф и о",
                  "фио ученика", "фамилия имя", "фамилия, имя", "фамилия и имя", "full name", "name", "student",
                  "student name"},
    "grade": {"сынып", "сыныбы", "класс", "grade", "class", "year"},
    "gender": {"жынысы", "жыныс", "пол", "gender", "sex"},
    "guardian_name": {"заңды өкіл", "заңды өкілі", "заңды өкілдің аты-жөні", "ата-анасы", "ата-ана",
                      "законный представитель", "представитель", "родитель", "фио родителя",
                      "фио законного представителя", "guardian", "guardian name", "guardian's name",
                      "parent", "parent name", "parent/guardian", "parent or guardian"},
    "relationship": {"туыстығы", "туыстық", "кім болып келеді", "кем приходится", "степень родства", "родство",
                     "relationship", "relation", "relationship to student", "relationship to the student"},
    # optional: the guardian agreed to photos and video (an empty cell or no column: no)
    "media_consent": {"фото және бейне", "фото, бейне", "фото бейне", "фото", "фотоға келісім", "суретке түсіру",
                      "суретке түсіруге келісім", "фото және бейнеге келісім", "фото и видео", "фото, видео",
                      "фото видео", "фото/видео", "согласие на фото", "согласие на фото и видео",
                      "согласие на фотосъемку", "фотосъемка", "photos and video", "photo and video", "photos",
                      "photo", "media consent", "photo consent", "photos allowed"},
}
#: the words of a media consent cell (an empty cell is no)
_YES_WORDS = {"иә", "ия", "иа", "келісті", "келісемін", "бар", "да", "согласен", "согласна", "согласие есть", "есть",
              "yes", "y", "true", "1", "+", "✓", "✔", "x", "х", "agreed"}
_NO_WORDS = {"жоқ", "келіспеді", "нет", "не согласен", "не согласна", "no", "n", "false", "0", "-", "—", "–"}

_GENDER_WORDS: dict[str, set[str]] = {
    "female": {"female", "f", "girl", "woman", "w", "ж", "жен", "женский", "женщина", "девочка", "д", "әйел", "ә",
               "қыз", "қ", "қыз бала"},
    "male": {"male", "m", "boy", "man", "м", "муж", "мужской", "мужчина", "мальчик", "е", "e", "ер", "ер бала",
             "ұл", "ұ", "ұл бала"},
    "unspecified": {"unspecified", "not specified", "u", "-", "—", "–", "не указан", "не указано",
                    "не указан(о)", "көрсетілмеген", "көрсетілмеді"},
}
_PRESCHOOL_WORDS = {"мектепалды", "мектепалды сыныбы", "предшкольный", "предшкольный класс", "предшкола",
                    "pre-school", "preschool", "pre-school class", "preschool class"}
_GRADE_NOISE = {"класс", "кл", "сынып", "сыныбы", "grade", "class"}
_GRADE_RE = re.compile(r"(-?\d{1,3})(?:[.,]0+)?(?:\s*[-–]?\s*[«\"'“]?\s*[^\W\d_]\s*[»\"'”]?)?")


def _header_key(text: str) -> str:
    text = casefold(text).replace("ё", "е")
    text = re.sub(r"\(.*?\)|[*:№#]", " ", text)
    text = text.replace(".", " ").replace("_", " ")
    return " ".join(text.split()).strip(" ,;")


def _value_key(text: str) -> str:
    return " ".join(casefold(text).replace("ё", "е").split()).rstrip(".")


# Saved as Windows-1251, Kazakh letters that code page lacks become "?": recognise such headers too.
_LOST_IN_CP1251 = str.maketrans({ch: "?" for ch in "әғқңөұүһӘҒҚҢӨҰҮҺ"})
_HEADERS: dict[str, str] = {}
for _name, _words in _HEADER_WORDS.items():
    for _word in _words | {TEMPLATE_HEADERS[lang][_name] for lang in TEMPLATE_HEADERS if _name in TEMPLATE_HEADERS[lang]}:
        _HEADERS[_header_key(_word)] = _name
        _HEADERS.setdefault(_header_key(_word).translate(_LOST_IN_CP1251), _name)
_GENDERS = {_value_key(word): name for name, words in _GENDER_WORDS.items() for word in words}
for _lang_values in TEMPLATE_GENDERS.values():
    for _name, _word in _lang_values.items():
        _GENDERS[_value_key(_word)] = _name


def header_score(rows: Sequence[Sequence[Any]]) -> int:
    """How many known columns the header row of these rows names (0: none found)."""
    found = find_header(rows)
    return len(found[1]) if found else 0


def find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[int, str], list[str]] | None:
    """Among the first rows, the first that names at least two known columns."""
    seen = 0
    for index, row in enumerate(rows):
        cells = [cell_text(c) for c in row]
        if not any(cells):
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            break
        mapping: dict[int, str] = {}
        ignored: list[str] = []
        for position, cell in enumerate(cells):
            name = _HEADERS.get(_header_key(cell)) if cell else None
            if name and name not in mapping.values():
                mapping[position] = name
            elif cell:
                ignored.append(cell)
        if len(mapping) >= 2:
            return index, mapping, ignored
    return None


# --- checking the values --------------------------------------------------------------------------

def parse_grade(value: Any) -> tuple[int | None, Any | None]:
    """(grade, None) or (None, problem message)."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    else:
        text = _value_key(cell_text(value))
        if not text:
            return None, _l("The grade is missing.")
        if text in _PRESCHOOL_WORDS:
            return 0, None
        words = [w for w in re.split(r"\s+", text) if w.rstrip(".") not in _GRADE_NOISE]
        match = _GRADE_RE.fullmatch(" ".join(words))
        number = int(match.group(1)) if match else None
    if number is None:
        return None, _l("“%(value)s” is not a grade: enter a whole number from %(low)s to %(high)s "
                        "(%(low)s is the pre-school class).", value=cell_text(value), low=MIN_GRADE, high=MAX_GRADE)
    if not MIN_GRADE <= number <= MAX_GRADE:
        return None, _l("Grade %(value)s is out of range: grades go from %(low)s to %(high)s.",
                        value=number, low=MIN_GRADE, high=MAX_GRADE)
    return number, None


def parse_gender(value: Any) -> tuple[str | None, Any | None]:
    text = _value_key(cell_text(value))
    if not text:
        return None, _l("The gender is missing: write female, male or unspecified.")
    if text in GENDERS:
        return text, None
    gender = _GENDERS.get(text)
    if gender is None:
        return None, _l("“%(value)s” is not a gender Outreach knows: write female, male or unspecified "
                        "(short forms such as F or M work too).", value=cell_text(value))
    return gender, None


def parse_yes_no(value: Any) -> tuple[bool, Any | None]:
    """A media consent cell: yes (иә, да, +, 1 …) or no (жоқ, нет, empty …), else a problem (the cell left no)."""
    text = _value_key(cell_text(value))
    if not text or text in _NO_WORDS:
        return False, None
    if text in _YES_WORDS:
        return True, None
    return False, _l("“%(value)s” is not a yes or a no: write yes or no (иә or жоқ, да or нет), or leave the cell "
                     "empty for no.", value=cell_text(value))
