"""分月计划 and 序时进度: what of a project's annual plan is due by a day, and how far completion is ahead or behind.

A project's monthly plan is cumulative: the 万元 planned to be completed by the end of each month
(``monthly_plan_01`` … ``monthly_plan_12``). The plan to date of a day is interpolated within its
month, by day of month, between the end of the previous month (0 before January) and the end of
this one: on 15 April of a plan of 100 by March and 160 by April, 100 + 60 × 15/30 = 130. A project
without a monthly plan spreads its annual plan evenly over the days of the year.

This module is the one definition: the page, the API, the emails, the warning lights, the lagging
rule "behind plan" and the 红旗/蜗牛 lists all ask it, in Python (``plan_to_date``) or in SQL
(``plan_to_date_sql``, the same arithmetic, so lists of 10,000 projects stay one query)."""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from peewee import Case, Value

from tracker.core.money import money, to_money
from tracker.projects.models import MONTHLY_PLAN_COLUMNS

MONTH_LABELS = tuple(f"{month}月" for month in range(1, 13))


EVEN_SPREAD_NOTE = "未填分月计划，按全年平均分摊"


POINTS = Decimal("0.01")


class MonthlyPlanError(ValueError):
    """A monthly plan that cannot be kept: ``column`` is the month at fault, the message says why."""

    def __init__(self, column, message):
        self.column = column
        super().__init__(message)


def even_share(day):
    """Percent of the annual plan due by ``day`` on a straight line through the year, as a Decimal.

    28 digits: what falls due of any plan comes out right to the cent. Counts ``day`` itself, so
    1 January is 1/365 and 31 December 100 %.
    """
    start = dt.date(day.year, 1, 1)
    days = (dt.date(day.year + 1, 1, 1) - start).days
    return Decimal(100 * ((day - start).days + 1)) / days


def month_fraction(day):
    """The share of its month gone by the end of ``day`` (the 15th of a 30-day month: 1/2)."""
    return Decimal(day.day) / calendar.monthrange(day.year, day.month)[1]


def is_entered(monthly):
    """Whether a project has a monthly plan: all twelve months (the validation refuses fewer)."""
    return all(value is not None for value in monthly)


def monthly_values(row):
    """The 12 cumulative amounts of a project or snapshot row (None where not entered)."""
    return [getattr(row, name) for name in MONTHLY_PLAN_COLUMNS]


def plan_to_date(annual, monthly, day):
    """万元 of the plan due by ``day``, to the cent: from the ``monthly`` plan when entered, else the even spread.

    None without an annual plan.
    """
    if annual is None:
        return None
    if not is_entered(monthly):
        return to_money(annual * even_share(day) / 100)
    before = monthly[day.month - 2] if day.month > 1 else 0
    return to_money(before + (monthly[day.month - 1] - before) * month_fraction(day))


def plan_to_date_sql(model, day):
    """SQL: 万元 of the plan due by ``day``, the arithmetic of ``plan_to_date`` for every row at once.

    ``model`` is Project or ProjectSnapshot (the same column names). The month is known here, so the
    expression names two columns: the previous month's end (0 in January) and this month's.
    Values carry no converter: the money column's would round the factors to the cent.
    """
    this = getattr(model, MONTHLY_PLAN_COLUMNS[day.month - 1])
    fraction = Value(month_fraction(day), converter=False)
    if day.month == 1:
        interpolated = this * fraction
    else:
        before = getattr(model, MONTHLY_PLAN_COLUMNS[day.month - 2])
        interpolated = before + (this - before) * fraction
    spread = model.annual_plan_investment * Value(even_share(day) / 100, converter=False)
    return Case(None, [(this.is_null(), spread)], interpolated)


def behind_schedule(model, day):
    """SQL condition: a project with an annual plan whose investment completed is short of its plan to date (落后序时进度)."""
    return (model.annual_plan_investment > 0) & (model.investment_completed < plan_to_date_sql(model, day))


def schedule_progress(completed, annual, due):
    """序时进度 as the API gives it: {"plan_to_date", "completed", "difference_points"}, or None without a plan.

    ``completed`` and ``due`` (the plan to date) are 万元, each given as a percent of the ``annual`` plan;
    the difference is completed less plan to date, in percentage points (positive: ahead). Two decimals;
    the difference is taken of the rounded percents, so the three figures add up as printed.
    """
    if not annual or due is None:
        return None
    plan_percent = _points(Decimal(100) * due / annual)
    done_percent = _points(Decimal(100) * (completed or 0) / annual)
    return {
        "plan_to_date": float(plan_percent),
        "completed": float(done_percent),
        "difference_points": float(done_percent - plan_percent),
    }


