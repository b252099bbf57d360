"""Importing the project list (包抓清单) from the sheet offices keep.

The sheet as offices keep it: title and units rows above a header of one or
two rows, section rows per industry chain, a totals row, merged cells, dates
and amounts typed as text (sheet_values reads those). Every row is checked
with registry.check_project before anything is written, then the whole list
is written through registry.save_projects, in one transaction. sheet_export
writes a list that imports back unchanged. No Flask here: the web view, the
command line and the tests share import_project_list. openpyxl reads the XML
through defusedxml, which is installed."""

import re
import zipfile
import zlib
from dataclasses import dataclass, field

from openpyxl import load_workbook
from peewee import IntegrityError

from tracker.accounts.models import LeadOfficial
from tracker.core.xlsx import cell_text
from tracker.projects.models import MILESTONES
from tracker.projects.registry import FIELD_LABELS, PROJECT_FIELDS, REQUIRED, Entry, check_project, save_projects
from tracker.projects.sheet_values import AMOUNT_FIELDS, parse_amount, parse_date, parse_kind

# Fields read from numbers or dates: a message about one of them quotes what the cell held.
TYPED_FIELDS = ("kind", *AMOUNT_FIELDS, "start_deadline")


# Header spellings seen in office sheets, besides FIELD_LABELS, after _header_key.
ALIASES = {
    "code": ("编号", "项目代码"),
    "name": ("名称",),
    "county": ("县(区)", "区县", "县市区", "所在县区", "所属县区"),
    "industry_chain": ("所属产业链",),
    "kind": ("项目性质", "性质"),
    "project_unit": ("建设单位", "业主单位", "项目业主"),
    "responsible_person": ("项目责任人",),
    "responsible_phone": ("电话", "手机", "手机号码", "责任人电话"),
    "responsible_email": ("邮箱", "电子邮件"),
    "lead_official": ("包抓领导", "市级领导", "包抓市级领导"),
    "lead_department": ("市级包抓部门", "责任部门"),
    "total_investment": ("投资预算", "计划总投资", "项目总投资"),
    "annual_plan_investment": ("年度计划", "年度投资计划", "计划投资", "年计划投资"),
    "start_deadline": ("计划开工时间", "计划开工日期", "开复工时限", "开(复)工时限"),
}


MILESTONE_SUFFIXES = ("", "(计划)", "计划", "时间", "日期", "计划时间", "计划日期")


HEADER_SCAN_ROWS = 20


# openpyxl makes a cell object for every position it is asked for: a stray
# value far right or far down must not make it fill millions of empty ones.
MAX_COLUMNS = 100


BLANK_ROWS_AFTER_TABLE = 1000  # this many empty rows in a row end the table


# An .xlsx is a zip of XML; openpyxl needs about ten times the XML's size in
# memory (a 10,000-row list is 8 MB of XML). Refuse to inflate more than this.
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024


# What openpyxl raises on a file that is not a readable .xlsx: not a zip, a zip
# without the workbook parts, broken XML (ParseError is a SyntaxError), XML that
# defusedxml refuses or attribute values of the wrong type (ValueError, TypeError).
UNREADABLE = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, SyntaxError, EOFError)


NUMERAL = "一二三四五六七八九十"


SECTION = re.compile(rf"[{NUMERAL}]+[、.．](?P<name>.+?)(?:[(（][^()（）]*\d[^()（）]*[)）])?")


# Rows that are neither a project nor a section: totals, sub-sections, units, notes.
SKIPPED = re.compile(
    rf"(?:合计|总计|小计|共计)(?:[:：(（\d]|$)|[(（][{NUMERAL}]+[)）]|单位[:：]|(?:备注|注|说明)\d*[:：]|填表|制表|审核"
)


