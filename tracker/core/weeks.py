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


def city_date(moment, timezone):
    """The city's date at ``moment``, a naive UTC datetime as stored (UTC's date is the day before until 08:00 in China)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(timezone)).date()


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


def late_from(week, day, timezone):
    """When a report of ``week`` becomes late (迟报): the end of its reporting ``day`` ("friday"), midnight after it."""
    after = week_monday(week) + dt.timedelta(days=WEEKDAYS.index(day) + 1)
    return dt.datetime.combine(after, dt.time(0, 0), zoneinfo.ZoneInfo(timezone))


def week_label(week):
    """An ISO week as people read it: '2026-W49' -> '第49周（11月30日—12月6日）'.

    URLs, the API and the exports' machine columns keep the ISO label; this is for eyes.
    An empty week (none reported yet) stays empty.
    """
    if not week:
        return ""
    monday = week_monday(week)
    sunday = monday + dt.timedelta(days=6)
    return f"第{monday.isocalendar().week}周（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）"


def time_left(deadline, now):
    """What is left until ``deadline`` in words: '2天5小时', '3小时20分钟', '已截止'."""
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return "已截止"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    minutes = rest // 60
    if hours:
        return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"
    return f"{max(minutes, 1)}分钟"


WEEKDAY_NAMES = "一二三四五六日"


def cutoff_text(cutoff, now):
    """The report cut-off and the time left, for owners: '填报截止：12月7日（周一）09:00，还剩 2天5小时'."""
    when = f"{cutoff.month}月{cutoff.day}日（周{WEEKDAY_NAMES[cutoff.weekday()]}）{cutoff:%H:%M}"
    left = time_left(cutoff, now)
    if left == "已截止":
        return f"填报截止：{when}，已截止"
    return f"填报截止：{when}，还剩 {left}"


def reminder_at(week, reminder, timezone):
    """When a reminder of ``week`` goes: ``reminder`` ("friday 09:00") within the week itself."""
    day_name, time_text = reminder.split()
    hour, minute = map(int, time_text.split(":"))
    day = week_monday(week) + dt.timedelta(days=WEEKDAYS.index(day_name))
    return dt.datetime.combine(day, dt.time(hour, minute), zoneinfo.ZoneInfo(timezone))
