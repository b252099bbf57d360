"""Reading the key-project lists governments publish, whatever their layout, into parsed rows.

A real list (附件1 of a city's or a province's notice) has title rows above a
header of one or two rows, names its columns in many ways, groups projects
under sections of up to three levels with their counts, adds 合计 and 小计
rows, merges cells across and down, and may keep one sheet per 建设性质.
read_project_list finds the header of every visible sheet, reads each project
row into a SheetRow of parsed values and the row's reading problems, and checks
the stated counts and totals against the rows it read (warnings). Nothing here
knows the database: the import checks and saves what this returns.

The file is streamed (openpyxl read-only, cached formula results), so that a
province's 30,000-row list reads in bounded memory. Read-only mode does not
expose merged cells, so their ranges are read from each sheet's XML part."""

import datetime as dt
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from defusedxml.ElementTree import DefusedXMLParser
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.xml.constants import SHEET_MAIN_NS

from tracker.core.money import is_amount
from tracker.core.xlsx import cell_text
from tracker.projects.models import MILESTONES, MONTHLY_PLAN_COLUMNS
from tracker.projects.monthly_plan import as_cumulative
from tracker.projects.registry import FIELD_LABELS
from tracker.projects.sheet_values import (
    AMOUNT_FIELDS,
    KIND_BY_LABEL,
    KIND_OF_STAGE,
    LEVELS,
    NATIONAL_CODE,
    STAGES,
    UNIT_FACTORS,
    is_partial_iso,
    is_quantity,
    parse_amount,
    parse_date,
    parse_degrees,
    parse_kind,
    parse_level,
    parse_national_code,
    parse_partial_date,
    parse_period,
    parse_stage,
    parse_yes_no,
    split_leaders,
    stage_in_title,
    text_value,
)

MONTH_SUFFIXES = ("", "份", "末", "累计", "末累计", "计划", "累计计划", "计划(累计)", "底")


# Header spellings seen in published lists, field -> spellings (after header_key: no spaces,
# half-width brackets, no unit in brackets, no year). Two keys name a column that holds two
# fields: UNIT_AND_NAME (项目单位及名称) and PERIOD (建设起止年限); SERIAL is the 序号 column.
SERIAL, UNIT_AND_NAME, PERIOD = "serial", "unit_and_name", "construction_period"
ALIASES = {
    SERIAL: ("序号",),
    "code": ("项目编号", "编号"),
    "national_code": ("项目代码", "项目统一代码", "国家项目代码", "统一项目代码"),
    "name": ("项目名称", "工程名称", "名称"),
    UNIT_AND_NAME: ("项目单位及名称", "建设单位及项目名称"),
    "project_unit": ("项目单位", "建设单位", "项目业主", "业主单位", "项目法人", "实施单位"),
    "lead_department": ("包抓部门", "市级包抓部门", "责任单位", "牵头单位", "主管部门", "牵头协调部门", "责任部门"),
    "total_investment": ("总投资", "项目总投资", "总投资额", "计划总投资", "投资预算"),
    "annual_plan_investment": (
        "年度计划投资",
        "本年度计划投资",
        "计划投资",
        "计划完成投资",
        "年度投资计划",
        "投资计划",
        "年度计划",
        "年计划投资",
    ),
    "scale_and_content": ("建设规模及内容", "主要建设内容", "建设内容及规模", "建设内容", "建设规模及主要内容"),
    "stage": ("建设性质", "建设阶段"),
    "kind": ("项目性质", "性质"),
    PERIOD: ("建设起止年限", "计划工期", "建设年限", "建设期限", "起止年限"),
    "planned_start": ("开工时间", "计划开工时间", "开工日期", "计划开工日期"),
    "planned_completion": ("竣工时间", "计划竣工时间", "竣工日期", "计划竣工日期"),
    "start_deadline": ("开工时限", "开复工时限", "开(复)工时限"),
    "lead_official": (
        "包抓领导",
        "市级包抓领导",
        "牵头区领导",
        "市级联系领导",
        "联系领导",
        "包抓市级领导",
        "市级领导",
    ),
    "county": ("县区", "所在县区", "县(区)", "区县", "县市区", "所属县区"),
    "location": ("建设地点", "项目地点"),
    "latitude": ("纬度", "北纬", "纬度坐标"),
    "longitude": ("经度", "东经", "经度坐标"),
    "annual_target": ("年度目标", "形象进度目标", "年度建设目标", "年度形象进度"),
    "responsible_person": ("责任人", "项目责任人", "联系人"),
    "responsible_phone": ("联系电话", "电话", "手机", "手机号码", "责任人电话"),
    "responsible_email": ("电子邮箱", "邮箱", "电子邮件"),
    "level": ("项目级别", "级别"),
    "industry_chain": ("产业链", "所属产业链"),
    "statistics_included": ("是否入库", "是否入库纳统", "是否纳统", "入库纳统", "入库情况", "纳统情况", "入库纳统情况"),
    "statistics_included_on": ("入库时间", "入库日期", "纳统时间", "入库纳统时间"),
    "statistics_reason": ("未入库原因", "未纳统原因", "未入库纳统原因", "未入库说明"),
    # 分月计划: a column per month, alone or under a group header (分月计划 / 1月); the export's own header too.
    **{
        column: tuple(f"{month}月{suffix}" for suffix in MONTH_SUFFIXES)
        for month, column in enumerate(MONTHLY_PLAN_COLUMNS, start=1)
    },
}


