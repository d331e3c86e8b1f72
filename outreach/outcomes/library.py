"""The ready questions: a coordinator starts a questionnaire in one click, and initiatives that use the same keys
can be compared. Pupils' questions are statements a child rates with faces or stars (no «ты/Вы» to choose)."""
from __future__ import annotations

from outreach.outcomes.models import SCALE5, STUDENTS, TEACHERS, TEXT, YESNO

LIBRARY: dict[str, list[dict]] = {
    STUDENTS: [
        {"key": "enjoyed", "kind": SCALE5,
         "text": {"kk": "Маған сабақ ұнады", "ru": "Мне понравилось занятие", "en": "I enjoyed the workshop"}},
        {"key": "ballet_in_theatre", "kind": YESNO,
         "text": {"kk": "Театрда балет көргім келеді", "ru": "Я хочу посмотреть балет в театре",
                  "en": "I would like to see a ballet in a theatre"}},
        {"key": "confident_dancing", "kind": SCALE5,
         "text": {"kk": "Басқалардың алдында сенімді билеймін", "ru": "Я уверенно танцую перед другими",
                  "en": "I feel confident dancing in front of others"}},
        {"key": "knows_ballet_term", "kind": YESNO,
         "text": {"kk": "«Плие» сөзінің мағынасын білемін", "ru": "Я знаю, что значит слово «плие»",
                  "en": "I know what the word “plié” means"}},
        {"key": "join_dance_club", "kind": YESNO,
         "text": {"kk": "Би үйірмесіне барғым келеді", "ru": "Я хочу заниматься в танцевальном кружке",
                  "en": "I would like to join a dance club"}},
    ],
    TEACHERS: [
        {"key": "class_engaged", "kind": SCALE5,
         "text": {"kk": "Сынып сабаққа белсене қатысты", "ru": "Класс был увлечён занятием",
                  "en": "The class was engaged"}},
        {"key": "teacher_comments", "kind": TEXT,
         "text": {"kk": "Сіздің пікіріңіз бен ұсыныстарыңыз", "ru": "Ваши замечания и предложения",
                  "en": "Your comments and suggestions"}},
    ],
}


def library(audience: str) -> list[dict]:
    """The ready questions for pupils or teachers (copies: the caller may change them)."""
    return [{**q, "text": dict(q["text"])} for q in LIBRARY[audience]]
