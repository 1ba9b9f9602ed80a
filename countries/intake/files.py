"""Reading an uploaded file as rows of text cells, whatever door it came through.

Plain Python, no Django beyond its translation functions. The format is read from the
content, never from the name: a ZIP holding a workbook is XLSX, text without NUL bytes is CSV,
anything else is refused. XLSX is opened only after its ZIP directory shows a sane
uncompressed size (a "zip bomb" stops here), and openpyxl parses its XML through defusedxml
(entity expansion bombs are refused).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CSV, XLSX = "csv", "xlsx"
# a workbook may hold at most this many bytes once unzipped, per byte of upload
XLSX_MAX_EXPANSION = 100
XLSX_MAX_UNZIPPED = 512 * 1024 * 1024

FILE_EMPTY = _("The file is empty.")
FILE_TOO_LARGE = _("The file is {size}; the limit here is {limit}.")
# what the content reads as, when it is not a table
FILE_PDF = _(
    "This is not a CSV or XLSX file (its content reads as a PDF document); save it as CSV "
    "(UTF-8) or XLSX and try again."
)
FILE_BINARY = _(
    "This is not a CSV or XLSX file (its content reads as binary data); save it as CSV "
    "(UTF-8) or XLSX and try again."
)
FILE_MARKUP = _(
    "This is not a CSV or XLSX file (its content reads as markup or JSON); save it as CSV "
    "(UTF-8) or XLSX and try again."
)
FILE_ZIP_NO_WORKBOOK = _(
    "This is not a CSV or XLSX file (its content reads as a ZIP archive without a workbook); "
    "save it as CSV (UTF-8) or XLSX and try again."
)
FILE_XLS = _("This is an old Excel (XLS) workbook; save it as XLSX or CSV (UTF-8) and try again.")
FILE_NOT_UTF8 = _(
    "The CSV file is not UTF-8 text (byte {position} cannot be read); save it as “CSV UTF-8”."
)
FILE_BAD_CSV = _("The CSV file cannot be read after row {row}: {error}.")
FILE_BAD_XLSX = _("The XLSX workbook cannot be read: {reason}.")
FILE_BAD_ZIP = _("The XLSX workbook cannot be read: not a valid ZIP archive ({error}).")
FILE_NO_SAFE_XML = _("The XLSX workbook cannot be read: the safe XML reader is missing.")
FILE_XLSX_BOMB = _(
    "The XLSX workbook unpacks to {size} bytes, far more than its {upload} bytes would hold: "
    "refused."
)
FILE_XML_ENTITIES = _("The XLSX workbook declares XML entities, which are refused for safety.")
FILE_NO_SHEET = _("The workbook has no sheet named “{sheet}”; it has: {sheets}.")


class FileRefused(ValueError):
    """The file as a whole cannot be read; `message` says why and what to do."""

    def __init__(self, message: str) -> None:
        message = str(message)  # words in the language of now, not of whoever reads it later
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the first line of the file is row 1
    cells: list[str]


def size_check(size: int, limit: int) -> None:
    if size == 0:
        raise FileRefused(FILE_EMPTY)
    if size > limit:
        raise FileRefused(FILE_TOO_LARGE.format(size=_megabytes(size), limit=_megabytes(limit)))


def _megabytes(size: int) -> str:
    """Sizes as people read them: "6.3 MB", or bytes when under a kilobyte."""
    if size < 1024:
        return gettext("{size} bytes").format(size=size)
    if size < 1024 * 1024:
        return gettext("{size} KB").format(size=f"{size / 1024:.1f}")
    return gettext("{size} MB").format(size=f"{size / 1024 / 1024:.1f}")


def sniff(head: bytes) -> str:
    """CSV or XLSX, from the first bytes of the content."""
    if not head:
        raise FileRefused(FILE_EMPTY)
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(FILE_XLS)
    if head.startswith(b"%PDF"):  # its first lines are often plain text, without NUL bytes
        raise FileRefused(FILE_PDF)
    if b"\x00" in head[:8192]:
        raise FileRefused(FILE_BINARY)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<?xml", b"<html", b"<!doctype", b"<svg", b"{", b"[")):
        raise FileRefused(FILE_MARKUP)
    return CSV


def rows(content: bytes, *, sheet: str = "") -> tuple[str, Iterator[Row]]:
    """(format, rows) of `content`; rows are streamed, never all held at once."""
    fmt = sniff(content[:8192])
    if fmt == XLSX:
        return fmt, _xlsx_rows(content, sheet)
    return fmt, _csv_rows(content)


def _csv_rows(content: bytes) -> Iterator[Row]:
    try:
        content[:65536].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < 65536 - 4:  # not a character cut in half at the end of the sample
            raise FileRefused(FILE_NOT_UTF8.format(position=exc.start + 1)) from None
    sample = content[:65536].decode("utf-8-sig", errors="ignore").splitlines()[:10]
    # the separator that occurs most in the first lines: a comma, a semicolon or a tab
    delimiter = max(",;\t", key=lambda sep: (sum(line.count(sep) for line in sample), sep == ","))
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield Row(number, cells)
    except UnicodeDecodeError as exc:
        raise FileRefused(FILE_NOT_UTF8.format(position=exc.start + 1)) from None
    except csv.Error as exc:
        raise FileRefused(FILE_BAD_CSV.format(row=number, error=exc)) from None


def _xlsx_guard(content: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unzipped = sum(info.file_size for info in archive.infolist())
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRefused(FILE_BAD_ZIP.format(error=exc)) from None
    if "xl/workbook.xml" not in names:
        raise FileRefused(FILE_ZIP_NO_WORKBOOK)
    if unzipped > min(XLSX_MAX_UNZIPPED, max(len(content), 65536) * XLSX_MAX_EXPANSION):
        raise FileRefused(FILE_XLSX_BOMB.format(size=unzipped, upload=len(content)))
    return archive


def _xlsx_rows(content: bytes, sheet: str) -> Iterator[Row]:
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # never parse untrusted workbooks without the guard
        raise FileRefused(FILE_NO_SAFE_XML)

    def refusal(exc: BaseException) -> FileRefused:
        # openpyxl wraps what goes wrong in its own errors: look for the entity guard's below
        cause, depth = exc, 0
        while cause is not None and depth < 10:
            if isinstance(cause, DefusedXmlException):
                return FileRefused(FILE_XML_ENTITIES)
            cause, depth = cause.__cause__ or cause.__context__, depth + 1
        return FileRefused(FILE_BAD_XLSX.format(reason=type(exc).__name__))

    _xlsx_guard(content)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise refusal(exc) from None
    try:
        if sheet and sheet not in book.sheetnames:
            raise FileRefused(FILE_NO_SHEET.format(sheet=sheet, sheets=", ".join(book.sheetnames)))
        worksheet = book[sheet] if sheet else book.worksheets[0]
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield Row(number, [_cell_text(value) for value in values])
    except FileRefused:
        raise
    except Exception as exc:  # the sheets are parsed only now, row by row
        raise refusal(exc) from None
    finally:
        book.close()


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold: 2019.0 reads "2019"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: columns as a spreadsheet names them."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
