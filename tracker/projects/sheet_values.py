"""What a cell of a published project list means: amounts, dates, periods, 建设性质, levels, codes, leaders.

Offices type dates as text (“2026年3月底前”, “2023—2025年”), amounts with
commas, in 亿元 or as fractions, a kind as 新建项目, and fill a cell they have
nothing for with “—” or 待定. Each parser returns the value, None for an empty
cell, or the cell's text when it cannot be read, so that the import can quote
it in its message."""

import calendar
import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.utils.datetime import from_excel

from tracker.core.xlsx import cell_text
from tracker.projects.models import KINDS, MONTHLY_PLAN_COLUMNS

# The project-list columns holding money, in 万元 (the monthly plan's 1月 … 12月 too).
AMOUNT_FIELDS = ("total_investment", "annual_plan_investment", *MONTHLY_PLAN_COLUMNS)


KIND_BY_LABEL = {label: kind for kind, label in KINDS.items()}


MAX_AMOUNT = 2**31 - 1  # an INTEGER column, in 万元


CENT = Decimal("0.01")


# What offices write in a cell they have nothing for; read as an empty cell.
PLACEHOLDERS = frozenset({"-", "/", "—", "－", "——", "待定", "无", "暂无"})


# An amount typed as text, with the unit it is in when it says so (after NFKC and without commas).
AMOUNT_TEXT = re.compile(r"(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+))(?P<unit>万元|亿元)?")


UNIT_FACTORS = {"万元": 1, "亿元": 10_000}


# A number with a unit of quantity: what a project builds, typed into a money column by mistake.
QUANTITY = re.compile(
    r"[-+]?[\d.]+(?:万|千|百)?(?:件|吨|亩|千瓦时|千瓦|兆瓦|瓦|千伏安|平方米|平米|㎡|m2|立方米|方|公里|千米|km|米|m"
    r"|台|套|座|户|床|辆|个|间|栋|处|条|kw|mw|kva)"
)


# A bare number in a date column is an Excel date serial only within these years.
SERIAL_YEARS = range(1990, 2100)


# A year, a year and month, or a full date: 2023, 2023年, 2024年10月, 2024.10, 2024-10-15, 2026/3/15.
DATE_TEXT = re.compile(
    r"(?P<y>\d{4})(?:[年./-](?P<m>1[0-2]|0?[1-9])(?:[月./-](?P<d>3[01]|[12]\d|0?[1-9])[日号]?|月份?)?|年度?)?(?!\d)"
)


# What may follow a date in an office's cell: a time, or “底前” (by the end of).
DATE_SUFFIX = re.compile(r"(?:\d{1,2}:\d{2}(?::\d{2})?)?(?:底|末)?(?:以前|之前|前)?$")


# Between the years of a construction period: 2023-2025, 2023年至2025年, 2023—2025年, 2023~2025.
PERIOD_SEPARATOR = re.compile(r"至|到|~|～|—+|－|–|-(?=\d{4})")


# 建设性质 / 建设阶段 as lists write it, and the kind (新建/续建) each stage implies.
STAGES = {
    "新开工": "new_start",
    "新建": "new_start",
    "续建": "continuing",
    "加快建设": "continuing",
    "竣工投产": "completing",
    "建成投产": "completing",
    "预备": "preparatory",
    "前期": "pre_construction",
    "前期工作": "pre_construction",
}
KIND_OF_STAGE = {
    "new_start": "new",
    "preparatory": "new",
    "pre_construction": "new",
    "continuing": "continuing",
    "completing": "continuing",
}


LEVEL = re.compile(r"(?P<level>省|市|县|区|县区)级?(?:重点)?(?:项目)?")
LEVELS = {"省": "provincial", "市": "city", "县": "county", "区": "county", "县区": "county"}


# The national investment project code: year, region, industry, type, serial (2023-610100-48-01-012345).
NATIONAL_CODE = re.compile(r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}")
NATIONAL_CODE_PARTS = (4, 6, 2, 2, 6)


# Between two leaders in one cell; a title in brackets after a name is dropped.
LEADER_SEPARATOR = re.compile(r"[、，,；;/\s]+")
LEADER_TITLE = re.compile(r"[(（][^()（）]*[)）]")


def text_value(value):
    """The cell as stripped text; "" for an empty cell or a placeholder such as “—” or 待定."""
    text = cell_text(value)
    return "" if text in PLACEHOLDERS else text


# 是否入库 as lists write it.
YES = {"是", "已入库", "已纳统", "已入库纳统", "入库", "√", "✓", "✔", "y", "yes", "1"}
NO = {"否", "未入库", "未纳统", "未入库纳统", "×", "✗", "n", "no", "0"}


def parse_yes_no(text):
    """True for 是 / 已入库 / √, False for 否 / 未入库 / ×, None when empty, else the text."""
    if not text:
        return None
    key = re.sub(r"\s+", "", text).lower()
    return True if key in YES else False if key in NO else text


def parse_kind(text):
    """新建 or 续建 (with or without 项目) as a kind; an empty cell is a new project."""
    if not text:
        return "new"
    return KIND_BY_LABEL.get(text.removesuffix("项目"), text)


def parse_stage(text):
    """A stage (new_start, continuing …) from 新开工、续建项目、竣工投产 …; None when empty, else the text."""
    if not text:
        return None
    return STAGES.get(re.sub(r"\s+", "", text).removesuffix("项目").removesuffix("类"), text)