# A column of two fields, and the fields it fills.
COMBINED = {UNIT_AND_NAME: ("project_unit", "name"), PERIOD: ("planned_start", "planned_completion")}


# The milestone columns of the service's own list: 立项（计划）, 用地时间 …; 开工时间 and 竣工时间
# are a published list's planned start and completion (ALIASES), so they are not milestones.
MILESTONE_SUFFIXES = ("", "(计划)", "计划", "时间", "日期", "计划时间", "计划日期")


TEXT_FIELDS = (
    "code",
    "name",
    "project_unit",
    "lead_department",
    "scale_and_content",
    "county",
    "location",
    "annual_target",
    "responsible_person",
    "responsible_phone",
    "responsible_email",
    "industry_chain",
    "statistics_reason",
)


# Names for the fields registry.FIELD_LABELS does not have, for messages.
LABELS = {
    **FIELD_LABELS,
    "stage": "建设性质",
    "level": "项目级别",
    "national_code": "项目代码",
    "scale_and_content": "建设规模及内容",
    "location": "建设地点",
    "annual_target": "年度目标",
    "planned_start": "计划开工时间",
    "planned_completion": "计划竣工时间",
    PERIOD: "建设起止年限",
    **MILESTONES,
}


# What a readable value of each typed field looks like, for the message quoting an unreadable one.
EXPECTED = {
    **dict.fromkeys(AMOUNT_FIELDS, "应为数字（万元）"),
    "start_deadline": "应为日期",
    **dict.fromkeys(("latitude", "longitude"), "应为度数（如 34.26）"),
    **dict.fromkeys(("planned_start", "planned_completion", PERIOD), "应为年份或年月（如 2023-2025、2024年10月）"),
    "kind": "应为 新建 或 续建",
    "statistics_included": "应为 是 或 否",
    "statistics_included_on": "应为日期",
    "stage": "应为 新开工、续建、竣工投产、预备 或 前期",
    "level": "应为 省级、市级 或 县级",
    "national_code": "应为 24 位国家项目代码（如 2023-610100-48-01-012345）",
}


HEADER_SCAN_ROWS = 20


# openpyxl pads every row to the width asked for: a stray value far right must not make it pad thousands.
MAX_COLUMNS = 100


BLANK_ROWS_AFTER_TABLE = 1000  # this many empty rows in a row end the table


# An .xlsx is a zip of XML; a zip bomb inflates to gigabytes. Refuse to inflate more than this
# (a 10,000-row list is 8 MB of XML).
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024


# What openpyxl raises on a file that is not a readable .xlsx: not a zip, a zip
# without the workbook parts, broken XML (ParseError is a SyntaxError), XML that
# defusedxml refuses or attribute values of the wrong type (ValueError, TypeError).
UNREADABLE = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, SyntaxError, EOFError, OSError)


MERGE_CELL = f"{SHEET_MAIN_NS}}}mergeCell"  # as expat names it, namespace first


CHUNK_BYTES = 1 << 20


NUMERAL = "一二三四五六七八九十"


# Section headings at three levels: 一、基础设施 / （一）交通 / ——铁路 or 1.铁路.
SECTION_LEVELS = (
    re.compile(rf"[{NUMERAL}]+[、.．]\s*(?P<name>.+)"),
    re.compile(rf"[(（][{NUMERAL}]+[)）][、.．]?\s*(?P<name>.+)"),
    re.compile(r"(?:[—-]{1,2}|\d{1,2}[、.．](?!\d))\s*(?P<name>.+)"),
)


# A heading's stated count: （64个）, (共12个项目), or a cell of its own: 64, 64个.
COUNT_IN_BRACKETS = re.compile(r"[(（][^()（）]*?(?P<count>\d+)\s*[个项][^()（）]*[)）]$")
COUNT_CELL = re.compile(r"共?(?P<count>\d+)\s*[个项]?")


