"""Reading a roster file safely: CSV in the encodings and separators people's Excel writes, and .xlsx streamed
through defusedxml with hard limits (bytes unpacked, shared strings, cells, rows, seconds) before openpyxl
opens it. What the columns mean is `importing`'s business; this module only turns bytes into rows or refuses
them with a translated reason.
"""
from __future__ import annotations

import codecs
import csv
import io
import time
import zipfile
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Sequence
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from flask import current_app
from flask_babel import format_decimal

from outreach.errors import OutreachError
from outreach.i18n import _l

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 50
MAX_SCANNED_ROWS = 10 * MAX_ROWS  # empty rows included
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
#: limits on what a workbook may hold, checked while its XML is streamed (before openpyxl reads it)
MAX_SHARED_STRINGS = 20_000
MAX_CELLS = 200_000
#: seconds one upload may spend being read
TIME_BUDGET = 5.0
HEADER_SEARCH_ROWS = 10


def file_error(message: Any, code: str) -> OutreachError:
    return OutreachError(message, code=code, fields={"file": [message]})


# --- reading the file -----------------------------------------------------------------------------

def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def _unreadable_workbook() -> OutreachError:
    return file_error(_l("This file could not be read as an Excel workbook (.xlsx). Save it again from "
                          "Excel as .xlsx or as CSV, and upload it again."), "file_unreadable")


def _workbook_too_large() -> OutreachError:
    return file_error(_l("The workbook is too large once unpacked. Copy only the list of students into a new "
                          "workbook and upload that."), "file_too_large")


class _Budget:
    """Bytes unpacked and seconds spent so far on one upload; exceeding either refuses the file."""

    def __init__(self, seconds: float | None = None) -> None:
        self.deadline = time.monotonic() + (seconds if seconds is not None else _time_budget())
        self.unpacked = 0

    def spend(self, size: int) -> None:
        self.unpacked += size
        if self.unpacked > MAX_UNPACKED_BYTES:
            raise _workbook_too_large()
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise file_error(_l("The workbook took too long to read. Copy only the list of students into a new "
                                 "workbook and upload that."), "file_too_slow")


def _time_budget() -> float:
    try:
        return float(current_app.config.get("IMPORT_TIME_BUDGET") or TIME_BUDGET)
    except RuntimeError:  # outside an app
        return TIME_BUDGET


def _inspect_xlsx(data: bytes) -> None:
    """Stream every XML part of the workbook once, with hard limits, before openpyxl reads it.

    Refused: a DOCTYPE or entity anywhere (defusedxml), more than MAX_UNPACKED_BYTES unpacked (the bytes really
    inflated, not the zip's claim), more than MAX_SHARED_STRINGS shared strings, MAX_CELLS cells or
    MAX_SCANNED_ROWS rows, or more than the time budget. A SAX parser only counts: memory stays small.
    """
    budget = _Budget()
    counts = {"si": 0, "c": 0, "row": 0}
    limits = {"si": MAX_SHARED_STRINGS, "c": MAX_CELLS, "row": MAX_SCANNED_ROWS}

    class Counter(ContentHandler):
        def startElement(self, name: str, attrs: Any) -> None:
            local = name.rpartition(":")[2]
            if local in counts:
                counts[local] += 1
                if counts[local] > limits[local]:
                    raise too_many_rows() if local == "row" else _workbook_too_large()

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise _workbook_too_large()
        for info in archive.infolist():
            if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
            parser.setContentHandler(Counter())
            with archive.open(info) as member:
                while chunk := member.read(64 * 1024):
                    budget.spend(len(chunk))
                    parser.feed(chunk)
            parser.close()
    except OutreachError:
        raise
    except DefusedXmlException as error:
        raise file_error(_l("This workbook contains XML that Outreach does not accept (a document type or "
                             "entity declarations). Save it again from Excel as .xlsx and upload it again."),
                          "file_unsafe") from error
    except (SAXException, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            RuntimeError, NotImplementedError) as error:
        raise _unreadable_workbook() from error


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    import openpyxl  # not a cycle: slow to import, only an .xlsx upload needs it

    _inspect_xlsx(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a zip that is not a workbook, or a damaged one
        raise _unreadable_workbook() from error
    try:
        sheet = workbook.active or workbook.worksheets[0]
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:  # damaged sheet XML found while reading
                raise _unreadable_workbook() from error
            yield list(row)
    finally:
        workbook.close()


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: BOMs first, then UTF-8, then Windows-1251."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data:
            raise _not_a_table()
        candidates = ["utf-8", "cp1251"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > max(2, len(text) // 100):
            raise _not_a_table()
        return text, encoding
    raise _not_a_table()


def too_many_rows() -> OutreachError:
    return file_error(_l("The file has more than %(limit)s rows of students; at most %(limit)s can be "
                          "imported at once. Split it into several files.",
                          limit=format_decimal(MAX_ROWS)), "too_many_rows")


def _check_unpacked_size(data: bytes) -> None:
    """A small .xlsx can unpack to gigabytes; refuse before reading it."""
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise _not_a_table() from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise file_error(_l("The workbook is too large once unpacked. Copy only the list of students into a new "
                             "workbook and upload that."), "file_too_large")


def _not_a_table() -> OutreachError:
    return file_error(_l("This file is not a table Outreach can read. Upload an Excel workbook (.xlsx) or a "
                          "CSV file, for example one made from the template."), "file_not_supported")


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [row[:MAX_COLUMNS] for row in reader]
    except csv.Error as error:
        raise _not_a_table() from error


def read_table(filename: str, data: bytes, header_score: Callable[[list[list[str]]], int]
               ) -> tuple[list[list[Any]], str, str | None, str | None]:
    """All rows of the first sheet (or of the CSV), with the format, encoding and delimiter found (for a CSV, the
    delimiter whose rows `header_score` scores highest)."""
    name = (filename or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if data.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(data)):
        if extension not in ("xlsx", "xlsm", ""):
            raise _not_a_table()
        _check_unpacked_size(data)
        rows: list[list[Any]] = []
        filled = 0
        for row in _xlsx_rows(data):
            rows.append(row)
            filled += any(cell_text(c) for c in row)
            # enough to know it is too long (empty rows count too: a sheet can hold a million of them)
            if filled > MAX_ROWS + HEADER_SEARCH_ROWS + 1 or len(rows) > MAX_SCANNED_ROWS:
                raise too_many_rows()
        return rows, "xlsx", None, None
    if extension in ("xlsx", "xlsm"):
        raise _unreadable_workbook()
    if extension == "xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(_l("Old Excel files (.xls) cannot be read. In Excel choose “Save as” and pick "
                             "“Excel workbook (.xlsx)” or “CSV”, then upload that file."), "file_not_supported")
    if extension not in ("csv", "txt", ""):
        raise _not_a_table()
    text, encoding = _decode(data)
    best: tuple[int, list[list[str]], str] | None = None
    for delimiter in (";", ",", "\t"):
        rows_ = _csv_rows(text, delimiter)
        score = header_score(rows_)
        if best is None or score > best[0]:
            best = (score, rows_, delimiter)
    assert best is not None
    if len(best[1]) > MAX_SCANNED_ROWS:
        raise too_many_rows()
    return best[1], "csv", encoding, best[2]


def nonempty_count(rows: Iterable[Sequence[Any]]) -> int:
    return sum(1 for row in rows if any(cell_text(c) for c in row))
