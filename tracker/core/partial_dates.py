"""Partial dates: a year, a month or a day, as precise as a published list states a project's start or completion.

Stored as partial ISO text ("2023", "2024-10", "2024-10-15") so that a list
saying "2024年10月" is neither rounded to a day nor lost; shown in Chinese
("2024年10月"). The form and the list import both read dates through
``parse_partial_date`` and pages show them through ``format_partial_date``."""

import datetime as dt
import re

PARTIAL_DATE_MESSAGE = "应为 2023、2024-10、2024-10-15 或 2024年10月 这样的日期"


# A year, then optionally a month, then optionally a day, separated by -, /, . or 年 月 日.
_WRITTEN = re.compile(r"(\d{4})(?:年|[-/.])?(?:(\d{1,2})(?:月|[-/.])?(?:(\d{1,2})日?)?)?")


class PartialDateError(ValueError):
    """Text that names no year, month or day."""


def parse_partial_date(value):
    """The partial ISO text of ``value`` ("" when blank); raises PartialDateError.

    Takes "2023", "2023年", "2024-10", "2024/10", "2024.10", "2024年10月",
    "2024-10-15", "2024年10月15日", or a date (a spreadsheet cell's).
    """
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    if not text:
        return ""
    match = _WRITTEN.fullmatch(text)
    if not match:
        raise PartialDateError(PARTIAL_DATE_MESSAGE)
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError as e:
        raise PartialDateError(f"{text} 不是有效的日期") from e
    parts = [f"{year:04d}"] + [f"{n:02d}" for n in (month, day) if n is not None]
    return "-".join(parts)


def is_partial_date(value):
    """Whether ``value`` is already partial ISO text, as the database stores it ("" counts: not stated)."""
    try:
        return parse_partial_date(value) == value
    except PartialDateError:
        return False


def format_partial_date(value):
    """ "2024-10" as "2024年10月", "2023" as "2023年", "2024-10-15" as "2024年10月15日"; "" stays ""."""
    if not value:
        return ""
    parts = [int(part) for part in value.split("-")]
    return "".join(f"{n}{unit}" for n, unit in zip(parts, "年月日", strict=False))


def format_span(start, end):
    """建设起止 as a line reads it: "2023年—2025年10月", "2023年起", "至2025年10月", or "" if neither is stated."""
    start, end = format_partial_date(start), format_partial_date(end)
    if start and end:
        return f"{start}—{end}"
    if start:
        return f"{start}起"
    return f"至{end}" if end else ""
