"""The periods promotion figures are counted over: a month (2026-11), a quarter (2026-Q4),
a half-year (2026-H1, 半年盘点) or a year (2026, 年终总评)."""

import datetime as dt
import re

from tracker.core.periods import PeriodError, period_start

PERIOD_MESSAGE = "期间应形如 2026-11（月）、2026-Q4（季度）、2026-H1（半年）或 2026（年）"


def period_kind(label):
    """Which kind of period ``label`` is; raises PeriodError for a malformed one."""
    # Year 0 has no days; a label is ASCII digits, not any Unicode digit \d matches.
    if not isinstance(label, str) or not label.isascii() or label[:4] == "0000":
        raise PeriodError(PERIOD_MESSAGE)
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", label):
        return "monthly"
    if re.fullmatch(r"\d{4}-Q[1-4]", label):
        return "quarterly"
    if re.fullmatch(r"\d{4}-H[12]", label):
        return "half"
    if re.fullmatch(r"\d{4}", label):
        return "year"
    raise PeriodError(PERIOD_MESSAGE)


def period_days(label):
    """The first and the last day of a period; raises PeriodError for a malformed label."""
    kind = period_kind(label)
    year = int(label[:4])
    if kind == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if kind == "half":
        first = dt.date(year, 1 if label.endswith("H1") else 7, 1)
        months = 6
    else:
        first = period_start(kind, label)
        months = 1 if kind == "monthly" else 3
    month = first.month - 1 + months
    following = dt.date(year + month // 12, month % 12 + 1, 1) if year + month // 12 <= dt.MAXYEAR else None
    return first, (following - dt.timedelta(days=1)) if following else dt.date(dt.MAXYEAR, 12, 31)


def year_before(label):
    """The same period a year earlier (2026-Q4 → 2025-Q4); None before year 1."""
    year = int(label[:4])
    return f"{year - 1:04d}{label[4:]}" if year > 1 else None


def quarter_of(day):
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_title(label):
    """The period as a heading says it: 2026年第4季度, 2026年上半年, 2026年11月, 2026年."""
    kind = period_kind(label)
    year = int(label[:4])
    if kind == "year":
        return f"{year}年"
    if kind == "half":
        return f"{year}年{'上' if label.endswith('H1') else '下'}半年"
    if kind == "quarterly":
        return f"{year}年第{label[-1]}季度"
    return f"{year}年{int(label[5:])}月"