class SheetError(ValueError):
    """The sheet cannot be imported; ``problems`` lists every reason, in Chinese."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class _Row:
    number: int  # as Excel shows it
    values: dict
    planned: dict = field(default_factory=dict)
    bad_dates: dict = field(default_factory=dict)  # milestone kind -> unreadable text


@dataclass
class _Layout:
    first_data_row: int  # index into the grid
    columns: dict  # field or milestone kind -> column index
    factors: dict  # amount field -> 万元 per unit of the column


def import_project_list(fileobj, user, config):
    """Import the project list in ``fileobj`` (.xlsx) and return a registry.SaveResult.

    Projects are matched by code: known codes are updated (and restored if
    archived), new codes created. Raises SheetError naming every bad row;
    then nothing is written.
    """
    grid, layout = _read_sheet(_open_workbook(fileobj))
    rows = list(_project_rows(grid, layout))
    if not rows:
        raise SheetError(["表中没有项目行"])
    officials = {name for (name,) in LeadOfficial.select(LeadOfficial.name).tuples()}
    problems = _problems(rows, officials)
    if problems:
        raise SheetError(problems)
    try:
        return save_projects([Entry(row.values, row.planned) for row in rows], user, config["milestones"])
    except IntegrityError as e:
        # Someone changed the list between our check and our write (a code, a leader, an account).
        raise SheetError(["导入期间清单数据被他人同时修改，未导入任何数据，请重新导入"]) from e


def _open_workbook(fileobj):
    try:
        with zipfile.ZipFile(fileobj) as archive:
            too_big = sum(member.file_size for member in archive.infolist()) > MAX_UNCOMPRESSED_BYTES
        if not too_big:
            fileobj.seek(0)
            # Not read-only: offices merge cells, and only a full load exposes the merges.
            return load_workbook(fileobj, data_only=True, keep_links=False)
    except UNREADABLE as e:
        raise SheetError(["无法读取文件：请上传 Excel 的 .xlsx 文件（.xls 请先在 Excel 中另存为 .xlsx）"]) from e
    raise SheetError([f"文件解压后超过 {MAX_UNCOMPRESSED_BYTES // 2**20} MB，无法导入"])


def _read_sheet(book):
    """The first sheet with a recognisable header: its cell values and column layout."""
    for sheet in book.worksheets:
        merges = sheet.merged_cells.ranges
        top, _ = _unmerged(_values(sheet, min(sheet.max_column, MAX_COLUMNS), HEADER_SCAN_ROWS), merges)
        header = _header_row(top)
        if header is not None:
            # Columns right of the header have no name, so they are not read at all.
            width = 1 + max(c for row in top[header : header + 2] for c, v in enumerate(row) if v is not None)
            grid, copies = _unmerged(_values(sheet, width), merges)
            return grid, _layout(grid, copies, header, merges)
    labels = "、".join(FIELD_LABELS[f] for f in ("code", "name", "start_deadline"))
    raise SheetError([f"找不到表头行：表头应包含{labels}等列"])


def _values(sheet, width, rows=None):
    """Cell values, rows then columns, ``width`` columns wide, until the table's end."""
    grid, blank = [], 0
    last = min(rows or sheet.max_row, sheet.max_row)
    for values in sheet.iter_rows(min_row=1, max_row=last, min_col=1, max_col=width, values_only=True):
        blank = blank + 1 if all(v is None for v in values) else 0
        if blank > BLANK_ROWS_AFTER_TABLE:
            break
        grid.append(list(values))
    return grid


def _unmerged(grid, merges):
    """The grid with every merged cell holding its top-left value.

    Also returns the (row, column) indexes filled from a merge to their left,
    so that a header merged across columns is read once.
    """
    copies = set()
    for merged in merges:
        if merged.min_row > len(grid) or merged.min_col > len(grid[0]):
            continue
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                grid[r][c] = value
                if c > merged.min_col - 1:
                    copies.add((r, c))
    return grid, copies


def _header_key(value):
    """A header's text reduced to what ALIASES spell: no spaces, units or year."""
    text = re.sub(r"\s+", "", cell_text(value)).replace("（", "(").replace("）", ")")
    text = re.sub(r"\((万元|亿元)\)$", "", text)
    return re.sub(r"^\d{4}年度?", "", text).rstrip(":：")


def _header_keys():
    keys = {FIELD_LABELS[f]: f for f in PROJECT_FIELDS}
    keys.update((alias, f) for f, aliases in ALIASES.items() for alias in aliases)
    for kind, label in MILESTONES.items():
        for suffix in MILESTONE_SUFFIXES:
            keys.setdefault(label + suffix, kind)
    return keys


HEADER_KEYS = _header_keys()


def _column_key(value):
    return HEADER_KEYS.get(_header_key(value))


def _header_row(grid):
    """The index of the first row naming at least three known columns, or None."""
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        if len({_column_key(v) for v in row} - {None}) >= 3:
            return index
    return None