TOTAL = re.compile(r"(?P<label>合计|总计|共计|小计)(?=[:：(（\d个]|$)")


# Rows below or between the projects that are neither: notes, signatures, a units line.
NOTE = re.compile(r"单位[:：]|(?:备注|注|说明)\d*[:：]|填表|填报|制表|审核")


SHEET_UNIT = re.compile(r"单位[:：]\s*(?P<unit>万元|亿元)")


# A header's own word for the sum of the columns beside it under a group (2022年计划投资 / 小计).
SUBTOTAL_HEADERS = ("小计", "合计")


NAME_MARKERS = re.compile(r"[★▲●◆※*\s]")
NAME_WIDTHS = str.maketrans("（）：，［］", "():,[]")


class SheetError(ValueError):
    """The sheet cannot be read (or imported); ``problems`` lists every reason, in Chinese."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class SheetLayout:
    """Where a sheet's projects are and how they were read: the user checks this before importing."""

    name: str
    header_rows: tuple[int, int]  # first and last Excel row number of the header
    columns: dict  # field or milestone kind -> the header text it was read from
    unit: str  # 万元 or 亿元: the unit of the total-investment column (another column's unit is in its text)
    sections: list = field(default_factory=list)  # [(category path, stated count or None, projects found)]
    ignored_columns: list = field(default_factory=list)  # header texts that map to no field
    # How the rows' 1月…12月 were read: {"累计": rows taken as cumulative, "逐月": rows of monthly amounts added up}.
    monthly_plan: dict = field(default_factory=dict)


@dataclass
class SheetRow:
    """One project row: its parsed values and what could not be read of it."""

    sheet: str
    number: int  # the Excel row number
    values: dict  # field -> parsed value, for the columns the sheet has (and category under sections)
    planned: dict = field(default_factory=dict)  # milestone kind -> date
    leaders: list = field(default_factory=list)  # the names in the leader cell
    problems: list = field(default_factory=list)  # “开工时限应为日期，收到“明年””


@dataclass
class ListReading:
    """Everything read from one file: the layouts, the project rows in sheet order, what to check."""

    sheets: list
    rows: list
    warnings: list  # “《附件1》第245行：合计的总投资 561.85 万元与各行之和 561.86 万元不符”
    skipped_sheets: list  # “《下拉选项》：隐藏的工作表”


def name_key(name):
    """A project's name as re-imports match it without a code: legend markers (★▲…) and white
    space removed, full-width brackets, colon and comma made half-width, case folded."""
    return NAME_MARKERS.sub("", name).translate(NAME_WIDTHS).casefold()


def read_project_list(fileobj):
    """Read every visible sheet of the .xlsx in ``fileobj`` that has a project header.

    Raises SheetError when the file is not a readable .xlsx, or no sheet has
    a header naming at least the project name and the total investment.
    """
    reading = ListReading([], [], [], [])
    for sheet, ranges in visible_sheets(fileobj, reading.skipped_sheets):
        _SheetReader(sheet, ranges, reading).read()
    if not reading.sheets:
        labels = "、".join(LABELS[f] for f in ("name", "total_investment"))
        raise SheetError([f"找不到表头行：表头应包含{labels}等列", *reading.skipped_sheets])
    return reading


def visible_sheets(fileobj, skipped):
    """(sheet, its merged ranges) for each visible sheet of the .xlsx in ``fileobj``, streamed (read-only).

    A hidden sheet is noted in ``skipped``; an unreadable file is a SheetError.
    """
    reader = _open_workbook(fileobj)
    try:
        parts = {sheet.name: rel.target for sheet, rel in reader.parser.find_sheets()}
        for sheet in reader.wb.worksheets:
            if sheet.sheet_state != "visible":
                skipped.append(f"《{sheet.title}》：隐藏的工作表")
                continue
            yield sheet, _merged_ranges(reader.archive, parts[sheet.title])
    finally:
        reader.archive.close()


def filled_rows(sheet, ranges, width=MAX_COLUMNS, first=1, above=()):
    """(Excel row number, values, indexes copied from a merge to their left) of the rows of ``sheet`` from
    ``first``, ``width`` columns wide, merged cells filled with their top-left value (``above``: the rows
    before ``first``); empty rows are skipped, and a run of BLANK_ROWS_AFTER_TABLE of them ends the sheet."""
    merges, blank = _Merges(ranges, above), 0
    for number, values in enumerate(_rows(sheet, first, None, width), start=first):
        if all(v is None or v == "" for v in values):
            blank += 1
            if blank > BLANK_ROWS_AFTER_TABLE:
                return
            continue
        blank = 0
        cells = list(values)
        copies = merges.fill(number, cells)
        yield number, cells, copies