def _points(value):
    return Decimal(value).quantize(POINTS, rounding=ROUND_HALF_UP)


def progress_of(row, day):
    """``schedule_progress`` of a project or snapshot row on ``day``."""
    annual = row.annual_plan_investment
    return schedule_progress(row.investment_completed, annual, plan_to_date(annual, monthly_values(row), day))


def plan_basis(row):
    """What the plan to date of ``row`` is read from, in the page's words."""
    return "按分月计划" if is_entered(monthly_values(row)) else EVEN_SPREAD_NOTE


def progress_words(progress):
    """ "完成年度计划的 62.1%，高于序时进度 3.8 个百分点", as reports say it; None without a plan."""
    if progress is None:
        return None
    points = Decimal(str(progress["difference_points"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    done = Decimal(str(progress["completed"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if points == 0:
        return f"完成年度计划的 {done}%，与序时进度持平"
    return f"完成年度计划的 {done}%，{'高于' if points > 0 else '低于'}序时进度 {abs(points)} 个百分点"


def behind_words(completed, annual, monthly, day):
    """Why a project is behind plan, in words: completed against the plan due by ``day``."""
    basis = "分月计划" if is_entered(monthly) else "年度计划"
    due = plan_to_date(annual, monthly, day)
    return f"累计完成投资 {money(completed)}，按{basis}（年度 {money(annual)}）的序时进度应完成约 {money(due)}"


def check(monthly, annual):
    """Raise MonthlyPlanError unless the 12 cumulative amounts ``monthly`` can be kept with the ``annual`` plan.

    All twelve months or none; cumulative, so never decreasing; none above the annual plan. (That each
    is an amount in cents and not negative is the registry's check, as for every money field.)
    """
    entered = [month for month, value in enumerate(monthly) if value is not None]
    if not entered:
        return
    if len(entered) < 12:
        missing = [month for month, value in enumerate(monthly) if value is None]
        raise MonthlyPlanError(
            MONTHLY_PLAN_COLUMNS[missing[0]],
            "分月计划须 12 个月都填写（累计数），或全部留空；未填："
            + "、".join(MONTH_LABELS[month] for month in missing),
        )
    for month in range(1, 12):
        if monthly[month] < monthly[month - 1]:
            raise MonthlyPlanError(
                MONTHLY_PLAN_COLUMNS[month],
                f"分月计划为累计数，不能减少：{MONTH_LABELS[month]} {money(monthly[month])} "
                f"少于 {MONTH_LABELS[month - 1]} {money(monthly[month - 1])}",
            )
    if annual is None:
        raise MonthlyPlanError(MONTHLY_PLAN_COLUMNS[0], "填写分月计划前请先填写年度计划投资")
    for month, value in enumerate(monthly):
        if value > annual:
            raise MonthlyPlanError(
                MONTHLY_PLAN_COLUMNS[month],
                f"分月计划 {MONTH_LABELS[month]} 累计 {money(value)} 超过年度计划投资 {money(annual)}",
            )


# A sheet's 1月…12月 are cumulative when they never decrease and end at the annual plan, within this.
CUMULATIVE_TOLERANCE = Decimal(1)


def as_cumulative(values, annual, stated=None):
    """(cumulative amounts, "累计" or "逐月") from a sheet's twelve month columns.

    ``stated`` is what the headers say ("累计" for cumulative, as the export writes them; "逐月" for each
    month's own amount), else None. Without it, values that never decrease and whose December equals
    the annual plan (± 1 万元) are cumulative as they stand; any others are each month's own amount,
    added up here.
    """
    if stated is None:
        rising = all(later >= earlier for earlier, later in zip(values, values[1:], strict=False))
        ends_at_plan = annual is not None and abs(values[-1] - annual) <= CUMULATIVE_TOLERANCE
        stated = "累计" if rising and ends_at_plan else "逐月"
    if stated == "累计":
        return list(values), "累计"
    total, cumulative = Decimal(0), []
    for value in values:
        total += value
        cumulative.append(total)
    return cumulative, "逐月"
