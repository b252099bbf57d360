"""What a cell of an office's project list means: amounts, dates and 建设性质 as offices type them.

Offices type dates as text (“2026年3月底前”), amounts with commas, in 亿元 or as
fractions, and a kind as 新建项目. Each function returns the value, or the
cell's text when it cannot be read, so that the import can quote it in its
message."""

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from openpyxl.utils.datetime import from_excel

from tracker.core.xlsx import cell_text
from tracker.projects.models import KINDS

# The project-list columns holding money, in whole 万元.
AMOUNT_FIELDS = ("total_investment", "annual_plan_investment")


KIND_BY_LABEL = {label: kind for kind, label in KINDS.items()}


MAX_AMOUNT = 2**31 - 1  # an INTEGER column, in 万元


# A bare number in a date column is an Excel date serial only within these years.
SERIAL_YEARS = range(1990, 2100)


DATE_TEXT = re.compile(r"(?P<y>\d{4})[年./-](?P<m>\d{1,2})(?:[月./-](?:(?P<d>\d{1,2})[日号]?)?)?")


DATE_SUFFIX = re.compile(r"(?:\d{1,2}:\d{2}(?::\d{2})?)?份?(?:底|末)?(?:以前|之前|前)?$")


def parse_kind(text):
    """新建 or 续建 (with or without 项目) as a kind; an empty cell is a new project."""
    if not text:
        return "new"
    return KIND_BY_LABEL.get(text.removesuffix("项目"), text)


def parse_amount(value, factor):
    """Whole 万元 (halves round up), or the text when it is not a number.

    ``factor`` is the 万元 in one unit of the column: 10,000 for a column in 亿元.
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = cell_text(value)
        if not text:
            return None
        try:
            number = Decimal(re.sub(r"[,，\s]", "", text).removesuffix("万元"))
        except InvalidOperation:
            return text
    if not number.is_finite() or abs(number * factor) > MAX_AMOUNT:
        return cell_text(value)
    return int((number * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_date(value):
    """A date, None for an empty cell, or the text when it is not a date.

    A month without a day (“2026年3月底前”) means the month's last day.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            day = from_excel(value).date()  # a date serial without a date format
        except (ValueError, OverflowError):
            return cell_text(value)
        return day if day.year in SERIAL_YEARS else cell_text(value)
    text = cell_text(value)
    if not text:
        return None
    match = DATE_TEXT.fullmatch(DATE_SUFFIX.sub("", re.sub(r"\s+", "", text)))
    if not match:
        return text
    year, month = int(match["y"]), int(match["m"])
    try:
        day = int(match["d"]) if match["d"] else calendar.monthrange(year, month)[1]
        return dt.date(year, month, day)
    except ValueError:
        return text