UNREADABLE_FILE = "无法读取文件：请上传 Excel 的 .xlsx 文件（.xls 请先在 Excel 中另存为 .xlsx）"


def _open_workbook(fileobj):
    """openpyxl's reader over the file, read-only, once the zip is known not to inflate too far."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            too_big = sum(member.file_size for member in archive.infolist()) > MAX_UNCOMPRESSED_BYTES
        if not too_big:
            fileobj.seek(0)
            # What load_workbook(read_only=True) does, keeping the reader: its parser knows each sheet's part.
            reader = ExcelReader(fileobj, read_only=True, data_only=True, keep_links=False)
            reader.read()
            return reader
    except UNREADABLE as e:
        raise SheetError([UNREADABLE_FILE]) from e
    raise SheetError([f"文件解压后超过 {MAX_UNCOMPRESSED_BYTES // 2**20} MB，无法导入"])


def _merged_ranges(archive, part):
    """The merged ranges of the sheet stored in ``part``, streamed: read-only sheets do not have them.

    defusedxml's parser calls back only on each element's start: building every
    cell's element (iterparse) took longer than openpyxl's own reading of the sheet.
    """
    ranges = []

    def start(tag, attributes):  # attributes as [name, value, name, value …]
        if tag == MERGE_CELL:
            ranges.append(CellRange(attributes[attributes.index("ref") + 1]))

    parser = DefusedXMLParser()
    parser.parser.StartElementHandler = start
    # Without handlers for ends and text, expat skips them in C (its entity checks stay).
    expat = parser.parser
    expat.EndElementHandler = expat.CharacterDataHandler = expat.DefaultHandlerExpand = None
    try:
        with archive.open(part) as source:
            while chunk := source.read(CHUNK_BYTES):
                parser.feed(chunk)
    except UNREADABLE as e:
        raise SheetError([UNREADABLE_FILE]) from e
    return ranges


class _Merges:
    """Fills each merged cell with its top-left value as rows stream by.

    ``above`` holds the rows already read (the header), for ranges that start
    above the first streamed row.
    """

    def __init__(self, ranges, above=()):
        self._pending = sorted(ranges, key=lambda r: r.min_row, reverse=True)
        self._active = []
        self._above = above

    def fill(self, number, values):
        """Row ``number``'s values (a list, changed in place) merged; return the indexes of the
        cells copied from a merge to their left."""
        while self._pending and self._pending[-1].min_row <= number:
            merged = self._pending.pop()
            if merged.max_row >= number and merged.min_col <= len(values):
                self._active.append((merged, self._top_left(merged, number, values)))
        copies = set()
        for merged, value in self._active:
            for c in range(merged.min_col - 1, min(merged.max_col, len(values))):
                values[c] = value
                if c > merged.min_col - 1:
                    copies.add(c)
        self._active = [(m, v) for m, v in self._active if m.max_row > number]
        return copies

    def _top_left(self, merged, number, values):
        if merged.min_row == number:
            return values[merged.min_col - 1]
        if merged.min_row <= len(self._above):
            row = self._above[merged.min_row - 1]
            return row[merged.min_col - 1] if merged.min_col <= len(row) else None
        return None


def header_key(value):
    """A header's text reduced to what ALIASES spell: no spaces, half-width brackets, no unit or year."""
    text = re.sub(r"\s+", "", cell_text(value)).translate(NAME_WIDTHS)
    text = re.sub(r"\((?:单位:?)?(?:万元|亿元|元)\)", "", text)
    return re.sub(r"\d{4}年度?", "", text).rstrip(":")


def _header_keys():
    keys = {header_key(alias): key for key, aliases in ALIASES.items() for alias in aliases}
    for kind, label in MILESTONES.items():
        for suffix in MILESTONE_SUFFIXES:
            keys.setdefault(label + suffix, kind)
    return keys


HEADER_KEYS = _header_keys()


def _column_key(value):
    return HEADER_KEYS.get(header_key(value))


def _header_row(grid):
    """The index of the first row naming the project and at least one more known column
    (with the row below it, for a two-row header), or None."""
    for index, row in enumerate(grid):
        keys = {_column_key(v) for v in row}
        if keys & {"name", UNIT_AND_NAME}:
            below = {_column_key(v) for v in grid[index + 1]} if index + 1 < len(grid) else set()
            if len((keys | below) - {None, SERIAL}) >= 2:
                return index
    return None


