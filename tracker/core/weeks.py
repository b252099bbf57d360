"""Time in the city's timezone, and ISO weeks as the unit of reporting ("2026-W47")."""

import datetime as dt
import re
import zoneinfo

from tracker.core.config import WEEKDAYS

WEEK_PATTERN = re.compile(r"([0-9]{4})-W([0-9]{2})")


class WeekError(ValueError):
    """A week label is not of the form 2026-W47 or names no such week."""


def local_now(timezone):
    """The current time in the city's timezone, as an aware datetime."""
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone))


def utc_now():
    """Naive UTC: how every timestamp is stored."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def week_of(day):
    """The ISO week label of a date: 2026-11-23 -> '2026-W48'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week):
    """The Monday that starts an ISO week label."""
    match = WEEK_PATTERN.fullmatch(week or "")
    if not match:
        raise WeekError(f"周次格式应为 2026-W47，收到 {week!r}")
    try:
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as e:
        raise WeekError(f"不存在的周次 {week}") from e


def shift_week(week, weeks):
    """The week ``weeks`` after (or before, when negative) the given one."""
    return week_of(week_monday(week) + dt.timedelta(weeks=weeks))


def report_cutoff(week, cutoff, timezone):
    """When the reports of ``week`` lock: ``cutoff`` ("monday 09:00") in the following week."""
    day_name, time_text = cutoff.split()
    hour, minute = map(int, time_text.split(":"))
    day = week_monday(week) + dt.timedelta(days=7 + WEEKDAYS.index(day_name))
    return dt.datetime.combine(day, dt.time(hour, minute), zoneinfo.ZoneInfo(timezone))
