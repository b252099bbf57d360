"""What every workbook the service writes shares: the project list, the notice and the quarterly analysis.

Every value goes in through safe_value, so text such as ``=cmd|' /C calc'!A0``
in a project's name stays text and never becomes a formula. Besides: column
widths from content, the header and title styles, frozen header rows, the A4
landscape print setup, saving to bytes and the MIME type to serve it with.

openpyxl is imported inside the functions: the views import XLSX_MIME from
here when the app starts, and the app's start-up stays light."""

import datetime as dt
import io
import math
import re
import unicodedata
from decimal import Decimal

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# A spreadsheet runs a cell starting with one of these as a formula (and openpyxl
# stores a str starting with "=" as one); the apostrophe itself is escaped too,
# so that taking one off on import gives back exactly what was written.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


# Control characters XML 1.0 cannot hold (openpyxl refuses the cell); pasted text brings them.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# Column widths are in Excel's unit, the width of one "0".
NARROWEST, WIDEST = 6, 50


PADDING = 2  # beside the widest value, so that it does not touch the cell's border


HEADER_FILL = "F0F2F5"  # the light grey of the header row in the analysis PDF's tables


TITLE_SIZE = 16  # points


LINE_HEIGHT = 16  # points: one line of 11-point text, Chinese included


# Amounts in 万元 show their cents, so a cell reads as the exact figure it holds.
MONEY_FORMAT = "#,##0.00"


def safe_value(value):
    """``value`` as a cell may hold it: text a spreadsheet would run as a formula gets an apostrophe
    in front, and characters XML cannot hold are dropped. Other values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def cell_text(value):
    """A cell read back as stripped text, as it was written before safe_value escaped it.

    None is "", and a whole number typed as a number loses its ".0".
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] and text[1] in FORMULA_START:
        return text[1:]
    return text


def new_workbook(write_only=False):
    """An empty workbook: with one sheet (``book.active``), or none in write-only mode.

    Write-only mode streams rows to disk, for lists of any length; its sheets
    take widths, frozen panes and the print setup before their first row.
    """
    from openpyxl import Workbook

    return Workbook(write_only=write_only)


def to_bytes(book):
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def append_row(sheet, values, *, bold=False, wrap=False):
    """Append ``values``, each through safe_value, as the sheet's next row.

    ``wrap`` wraps long and multi-line text, aligned to the top of the row. A
    Decimal, an amount in 万元, is a number shown with MONEY_FORMAT.
    """
    if not (bold or wrap or any(isinstance(v, Decimal) for v in values)):
        sheet.append([safe_value(v) for v in values])
        return
    from openpyxl.styles import Alignment, Font

    font = Font(bold=bold)
    alignment = Alignment(vertical="top", wrap_text=True) if wrap else Alignment()
    sheet.append(_cells(sheet, values, font=font, alignment=alignment))


def append_header(sheet, labels):
    """Append a header row: bold, centred and wrapped, on light grey."""
    from openpyxl.styles import Alignment, Font, PatternFill

    font = Font(bold=True)
    alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    fill = PatternFill("solid", start_color=HEADER_FILL)
    sheet.append(_cells(sheet, labels, font=font, alignment=alignment, fill=fill))


def append_title(sheet, text, across=1):
    """Append the sheet's title row, large and bold; centred over ``across`` columns when more than one.

    A write-only sheet cannot merge cells: there ``across`` stays 1.
    """
    from openpyxl.styles import Alignment, Font

    alignment = Alignment(horizontal="center", vertical="center") if across > 1 else Alignment(vertical="center")
    sheet.append(_cells(sheet, [text], font=Font(bold=True, size=TITLE_SIZE), alignment=alignment))
    if across > 1:
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=across)


def _cells(sheet, values, **style):
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, safe_value(value))
        for name, setting in style.items():
            setattr(cell, name, setting)
        if isinstance(value, Decimal):
            cell.number_format = MONEY_FORMAT
        cells.append(cell)
    return cells


def display_width(value):
    """How many "0"s wide ``value`` shows: a CJK character counts two, a number has its thousands
    separators, multi-line text is as wide as its longest line."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    return max(map(_line_width, str(value).split("\n")))


def _line_width(line):
    if line.isascii():  # most cells of a long list: codes, phone numbers, emails
        return len(line)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def fit_columns(sheet, rows, least=NARROWEST, most=WIDEST):
    """Make each column as wide as its widest value in ``rows``, between ``least`` and ``most``.

    ``rows`` are the values the columns show (a header row included, a title
    running across columns left out). A write-only sheet takes them before its
    first row is appended.
    """
    from openpyxl.utils import get_column_letter

    widths = {}
    for row in rows:
        for index, value in enumerate(row, start=1):
            widths[index] = max(widths.get(index, 0), display_width(safe_value(value)))
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + PADDING, least), most)


def fit_row_heights(sheet, first_row):
    """Make each row from ``first_row`` down tall enough for its wrapped text, in the widths set.

    LibreOffice, for one, does not grow a row to its wrapped text when it opens
    a file: without a height, the second of a project's reasons stays hidden.
    """
    from openpyxl.utils import get_column_letter

    for row in sheet.iter_rows(min_row=first_row):
        wrapped = [cell for cell in row if cell.value is not None and cell.alignment.wrap_text]
        width = {cell.column: sheet.column_dimensions[get_column_letter(cell.column)].width for cell in wrapped}
        lines = max((_wrapped_lines(cell.value, width[cell.column]) for cell in wrapped), default=1)
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = lines * LINE_HEIGHT


def _wrapped_lines(value, width):
    room = max(width - PADDING, 1)
    return sum(max(1, math.ceil(_line_width(line) / room)) for line in str(value).split("\n"))


def freeze_panes(sheet, below_row, right_of_column=0):
    """Keep rows 1 to ``below_row`` (title and header) and the first ``right_of_column`` columns in view."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = f"{get_column_letter(right_of_column + 1)}{below_row + 1}"


def print_setup(sheet, header_rows=None):
    """Print on A4 landscape, the sheet's width on one page; ``header_rows`` (first, last) repeat on every page."""
    from openpyxl.worksheet.worksheet import Worksheet

    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # a write-only sheet lacks the constant
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        first, last = header_rows
        sheet.print_title_rows = f"{first}:{last}"


# A workbook read whole (read_rows) inflates to no more than this: a zip of a few KB can expand to gigabytes.
MAX_READ_BYTES = 16 * 1024 * 1024


UNREADABLE_WORKBOOK = "无法读取文件：请上传 Excel 的 .xlsx 文件（.xls 请先在 Excel 中另存为 .xlsx）"


class WorkbookError(ValueError):
    """The upload is no .xlsx that can be read; the message says so in Chinese."""


def read_rows(fileobj, max_rows):
    """The cell values of the first sheet of the .xlsx in ``fileobj``, row by row (at most ``max_rows``).

    openpyxl parses the XML through defusedxml (installed beside it), read-only and with cached
    formula results: a formula is never run. Raises WorkbookError for anything but a readable .xlsx.
    """
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(fileobj) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_READ_BYTES:
                raise WorkbookError(f"文件解压后超过 {MAX_READ_BYTES // 2**20} MB，无法导入")
        fileobj.seek(0)
        book = load_workbook(fileobj, read_only=True, data_only=True, keep_links=False)
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as e:
        raise WorkbookError(UNREADABLE_WORKBOOK) from e
    try:
        rows = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            if len(rows) == max_rows:
                raise WorkbookError(f"表格超过 {max_rows} 行，请分批导入")
            rows.append(row)
        return rows
    finally:
        book.close()