@dataclass
class _Group:
    """A section of the sheet (or the whole sheet) and what was read under it, for checking what it states."""

    path: str
    stated: int | None = None  # the count its heading states
    row: int | None = None  # its heading's row
    found: int = 0
    sums: dict = field(default_factory=lambda: dict.fromkeys(AMOUNT_FIELDS, Decimal(0)))
    unreadable: set = field(default_factory=set)  # amount fields some row of it could not read

    def add(self, values):
        self.found += 1
        for name in AMOUNT_FIELDS:
            amount = values.get(name)
            if isinstance(amount, str):
                self.unreadable.add(name)
            elif amount is not None:
                self.sums[name] += amount


@dataclass
class _Total:
    """A 合计/小计 row, or a heading with sums: the count and sums it states for ``group``."""

    row: int
    label: str
    group: _Group
    count: int | None
    sums: dict


class _SheetReader:
    """Reads one sheet into ``reading``: finds its header, streams its rows, checks its totals."""

    def __init__(self, sheet, ranges, reading):
        self.sheet, self.ranges, self.reading = sheet, ranges, reading
        self.title = sheet.title
        self.whole = _Group("")
        self.sections = []  # the _Group of every heading, in order
        self.open = []  # the enclosing sections, level by level (None for a level the list skips)
        self.totals = []
        self.natures = []  # (row, column key, text) of 建设性质/项目性质 cells, classified at the end
        self.rows = []

    def read(self):
        grid, copies = self._header_grid()
        header = _header_row(grid)
        if header is None:
            self.reading.skipped_sheets.append(f"《{self.title}》：找不到表头行")
            return
        self.layout = self._layout(grid, copies, header)
        if self.layout is None:
            return
        first = self.layout.header_rows[1] + 1
        for number, cells, copies in filled_rows(self.sheet, self.ranges, self.width, first, grid):
            self._read_row(number, cells, copies)
        self._classify_natures()
        self._check_totals()
        self.reading.sheets.append(self.layout)
        self.reading.rows += self.rows

    def _warn(self, message, number=None):
        where = f"《{self.title}》第{number}行" if number else f"《{self.title}》"
        self.reading.warnings.append(f"{where}：{message}")

    # The header -------------------------------------------------------------

    def _header_grid(self):
        """The first rows, merges filled, and the (row index, column index) of cells copied from a merge to their left."""
        grid, copies, merges = [], set(), _Merges(self.ranges)
        for number, values in enumerate(_rows(self.sheet, 1, HEADER_SCAN_ROWS, MAX_COLUMNS), start=1):
            cells = list(values)
            copies |= {(number - 1, c) for c in merges.fill(number, cells)}
            grid.append(cells)
        return grid, copies

    def _layout(self, grid, copies, header):
        """The SheetLayout of the header at ``header`` (an index), or None when it lacks a required column."""
        lower = header + 1 if self._spans_two_rows(grid, header) else header
        # Columns right of the header have no name, so they are not read at all.
        self.width = 1 + max(c for row in grid[header : lower + 1] for c, v in enumerate(row) if cell_text(v))
        self.columns, texts, ignored = {}, {}, []
        for c in range(self.width):
            text = " / ".join(dict.fromkeys(t for t in (cell_text(grid[r][c]) for r in (header, lower)) if t))
            key = _key(grid, copies, header, lower, c)
            if key is None:
                ignored += [text] if text else []
            elif key in self.columns:
                if key != SERIAL:
                    ignored.append(text)
                    first = texts[self.columns[key]]
                    self._warn(f"表头中“{text}”与“{first}”都是{LABELS.get(key, key)}，只读入了“{first}”")
            else:
                self.columns[key], texts[c] = c, text
        missing = [LABELS["name"]] if not {"name", UNIT_AND_NAME} & self.columns.keys() else []
        missing += [] if "total_investment" in self.columns else [LABELS["total_investment"]]
        if missing:
            self.reading.skipped_sheets.append(f"《{self.title}》：表头缺少{'、'.join(missing)}列")
            return None
        unit = SHEET_UNIT.search(" ".join(cell_text(v) for row in grid[: lower + 1] for v in row))
        sheet_factor = UNIT_FACTORS[unit["unit"]] if unit else 1
        self.factors = {
            f: _factor(grid, header, lower, self.columns[f], sheet_factor) for f in AMOUNT_FIELDS if f in self.columns
        }
        self.stage_of_title = None if {"stage", "kind"} & self.columns.keys() else stage_in_title(self.title)
        columns = {}
        for key, c in self.columns.items():
            if key != SERIAL:
                columns.update(dict.fromkeys(COMBINED.get(key, (key,)), texts[c]))
        unit = "亿元" if self.factors["total_investment"] == UNIT_FACTORS["亿元"] else "万元"
        return SheetLayout(self.title, (header + 1, lower + 1), columns, unit, [], ignored)

    def _spans_two_rows(self, grid, header):
        """Whether the header continues on the next row: a header cell is merged (down, or
        across a group such as “投资（万元）”) and the next row names a column of its own."""
        if header + 1 >= len(grid):
            return False
        merged = any(m.min_row == header + 1 and (m.max_row > m.min_row or m.max_col > m.min_col) for m in self.ranges)
        return merged and any(
            (_column_key(low) or header_key(low) in SUBTOTAL_HEADERS) and header_key(low) != header_key(up)
            for up, low in zip(grid[header], grid[header + 1], strict=True)
        )

    # The rows ---------------------------------------------------------------

    def _read_row(self, number, cells, copies):
        # Each value once: a cell copied from a merge to its left is the same value again.
        entries = [(c, t) for c, t in enumerate(map(cell_text, cells)) if t and c not in copies]
        if not entries:
            return
        serial = cell_text(cells[self.columns[SERIAL]]) if SERIAL in self.columns else ""
        name = cell_text(cells[self.columns.get("name", self.columns.get(UNIT_AND_NAME))])
        label = next(filter(None, (TOTAL.match(_compact(t)) for t in (entries[0][1], name))), None)
        if label:
            self._read_total(number, cells, copies, label, (entries[0][1], serial, name))
        elif serial.isdigit() or not (self._read_heading(number, cells, copies, entries) or self._is_note(entries)):
            if name or serial.isdigit():
                self._read_project(number, cells)
            else:
                self._warn(f"没有项目名称，未读入：“{' '.join(t for _, t in entries)}”", number)

    @staticmethod
    def _is_note(entries):
        return bool(NOTE.match(_compact(entries[0][1])))

    def _read_heading(self, number, cells, copies, entries):
        """Open a section if the row is a heading (一、基础设施（64个） / （一）交通 / ——铁路); say whether it was."""
        numeral = re.fullmatch(f"[{NUMERAL}]+", _compact(entries[0][1])) and len(entries) > 1
        heading = _compact(entries[0][1]) + ("、" + _compact(entries[1][1]) if numeral else "")
        rest = entries[2 if numeral else 1 :]
        for level, pattern in enumerate(SECTION_LEVELS, start=1):
            if not (match := pattern.fullmatch(heading)):
                continue
            amounts = self._stated_sums(number, cells, copies, None)
            if level == len(SECTION_LEVELS) and (len(rest) > 1 or any(amounts.values())):
                return False  # “1.铁路” is a heading only alone in its row
            name = COUNT_IN_BRACKETS.sub("", match["name"]).strip()
            count = COUNT_IN_BRACKETS.search(match["name"])
            if not count and rest and rest[0][0] not in {self.columns[f] for f in self.factors}:
                count = COUNT_CELL.fullmatch(rest[0][1])
            self.open = [*self.open[: level - 1], *[None] * (level - 1 - len(self.open)), None]
            path = " / ".join([g.path.rsplit(" / ", 1)[-1] for g in self.open if g] + [name])
            self.open[-1] = group = _Group(path, int(count["count"]) if count else None, number)
            self.sections.append(group)
            if any(v is not None for v in amounts.values()):
                self.totals.append(
                    _Total(number, f"“{name}”", group, None, self._stated_sums(number, cells, copies, f"“{name}”"))
                )
            return True
        return False

    def _read_total(self, number, cells, copies, match, texts):
        """Note a 合计/小计 row: 合计 covers the sheet, 小计 the section it closes or opens."""
        label = match["label"]
        rest = [_compact(t) for t in texts if t and not TOTAL.match(_compact(t))]
        count = COUNT_IN_BRACKETS.search(_compact(texts[0])) or COUNT_CELL.fullmatch(
            TOTAL.sub("", _compact(texts[0]), 1)
        )
        count = count or next(filter(None, (COUNT_CELL.fullmatch(t) for t in rest)), None)
        groups = [g for g in self.open if g]
        group = groups[-1] if label == "小计" and groups else self.whole
        sums = self._stated_sums(number, cells, copies, label)
        self.totals.append(_Total(number, label, group, int(count["count"]) if count else None, sums))

    def _stated_sums(self, number, cells, copies, label):
        """{amount field: 万元 or None} a total or heading row states; an unreadable one is warned of
        (when ``label`` names the row) and not checked."""
        sums = {}
        for f, factor in self.factors.items():
            c = self.columns[f]
            value = None if c in copies or is_quantity(cells[c]) else cells[c]
            amount = parse_amount(value, factor)
            if isinstance(amount, str):
                if label:
                    self._warn(f"{label}行的{LABELS[f]}为 {amount}，未核对", number)
                amount = None
            sums[f] = amount
        return sums

    def _read_project(self, number, cells):
        row = SheetRow(self.title, number, {})
        for key, c in self.columns.items():
            self._read_cell(row, key, cells[c])
        self._read_monthly_plan(row)
        if row.values.get("statistics_included") is None and isinstance(
            row.values.get("statistics_included_on"), dt.date
        ):
            row.values["statistics_included"] = True  # a date of inclusion says it is included
        groups = [g for g in self.open if g]
        if groups:
            row.values["category"] = groups[-1].path
        top = self.open[0] if self.open else None
        if top and "industry_chain" not in self.columns and top.path.endswith("产业链"):
            row.values["industry_chain"] = top.path  # the service's own lists: one section per chain
        if self.stage_of_title:
            row.values["stage"] = self.stage_of_title
            row.values["kind"] = KIND_OF_STAGE[self.stage_of_title]
        self.rows.append(row)
        for group in [self.whole, *groups]:
            group.add(row.values)

    def _read_monthly_plan(self, row):
        """Make a row's twelve month amounts cumulative (monthly_plan.as_cumulative) and count which they were."""
        months = [row.values.get(column) for column in MONTHLY_PLAN_COLUMNS]
        if not all(is_amount(value) for value in months):
            return  # none, some, or an unreadable one: the import's check says what is missing
        annual = row.values.get("annual_plan_investment")
        cumulative, assumed = as_cumulative(months, annual if is_amount(annual) else None, self._monthly_stated())
        row.values.update(zip(MONTHLY_PLAN_COLUMNS, cumulative, strict=True))
        self.layout.monthly_plan[assumed] = self.layout.monthly_plan.get(assumed, 0) + 1

    def _monthly_stated(self):
        """What the month headers say their numbers are: "累计" (every one says 累计), "逐月" (当月 or 逐月), else None."""
        texts = [self.layout.columns.get(column, "") for column in MONTHLY_PLAN_COLUMNS]
        if all("累计" in text for text in texts):
            return "累计"
        if any(word in text for text in texts for word in ("当月", "逐月")):
            return "逐月"
        return None

    def _read_cell(self, row, key, value):
        values = row.values
        if key in TEXT_FIELDS:
            values[key] = text_value(value)
        elif key in self.factors:
            self._read_amount(row, key, value)
        elif key == UNIT_AND_NAME:
            values["project_unit"], values["name"] = _unit_and_name(text_value(value))
        elif key == "lead_official":
            self._read_leaders(row, text_value(value))
        elif key == "start_deadline":
            deadline = parse_date(value)
            _typed(row, key, deadline, not isinstance(deadline, str))
        elif key in ("latitude", "longitude"):
            degrees = parse_degrees(value)
            _typed(row, key, degrees, not isinstance(degrees, str))
        elif key == "statistics_included":
            included = parse_yes_no(text_value(value))
            _typed(row, key, included, not isinstance(included, str))
        elif key == "statistics_included_on":
            day = parse_date(value)
            _typed(row, key, day, not isinstance(day, str))
        elif key in ("planned_start", "planned_completion"):
            planned = parse_partial_date(value)
            _typed(row, key, planned, planned is None or is_partial_iso(planned))
        elif key == PERIOD:
            values["planned_start"], values["planned_completion"] = period = parse_period(value)
            if period[0] is not None and not is_partial_iso(period[0]):
                row.problems.append(_unreadable(PERIOD, period[0]))
        elif key == "national_code":
            code = parse_national_code(text_value(value))
            _typed(row, key, code, not code or NATIONAL_CODE.fullmatch(code))
        elif key == "level":
            level = parse_level(text_value(value))
            _typed(row, key, level, level in (None, *LEVELS.values()))
        elif key in ("stage", "kind"):
            self.natures.append((row, key, text_value(value)))
        elif key in MILESTONES:
            planned = parse_date(value)
            if isinstance(planned, str):
                row.problems.append(f"{MILESTONES[key]}（计划）应为日期，收到“{planned}”")
            elif planned:
                row.planned[key] = planned

    def _read_amount(self, row, key, value):
        if is_quantity(value):
            row.values[key] = None
            self._warn(f"{LABELS[key]}“{cell_text(value)}”是数量而非金额，未读入", row.number)
            return
        amount = parse_amount(value, self.factors[key])
        _typed(row, key, amount, not isinstance(amount, str))

    def _read_leaders(self, row, text):
        row.leaders = split_leaders(text)
        row.values["lead_official"] = row.leaders[0] if row.leaders else ""
        if len(row.leaders) > 1:
            count = "两" if len(row.leaders) == 2 else len(row.leaders)
            names = "、".join(row.leaders)
            self._warn(f"包抓领导有{count}位（{names}），以{row.leaders[0]}为包抓领导", row.number)

    def _classify_natures(self):
        """Fill stage and kind from the 建设性质/项目性质 cells, now that each whole column is known.

        A column of 新建/续建 only is a kind column. One holding another stage
        (新开工, 竣工投产, 预备 …) gives the stage, and the kind too unless the
        sheet has a kind column of its own. A column with neither is ignored.
        """
        for key in [k for k in ("stage", "kind") if k in self.columns]:
            texts = [(row, text) for row, k, text in self.natures if k == key]
            stages = {parse_stage(text) for _, text in texts} & set(STAGES.values())
            if not stages:
                self._ignore_column(key)
            elif any(parse_stage(t) in stages and t.removesuffix("项目") not in KIND_BY_LABEL for _, t in texts):
                self._rename_column(key, "stage")
                for row, text in texts:
                    stage = parse_stage(text)
                    _typed(row, "stage", stage, stage in (None, *STAGES.values()))
                    if stage in KIND_OF_STAGE and not (key == "stage" and "kind" in self.columns):
                        row.values["kind"] = KIND_OF_STAGE[stage]
            else:
                self._rename_column(key, "kind")
                for row, text in texts:
                    kind = parse_kind(text)
                    _typed(row, "kind", kind, kind in KIND_OF_STAGE.values())

    def _rename_column(self, key, to):
        self.layout.columns[to] = self.layout.columns.pop(key)

    def _ignore_column(self, key):
        if key in self.layout.columns:
            self.layout.ignored_columns.append(self.layout.columns.pop(key))

    # The checks -------------------------------------------------------------

    def _check_totals(self):
        for group in self.sections:
            self.layout.sections.append((group.path, group.stated, group.found))
            if group.stated is not None and group.stated != group.found:
                name = group.path.rsplit(" / ", 1)[-1]
                self._warn(f"“{name}”注明 {group.stated} 个项目，实际读到 {group.found} 个", group.row)
        for total in sorted(self.totals, key=lambda t: t.row):
            group = total.group
            if total.count is not None and total.count != group.found:
                self._warn(f"{total.label}注明 {total.count} 个项目，实际读到 {group.found} 个", total.row)
            for f, stated in total.sums.items():
                found = group.sums[f]
                if stated is not None and f not in group.unreadable and stated != found:
                    self._warn(f"{total.label}的{LABELS[f]} {stated} 万元与各行之和 {found:.2f} 万元不符", total.row)


