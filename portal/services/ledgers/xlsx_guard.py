"""An uploaded .xlsx checked before openpyxl sees it (issue #20): a small file must not make the portal
parse for half a minute. An .xlsx is a zip of XML parts; openpyxl decompresses and parses them whole
(every shared string, every style at once) and, in read-only mode, pads every row to the sheet's widest
column. So:

- the zip's directory: at most ``MAX_ENTRIES`` parts, each at most ``MAX_PART_BYTES`` unzipped and all
  together ``MAX_TOTAL_BYTES``, and no part of over a megabyte unzipping to more than ``MAX_RATIO`` times
  its compressed size (zipfile never yields more than a part's declared size, so the sizes bind);
- then every part is read as XML with expat — the parser openpyxl's ElementTree uses — counting as it
  goes and stopping at the first limit passed: no DOCTYPE (entities); ``MAX_ELEMENTS`` elements in all;
  in each part ``MAX_PART_ELEMENTS`` besides a sheet's rows and the shared strings; at most
  ``max_rows × max_columns`` shared strings, and per sheet ``max_rows`` rows and ``max_rows ×
  max_columns`` cells, none (nor the ``<dimension>``) beyond row ``max_rows`` or column
  ``max_columns`` (a cell in column XFD would pad every row to 16 384 cells).

Parts that are not XML (images) stop the scan of that part at their first byte: openpyxl would fail on
them the same way, if it read them at all. Measured (tests/services/test_ledger_import_bombs.py): an
86 KB workbook of 2 000 000 shared strings (openpyxl: 14–25 s) is refused in under a millisecond; the
slowest refusal, by counting, takes about 0.3 s.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.parsers import expat

MAX_ENTRIES = 300
MAX_PART_BYTES = 40 * 1024 * 1024
MAX_TOTAL_BYTES = 60 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # smaller parts may compress as well as they like
MAX_ELEMENTS = 1_000_000  # in all parts; a full honest ledger has about 200 000
MAX_PART_ELEMENTS = 50_000  # in a part, besides a sheet's rows and the shared strings
READ_CHUNK = 64 * 1024
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _STRING, _TABLE, _DIMENSION = (f"{SHEET_NS} {local}" for local in ("row", "si", "sst", "dimension"))

UNREADABLE = "文件无法读取,请用模板重新填写后上传"
TOO_BIG = "文件解压后过大或压缩比异常,不是正常的问题台账,请用模板重新填写后上传"
TOO_COMPLEX = "文件内容过多(单元格或文字条目超出导入上限),请分批导入"
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


class Refused(Exception):
    """The workbook may not be opened; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _cell(reference: str) -> tuple[int, int] | None:
    """(row, column) of "B12" (None for what openpyxl would not read either)."""
    match = _CELL.match(reference or "")
    return (int(match.group(2)), _column_number(match.group(1))) if match else None


class _Scan:
    """Counts while expat reads one part after another; raises Refused at the first limit passed.

    A sheet's rows and the shared strings' ``<sst>`` are bounded by rows, cells and strings; everything
    else in a part (column widths, styles, merged cells…, each an object for openpyxl) by
    ``MAX_PART_ELEMENTS``. Every child of a ``<row>`` counts as a cell, as openpyxl
    reads it; a cell without a reference sits right of the one before it."""

    def __init__(self, max_rows: int, max_columns: int):
        self.max_rows, self.max_columns = max_rows, max_columns
        self.max_cells = self.max_strings = max_rows * max_columns
        self.elements = self.strings = 0
        self.begin_part()

    def begin_part(self) -> None:
        self.depth = self.strings_depth = self.outside = self.rows = self.cells = self.row = 0
        self.open_rows: list[list[int]] = []  # [depth, last column] of each <row> we are inside

    def too_wide_or_long(self, row: int, column: int) -> None:
        if column > self.max_columns:
            raise Refused(
                f"表格超出模板范围:第{column}列有内容或格式(最多{self.max_columns}列),请删除多余的列后重新上传"
            )
        if row > self.max_rows:
            raise Refused(f"表格超过{self.max_rows}行(第{row}行有内容或格式),请分批导入")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise Refused(TOO_COMPLEX)
        if not (self.strings_depth or self.open_rows or name == _ROW):
            self.outside += 1
            if self.outside > MAX_PART_ELEMENTS:
                raise Refused(TOO_COMPLEX)
            if name == _TABLE:
                self.strings_depth = self.depth
        if self.open_rows and self.depth == self.open_rows[-1][0] + 1:
            self.cell(attributes.get("r", ""))
        if name == _ROW:
            self.rows += 1
            raw = attributes.get("r", "")
            self.row = int(raw) if raw.isdigit() else self.row + 1
            if self.rows > self.max_rows:
                raise Refused(TOO_COMPLEX)
            self.open_rows.append([self.depth, 0])
        elif name == _STRING:
            self.strings += 1
            if self.strings > self.max_strings:
                raise Refused(TOO_COMPLEX)
        elif name == _DIMENSION:
            for corner in filter(None, (_cell(part) for part in attributes.get("ref", "").split(":"))):
                self.too_wide_or_long(*corner)

    def cell(self, reference: str) -> None:
        self.cells += 1
        if self.cells > self.max_cells:
            raise Refused(TOO_COMPLEX)
        where, open_row = _cell(reference), self.open_rows[-1]
        open_row[1] = where[1] if where else open_row[1] + 1
        self.too_wide_or_long(where[0] if where else self.row, open_row[1])

    def end(self, _name: str) -> None:
        if self.open_rows and self.open_rows[-1][0] == self.depth:
            self.open_rows.pop()
        if self.strings_depth == self.depth:
            self.strings_depth = 0
        self.depth -= 1

    def read(self, source) -> None:
        """One part, chunk by chunk (a part that is not XML ends the scan of that part)."""
        self.begin_part()
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        try:
            while chunk := source.read(READ_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            return

    @staticmethod
    def _doctype(*_args) -> None:
        raise Refused(UNREADABLE)  # no DTD belongs in an .xlsx: entity expansion is refused outright


def _check_directory(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise Refused(TOO_BIG)
    total = 0
    for entry in entries:
        total += entry.file_size
        packed = max(entry.compress_size, 1)
        if entry.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
            raise Refused(TOO_BIG)
        if entry.file_size > RATIO_FLOOR and entry.file_size > packed * MAX_RATIO:
            raise Refused(TOO_BIG)
    packed_total = max(sum(entry.compress_size for entry in entries), 1)
    if total > RATIO_FLOOR and total > packed_total * MAX_RATIO:
        raise Refused(TOO_BIG)
    return entries


def check_workbook(content: bytes, *, max_rows: int, max_columns: int) -> None:
    """Raise Refused unless ``content`` is an .xlsx that openpyxl can read within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Refused(UNREADABLE) from exc
    with archive:
        entries = _check_directory(archive)
        scan = _Scan(max_rows, max_columns)
        for entry in entries:
            if entry.is_dir():
                continue
            try:
                with archive.open(entry) as source:
                    scan.read(source)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError) as exc:
                raise Refused(UNREADABLE) from exc