def stage_in_title(title):
    """The stage a sheet's title names (新开工项目, 2024年续建项目), or None."""
    words = [word for word in STAGES if word in title]
    return STAGES[max(words, key=len)] if words else None


def parse_level(text):
    """provincial, city or county from 省级 / 市级 / 县级 (重点项目); None when empty, else the text."""
    if not text:
        return None
    match = LEVEL.fullmatch(re.sub(r"\s+", "", text))
    return LEVELS[match["level"]] if match else text


def parse_national_code(text):
    """The code in its dashed form (20 digits are given their dashes); check it with NATIONAL_CODE."""
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    code = re.sub(r"[—–－]", "-", code)
    if re.fullmatch(r"\d{20}", code):
        ends = [sum(NATIONAL_CODE_PARTS[: i + 1]) for i in range(len(NATIONAL_CODE_PARTS))]
        code = "-".join(code[end - size : end] for end, size in zip(ends, NATIONAL_CODE_PARTS, strict=True))
    return code


def split_leaders(text):
    """The names in a leader cell (“王建国、李敏”, “王建国（副市长）\\n李敏”), titles in brackets dropped."""
    return [name for name in LEADER_SEPARATOR.split(LEADER_TITLE.sub("", text)) if name]


def is_quantity(value):
    """Whether a money cell holds a quantity (“500吨”, “120亩”) instead of an amount."""
    text = re.sub(r"[,\s]", "", unicodedata.normalize("NFKC", cell_text(value))).lower()
    return bool(QUANTITY.fullmatch(text))


def parse_degrees(value):
    """A latitude or longitude in degrees (34.26, “34.26°”, “北纬34.26”), None for an empty cell, or the text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return float(value)
    text = text_value(value)
    if not text:
        return None
    match = re.fullmatch(r"(?:北纬|东经|N|E)?\s*(-?\d+(?:\.\d+)?)\s*(?:°|度)?", text, re.IGNORECASE)
    return float(match[1]) if match else text


def parse_amount(value, factor=1):
    """万元 as a Decimal with two places (halves round up), None for an empty cell, or the text when it is not a number.

    ``factor`` is the 万元 in one unit of the column: 10,000 for a column in 亿元.
    An amount typed with its unit (“3.5亿元”) is read in that unit.
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = text_value(value)
        if not text:
            return None
        match = AMOUNT_TEXT.fullmatch(re.sub(r"[,\s]", "", unicodedata.normalize("NFKC", text)))
        if not match:
            return text
        number, factor = Decimal(match["number"]), UNIT_FACTORS.get(match["unit"], factor)
    if not number.is_finite() or abs(number * factor) > MAX_AMOUNT:
        return cell_text(value)
    return (number * factor).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_date(value):
    """A date, None for an empty cell, or the text when it is not a date.

    A month without a day (“2026年3月底前”) means the month's last day.
    """
    day = _cell_date(value)
    if day is not None or not isinstance(value, str | int | float):
        return day
    text = text_value(value)
    if not text:
        return None
    match = _date_match(text)
    if not match or not match["m"]:
        return text
    year, month = int(match["y"]), int(match["m"])
    try:
        return dt.date(year, month, int(match["d"]) if match["d"] else calendar.monthrange(year, month)[1])
    except ValueError:
        return text


def parse_partial_date(value):
    """A year, month or day as ISO text (“2023”, “2024-10”, “2024-10-15”), None when empty, else the text."""
    if isinstance(value, int) and not isinstance(value, bool) and value in SERIAL_YEARS:
        return str(value)  # a year typed as a number, not a date serial
    day = _cell_date(value)
    if day is not None:
        return day.isoformat()
    text = text_value(value)
    if not text:
        return None
    match = _date_match(text)
    return _partial_iso(match) or text if match else text


def parse_period(value):
    """(start, completion) of a construction period (“2023-2025”, “2023年至2025年”) as partial ISO text.

    One year or date alone is both. None for both when empty; the text for
    both when it cannot be read.
    """
    if _cell_date(value) is not None or isinstance(value, int):
        single = parse_partial_date(value)
        return single, single
    text = text_value(value)
    if not text:
        return None, None
    parts = [parse_partial_date(part) for part in PERIOD_SEPARATOR.split(re.sub(r"\s+", "", text))]
    if len(parts) not in (1, 2) or any(part is None or not is_partial_iso(part) for part in parts):
        return text, text
    return parts[0], parts[-1]


def _cell_date(value):
    """The date of a datetime cell or of an Excel date serial, else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            day = from_excel(value).date()  # a date serial without a date format
        except (ValueError, OverflowError, TypeError):
            return None
        return day if day.year in SERIAL_YEARS else None
    return None


def _date_match(text):
    compact = DATE_SUFFIX.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))
    return DATE_TEXT.fullmatch(compact)


def _partial_iso(match):
    year = int(match["y"])
    if year not in SERIAL_YEARS:
        return None
    if not match["m"]:
        return f"{year}"
    month = int(match["m"])
    if not match["d"]:
        return f"{year}-{month:02d}"
    try:
        return dt.date(year, month, int(match["d"])).isoformat()
    except ValueError:
        return None


def is_partial_iso(text):
    """Whether a planned date read by parse_partial_date is one (“2023”, “2024-10”), not unreadable text."""
    return bool(re.fullmatch(r"\d{4}(?:-\d{2}){0,2}", text))