def _rows(sheet, first, last, width):
    """The sheet's cell values, row by row, ``width`` columns wide; a broken file is a SheetError."""
    try:
        yield from sheet.iter_rows(min_row=first, max_row=last, max_col=width, values_only=True)
    except UNREADABLE as e:
        raise SheetError([UNREADABLE_FILE]) from e


def _key(grid, copies, header, lower, c):
    """The field of column ``c``: the lower header row names it, the group above when the lower
    cell is the group's 小计 or repeats it (merged down), else nothing."""
    upper = grid[header][c]
    own_upper = None if (header, c) in copies else _column_key(upper)
    if lower == header:
        return own_upper
    low = grid[lower][c]
    if header_key(low) in SUBTOTAL_HEADERS:
        return _column_key(upper)
    if not cell_text(low) or header_key(low) == header_key(upper):
        return own_upper
    return None if (lower, c) in copies else _column_key(low)


def _typed(row, key, parsed, readable):
    """Set a typed field; an unreadable value keeps the cell's text and is a problem of the row."""
    row.values[key] = parsed
    if not readable:
        row.problems.append(_unreadable(key, parsed))


def _compact(text):
    return re.sub(r"\s+", "", text)


def _factor(grid, header, lower, c, sheet_factor):
    """万元 per unit of column ``c``: its own header's unit, else its group's, else the sheet's."""
    for r in dict.fromkeys((lower, header)):
        if unit := re.search("万元|亿元", cell_text(grid[r][c])):
            return UNIT_FACTORS[unit[0]]
    return sheet_factor


def _unit_and_name(text):
    """(project unit, name) from a 项目单位及名称 cell: split on a line break or a colon; else all is the name."""
    parts = re.split(r"\n|[:：]", text, maxsplit=1)
    if len(parts) == 2 and all(p.strip() for p in parts):
        return parts[0].strip(), parts[1].strip()
    return "", text


def _unreadable(key, text):
    return f"{LABELS[key]}{EXPECTED[key]}，收到“{text}”"