def _layout(grid, copies, header, merges):
    """Where each known column is, where the projects start, and the unit of each amount column."""
    lower = header + 1 if _spans_two_rows(grid, header, merges) else header
    columns, texts = {}, {}
    for c in range(len(grid[header])):
        # The lower header row names the column; the upper one when the lower does not.
        keys = [_column_key(grid[r][c]) for r in dict.fromkeys((lower, header)) if (r, c) not in copies]
        key = next(filter(None, keys), None)
        texts[c] = "".join(cell_text(grid[r][c]) for r in range(header, lower + 1))
        if key is None:
            continue
        if key in columns:
            raise SheetError([f"第{header + 1}行：表头中“{_label(key)}”出现了不止一列"])
        columns[key] = c
    missing = [FIELD_LABELS[f] for f in REQUIRED if f not in columns and f != "industry_chain"]
    if missing:
        raise SheetError([f"表头缺少列：{'、'.join(missing)}"])
    above = " ".join(cell_text(v) for row in grid[:header] for v in row)
    sheet_factor = 10_000 if re.search(r"单位[:：]\s*亿元", above) else 1
    factors = {f: _factor(texts.get(columns.get(f), ""), sheet_factor) for f in AMOUNT_FIELDS}
    return _Layout(lower + 1, columns, factors)


def _spans_two_rows(grid, header, merges):
    """Whether the header continues on the next row.

    It does when a header cell is merged (down, or across a group such as
    “投资（万元）”) and the next row names a column of its own.
    """
    if header + 1 >= len(grid):
        return False
    merged = any(m.min_row == header + 1 and (m.max_row > m.min_row or m.max_col > m.min_col) for m in merges)
    pairs = zip(grid[header], grid[header + 1], strict=True)
    return merged and any(_column_key(low) and _header_key(low) != _header_key(up) for up, low in pairs)


def _factor(header_text, sheet_factor):
    if "亿元" in header_text:
        return 10_000
    return 1 if "万元" in header_text else sheet_factor


def _label(key):
    return FIELD_LABELS.get(key) or MILESTONES[key]


def _project_rows(grid, layout):
    """One _Row per project row; section rows set the industry chain of the rows after them."""
    chain = ""
    for index in range(layout.first_data_row, len(grid)):
        cells = grid[index]
        texts = list(dict.fromkeys(t for t in map(cell_text, cells) if t))  # merged copies once
        if not texts:
            continue
        heading = _heading(texts)
        # A project row may start with anything; only rows without a code of their own are headings.
        if cell_text(cells[layout.columns["code"]]) in ("", *texts[:2]):
            if section := SECTION.fullmatch(heading):
                chain = section["name"]
                continue
            if SKIPPED.match(heading):
                continue
        yield _parse_row(index + 1, cells, layout, chain)


def _heading(texts):
    """The row's leading text, joining a bare section numeral (“一”) to the name after it."""
    first = re.sub(r"\s+", "", texts[0])
    if re.fullmatch(f"[{NUMERAL}]+", first) and len(texts) > 1:
        return first + "、" + re.sub(r"\s+", "", texts[1])
    return first


def _parse_row(number, cells, layout, chain):
    def cell(key):
        column = layout.columns.get(key)
        return None if column is None else cells[column]

    values = {f: cell_text(cell(f)) for f in PROJECT_FIELDS}
    values["industry_chain"] = values["industry_chain"] or chain
    values["kind"] = parse_kind(values["kind"])
    for f in AMOUNT_FIELDS:
        values[f] = parse_amount(cell(f), layout.factors[f])
    values["start_deadline"] = parse_date(cell("start_deadline"))
    row = _Row(number, values)
    for kind in MILESTONES:
        planned = parse_date(cell(kind))
        if isinstance(planned, str):
            row.bad_dates[kind] = planned
        elif planned:
            row.planned[kind] = planned
    return row


def _problems(rows, officials):
    """Every problem of every row, each as “第7行：开工时限不能为空”."""
    first_row_of = {}
    problems = []
    for row in rows:
        code = row.values["code"]
        first = first_row_of.setdefault(code, row.number) if code else row.number
        errors = check_project(row.values, officials)
        messages = [_message(f, errors[f], row.values[f]) for f in sorted(errors, key=_field_order)]
        messages += [f"{_label(kind)}（计划）应为日期，收到“{text}”" for kind, text in row.bad_dates.items()]
        if first != row.number:
            messages.append(f"项目编号 {code} 与第{first}行重复")
        problems += [f"第{row.number}行：{m}" for m in messages]
    return problems


def _field_order(name):
    return PROJECT_FIELDS.index(name) if name in PROJECT_FIELDS else len(PROJECT_FIELDS)


def _message(name, message, value):
    # check_project's short messages (“不能为空”) need the column as their subject.
    if message.startswith(("不能", "应为")):
        message = FIELD_LABELS.get(name, name) + message
    # A typed field still holding text is one whose cell could not be read.
    if name in TYPED_FIELDS and isinstance(value, str) and value:
        message += f"，收到“{value}”"
    return message
