"""Spreadsheet import with hard limits checked while streaming: a shared-strings bomb and XML entities are refused
quickly, with a clear reason, in bounded memory — never a 500 or a worker tied up for half a minute."""
from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile

import pytest

from outreach.errors import OutreachError
from outreach.students import import_files, importing
from tests.students.helpers import HEADERS, ROWS, xlsx_bytes
from tests.factories import make_school, make_user
from outreach.extensions import db

SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')


def _with_member(workbook: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one part replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def shared_strings_bomb() -> bytes:
    """The reviewer's file: about 100 KB holding 2.2 million shared strings (37 MB unpacked, under the cap)."""
    base = xlsx_bytes(HEADERS["en"], ROWS)
    strings = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2200000" '
               b'uniqueCount="2200000">' + b"<si><t>x</t></si>" * 2_200_000 + b"</sst>")
    assert 30 * 2**20 < len(strings) < import_files.MAX_UNPACKED_BYTES
    data = _with_member(base, "xl/sharedStrings.xml", strings)
    assert len(data) < import_files.MAX_BYTES
    return data


def test_the_shared_strings_bomb_is_refused_within_two_seconds(app, shared_strings_bomb):
    started = time.perf_counter()
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("bomb.xlsx", shared_strings_bomb)
    elapsed = time.perf_counter() - started
    assert caught.value.code == "file_too_large"
    assert "Copy only the list of students" in str(caught.value.fields["file"][0])
    assert elapsed < 2.0, f"{elapsed:.1f} s"


def test_the_shared_strings_bomb_is_refused_in_bounded_memory(app, shared_strings_bomb):
    tracemalloc.start()
    try:
        with pytest.raises(OutreachError):
            importing.parse_roster_file("bomb.xlsx", shared_strings_bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_the_bomb_upload_answers_a_form_error_in_the_users_language(client, csrf, login, shared_strings_bomb):
    login(make_user("school", school=make_school()))
    token = csrf.token(client, "/students/import?lang=ru")
    response = client.post("/students/import?lang=ru", data={"csrf_token": token, "step": "preview",
                                                     "file": (io.BytesIO(shared_strings_bomb), "bomb.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Скопируйте только список учеников в новую книгу" in html


ENTITY_SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                '<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
EXTERNAL_SHEET = ('<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                  '<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>')
DOCTYPE_ONLY = SHEET.replace("<worksheet ", '<!DOCTYPE worksheet SYSTEM "http://example.org/x.dtd">\n<worksheet ', 1)


@pytest.mark.parametrize("sheet", [ENTITY_SHEET, EXTERNAL_SHEET, DOCTYPE_ONLY], ids=["entities", "external", "doctype"])
def test_doctype_and_entities_are_refused(app, client, csrf, login, sheet):
    data = _with_member(xlsx_bytes(HEADERS["en"], ROWS), "xl/worksheets/sheet1.xml", sheet.encode())
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("entities.xlsx", data)
    assert caught.value.code == "file_unsafe"
    login(make_user("school", school=make_school()))
    token = csrf.token(client, "/students/import")
    response = client.post("/students/import", data={"csrf_token": token, "step": "preview",
                                                     "file": (io.BytesIO(data), "entities.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "document type" in response.get_data(as_text=True)


def test_too_many_cells_and_a_slow_file_are_refused(app):
    many = "".join(f'<row r="{r}">' + "".join(f'<c r="A{r}"><v>1</v></c>' for _ in range(50)) + "</row>"
                   for r in range(1, import_files.MAX_CELLS // 50 + 2))
    data = _with_member(xlsx_bytes(HEADERS["en"], ROWS), "xl/worksheets/sheet1.xml",
                        SHEET.replace('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', many).encode())
    with pytest.raises(OutreachError) as caught:
        importing.parse_roster_file("cells.xlsx", data)
    assert caught.value.code == "file_too_large"
    app.config["IMPORT_TIME_BUDGET"] = 1e-9
    try:
        with pytest.raises(OutreachError) as caught:
            importing.parse_roster_file("slow.xlsx", xlsx_bytes(HEADERS["en"], ROWS * 700))
        assert caught.value.code == "file_too_slow"
    finally:
        app.config.pop("IMPORT_TIME_BUDGET")
    assert importing.parse_roster_file("fine.xlsx", xlsx_bytes(HEADERS["en"], ROWS)).is_valid
