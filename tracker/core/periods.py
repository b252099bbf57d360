"""The periods of the three cycles and when each falls due.

weekly: ISO week "2026-W47", due at [scheduler] weekly ("monday 09:00") of the next week;
monthly: "2026-11", due on the first working day of the next month;
quarterly: "2026-Q4", due on the first working day of the month after the quarter.
Working days are Monday to Friday less [scheduler] holidays."""

import datetime as dt
import re
import zoneinfo

from tracker.core.config import WEEKDAYS
from tracker.core.weeks import WeekError, week_monday, week_of

CYCLE_PERIODS = {"weekly": "2026-W47", "monthly": "2026-11", "quarterly": "2026-Q4"}


class PeriodError(ValueError):
    """A period label does not fit its cycle."""


def period_start(cycle, period):
    """The first day of a period; raises PeriodError for a malformed label."""
    try:
        if cycle == "weekly":
            return week_monday(period)
        if cycle == "monthly" and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
            return dt.date(int(period[:4]), int(period[5:]), 1)
        if cycle == "quarterly" and re.fullmatch(r"\d{4}-Q[1-4]", period):
            return dt.date(int(period[:4]), 3 * int(period[-1]) - 2, 1)
    except WeekError as e:
        raise PeriodError(str(e)) from e
    raise PeriodError(f"{cycle} 的周期应形如 {CYCLE_PERIODS.get(cycle, '?')}，收到 {period!r}")


def period_of(cycle, day):
    """The period of ``cycle`` that contains ``day``."""
    if cycle == "weekly":
        return week_of(day)
    if cycle == "monthly":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def next_period(cycle, period):
    start = period_start(cycle, period)
    if cycle == "weekly":
        return week_of(start + dt.timedelta(weeks=1))
    months = 1 if cycle == "monthly" else 3
    month = start.month - 1 + months
    return period_of(cycle, dt.date(start.year + month // 12, month % 12 + 1, 1))


def previous_period(cycle, period):
    start = period_start(cycle, period)
    return period_of(cycle, start - dt.timedelta(days=1))


def due_at(cycle, period, schedule, timezone):
    """The moment a period's cycle falls due, an aware datetime in the city's timezone."""
    following = period_start(cycle, next_period(cycle, period))
    if cycle == "weekly":
        day_name, time_text = schedule["weekly"].split()
        day = following + dt.timedelta(days=WEEKDAYS.index(day_name))
    else:
        day, time_text = first_working_day(following, schedule["holidays"]), schedule[cycle]
    hour, minute = map(int, time_text.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), zoneinfo.ZoneInfo(timezone))


def first_working_day(day, holidays):
    """``day`` or the first weekday after it that is not a holiday."""
    closed = {dt.date.fromisoformat(str(h)) for h in holidays}
    while day.weekday() >= 5 or day in closed:
        day += dt.timedelta(days=1)
    return day


def latest_due(cycle, now, schedule, timezone):
    """The most recent period of ``cycle`` whose due moment is not after ``now``."""
    period = previous_period(cycle, period_of(cycle, now.date()))
    if due_at(cycle, period, schedule, timezone) > now:
        period = previous_period(cycle, period)
    return period


def just_ended(cycle, today):
    """The period before the one ``today`` is in: what a manual run takes by default."""
    return previous_period(cycle, period_of(cycle, today))
