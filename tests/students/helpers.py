"""Building roster files the way Excel and people make them."""
from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any, Sequence

from openpyxl import Workbook, load_workbook
from tests.clock import programme_today

HEADERS = {
    "kk": ["Тегі", "Аты", "Сынып", "Жынысы", "Заңды өкіл", "Туыстығы"],
    "ru": ["Фамилия", "Имя", "Класс", "Пол", "Законный представитель", "Кем приходится"],
    "en": ["Last name", "First name", "Grade", "Gender", "Guardian", "Relationship"],
}

#: the optional last column of the template: the guardian agreed to photos and video
MEDIA_HEADERS = {"kk": "Фото және бейне", "ru": "Фото и видео", "en": "Photos and video"}

ROWS = [
    ["Сейітова", "Әлия", "5", "Ж", "Сейітова Гүлнар", "анасы"],
    ["Иванов", "Иван", "7", "М", "Иванова Мария", "мать"],
    ["Smith", "Anna", "0", "F", "John Smith", "father"],
]


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], *, delimiter: str = ";",
              encoding: str = "utf-8", bom: bool = False) -> bytes:
    lines = [delimiter.join(str(c) for c in header)] + [delimiter.join(str(c) for c in row) for row in rows]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill_template(template: bytes, rows: Sequence[Sequence[Any]]) -> bytes:
    """Write rows below the header of a downloaded .xlsx template, as a person would in Excel."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def consent_data(**overrides: Any) -> dict[str, Any]:
    data = {"guardian_name": "Айгүл Сейітова", "relationship": "анасы",
            "given_on": programme_today() - timedelta(days=3), "method": "paper"}
    data.update(overrides)
    return data


def student_data(**overrides: Any) -> dict[str, Any]:
    data = {"first_name": "Әлия", "last_name": "Сейітова", "grade": 5, "gender": "female",
            "guardian_consent": consent_data()}
    data.update(overrides)
    return data
