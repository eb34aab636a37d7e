"""The ledgers' files: .xlsx (openpyxl's write-only workbook, streamed) and CSV in UTF-8 with a BOM, the same
lines in both — title, 提报 line, column names, rows, footnote — every text cell escaped as ``sheets`` explains."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from portal.core.clock import now
from portal.core.formatting import local_zone
from portal.services.ledgers.sheets import CHUNK, EXTRA_COLUMNS, Ledger

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _header(ledger: Ledger, reporter: str, reported: str) -> list[str]:
    return [f"提报单位:{reporter}", f"提报时间:{reported}"] if ledger.header_line else []


def _columns(ledger: Ledger) -> list[str]:
    return [*ledger.columns, *EXTRA_COLUMNS, ledger.date_column]


def write_xlsx(
    path: Path, ledger: Ledger, rows: Iterator, *, reporter: str, reported: str, progress: Callable[[int], None]
) -> int:
    """Write the ledger as .xlsx (write-only, streamed); calls ``progress(n)`` every CHUNK rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ledger.title[:31])
    widths = [*ledger.widths, 22, 22, 12]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_rows = 3 if ledger.header_line else 2
    sheet.freeze_panes = f"A{header_rows + 1}"

    def bold(value: str, size=11):
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True, size=size)
        cell.data_type = "s"  # a title or column name is text, whatever it begins with
        return cell

    def text(value: str):
        """A plain str is written as text; one that openpyxl would take for a formula (it begins with
        "=") is forced to a string cell. Plain values keep 100 000 rows fast (a styled cell each costs).
        Characters an .xlsx cannot hold are dropped: stored text is cleaned on the way in, but a row stored
        before that (or written by hand) must not make the whole ledger fail."""
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    sheet.append([bold(ledger.title, 14)])
    if ledger.header_line:
        sheet.append([text(value) for value in _header(ledger, reporter, reported)])
    sheet.append([bold(name) for name in _columns(ledger)])
    count = 0
    for count, (cells, day) in enumerate(rows, start=1):
        # A date is written as a date cell with openpyxl's yyyy-mm-dd format.
        sheet.append([count, *(text(value) for value in cells), day])
        if count % CHUNK == 0:
            progress(count)
    if ledger.footnote:
        sheet.append([])
        sheet.append([text("备注:" + ledger.footnote)])
    workbook.save(path)
    return count


def csv_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_csv(
    path: Path, ledger: Ledger, rows: Iterator, *, reporter: str, reported: str, progress: Callable[[int], None]
) -> int:
    """Write the ledger as CSV in UTF-8 with a BOM (so Excel reads the Chinese), same lines as the .xlsx."""
    count = 0
    # The BOM written by hand: the utf-8-sig codec's encoder is Python code, a call per line written.
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        writer = csv.writer(handle)
        writer.writerow([csv_safe(ledger.title)])  # the lines above the table are escaped like the rows
        if ledger.header_line:
            writer.writerow([csv_safe(text) for text in _header(ledger, reporter, reported)])
        writer.writerow([csv_safe(name) for name in _columns(ledger)])
        for count, (cells, day) in enumerate(rows, start=1):
            # csv_safe inlined: a call per cell was a tenth of an export's CPU (cProfile, 100 000 rows)
            line = [count]
            line += ["'" + cell if cell.startswith(_FORMULA_START) else cell for cell in cells]
            line.append(day.isoformat() if day else "")
            writer.writerow(line)
            if count % CHUNK == 0:
                progress(count)
        if ledger.footnote:
            writer.writerow([])
            writer.writerow([csv_safe("备注:" + ledger.footnote)])
    return count


def reported_on() -> str:
    return now().astimezone(local_zone()).strftime("%Y年%m月%d日")
