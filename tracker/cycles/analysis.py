"""季分析: the quarterly analysis by industry chain, county and funding source, quarter over quarter.

Everything is read from stored snapshots: a quarter's figures are those of its
closing week, the last snapshotted week whose Monday falls in the quarter, so
the analysis of a past quarter does not move when projects are edited later.
Each breakdown is one GROUP BY over project_snapshot covering both quarters.

The analysis is a JSON-serialisable dict, so a cycle run can store it and
``analysis_exports`` can draw its charts and rebuild the workbook and PDF from
the stored copy. This module computes figures only."""

import datetime as dt

from peewee import fn

from tracker.core.periods import PeriodError, next_period, period_start, previous_period
from tracker.core.weeks import week_of
from tracker.cycles.figures import figures, figures_by, no_figures, schedule_progress_by
from tracker.cycles.snapshots import ProjectSnapshot, Snapshot, WeekFunds, WeekTotals, week_end
from tracker.projects.models import FUNDING_SOURCES


class QuarterError(PeriodError):
    """A quarter label is not of the form 2026-Q4."""


def funds_total(f):
    """Funds secured in all, from a figures dict.

    Analyses stored before figures carried funds by source keep the total under funds_secured.
    """
    return f["funds_secured_total"] if "funds_secured_total" in f else f["funds_secured"]


# (key, label, unit, value in a figures dict): the figures every table prints, in order;
# "change" in the analysis uses the same keys. Percentages change in percentage points.
METRICS = (
    ("projects", "重点项目数", "个", lambda f: f["projects"]),
    ("under_way", "开工/复工项目数", "个", lambda f: f["restart_rate"]["numerator"]),
    ("restart_rate", "开复工率", "%", lambda f: f["restart_rate"]["percent"]),
    ("investment_completed", "完成投资", "万元", lambda f: f["investment_completed"]),
    ("annual_plan_investment", "年度计划投资", "万元", lambda f: f["annual_plan_investment"]),
    ("investment_percent", "投资完成率", "%", lambda f: f["investment_percent"]),
    ("funds_secured", "争取到位资金", "万元", funds_total),
    ("reports_missing", "未填报周报", "个", lambda f: f["reports_missing"]),
    ("schedule_plan_to_date", "序时进度", "%", lambda f: _progress(f, "plan_to_date")),
    ("schedule_difference", "高于序时进度", "个百分点", lambda f: _progress(f, "difference_points")),
)


def _progress(f, key):
    # Analyses stored before 序时进度 have none; nor has a group without an annual plan.
    progress = f.get("schedule_progress")
    return None if progress is None else progress[key]


# The breakdowns of the analysis, by key, with what each of their rows is a group of.
BREAKDOWNS = {"by_industry_chain": "产业链", "by_county": "县区", "by_funding_source": "资金来源"}


def quarter_bounds(quarter):
    """(first day, last day) of a quarter label; raises QuarterError for a malformed one."""
    first = _quarter_start(quarter)
    return first, period_start("quarterly", next_period("quarterly", quarter)) - dt.timedelta(days=1)


def previous_quarter(quarter):
    """The quarter before: "2026-Q1" -> "2025-Q4"."""
    _quarter_start(quarter)
    return previous_period("quarterly", quarter)


def closing_week(quarter):
    """The last week with a snapshot whose Monday falls within the quarter, or None."""
    first, last = quarter_bounds(quarter)
    first_monday = first + dt.timedelta(days=-first.weekday() % 7)
    last_monday = last - dt.timedelta(days=last.weekday())
    # "2026-W09" labels sort as the weeks do, so a range of labels is a range of weeks.
    return (
        WeekTotals.select(fn.MAX(WeekTotals.week))
        .where(WeekTotals.week.between(week_of(first_monday), week_of(last_monday)))
        .scalar()
    )


def _quarter_start(quarter):
    try:
        return period_start("quarterly", quarter if isinstance(quarter, str) else "")
    except PeriodError as e:
        raise QuarterError(f"季度格式应为 2026-Q4，收到 {quarter!r}") from e


def quarterly_analysis(quarter):
    """The figures of ``quarter`` and the one before, city-wide and by chain, county and source.

    Returns a JSON-serialisable dict: quarter, first_day, last_day (ISO dates),
    closing_week and previous_closing_week (week labels or None),
    previous_quarter, notice (why there is nothing to analyse, else None),
    headline {current, previous, change}, by_industry_chain and by_county
    [{label, current, previous, change}], by_funding_source [{source, label,
    current, previous, change}]. current/previous are the figures of
    figures.figures over the closing weeks' snapshots; change maps each METRICS key to the difference
    (percentages in points); previous and change are None without a
    snapshot in the previous quarter. scores is [] here: the quarterly run adds the 加减分 of
    scores.points.quarter_scores (a feature above this one), which the exports print as they find it.
    """
    first, last = quarter_bounds(quarter)
    previous = previous_quarter(quarter)
    week, previous_week = closing_week(quarter), closing_week(previous)
    analysis = {
        "quarter": quarter,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "closing_week": week,
        "previous_quarter": previous,
        "previous_closing_week": previous_week,
        "notice": None if week else f"{quarter} 尚无周调度快照，暂无可分析的数据",
        "headline": {"current": None, "previous": None, "change": None},
        "by_industry_chain": [],
        "by_county": [],
        "by_funding_source": [],
        "scores": [],
    }
    if week is None:
        return analysis
    analysis["headline"] = _headline(week, previous_week)
    analysis["by_industry_chain"] = _breakdown(ProjectSnapshot.industry_chain, week, previous_week)
    analysis["by_county"] = _breakdown(ProjectSnapshot.county, week, previous_week)
    analysis["by_funding_source"] = _by_funding_source(week, previous_week)
    return analysis


def _headline(week, previous_week):
    return _compared(_figures(week), _figures(previous_week) if previous_week else None)


def _figures(week, field=None):
    """figures (figures_by ``field``) of the snapshot of ``week``, each with its 序时进度 at the week's end."""
    source = Snapshot(week)
    progress = schedule_progress_by(source, field, None, week_end(week))
    if field is None:
        return {**figures(source), "schedule_progress": progress.get(None)}
    return {key: {**f, "schedule_progress": progress.get(key)} for key, f in figures_by(source, field).items()}


def _breakdown(field, week, previous_week):
    """One row per group (industry chain or county), most projects first, from one grouped count per quarter."""
    current = _figures(week, field)
    previous = _figures(previous_week, field) if previous_week else None
    # A group may exist in one quarter only (a new county, projects moved): it counts zero in the other.
    rows = [
        {
            "label": label,
            **_compared(
                current.get(label) or no_figures(Snapshot(week)),
                (previous.get(label) or no_figures(Snapshot(previous_week))) if previous is not None else None,
            ),
        }
        for label in {*current, *(previous or {})}
    ]
    return sorted(rows, key=lambda row: (-row["current"]["projects"], row["label"]))


def _by_funding_source(week, previous_week):
    """Funds secured by source at both closing weeks; every known source listed, in the list's order."""
    amounts = {w: {} for w in _weeks(week, previous_week)}
    query = WeekFunds.select(WeekFunds.week, WeekFunds.source, WeekFunds.amount).where(
        WeekFunds.week.in_(list(amounts))
    )
    for w, source, amount in query.tuples():
        amounts[w][source] = amount
    current, before = amounts[week], amounts.get(previous_week)
    sources = [*FUNDING_SOURCES, *sorted((set(current) | set(before or {})) - set(FUNDING_SOURCES))]
    return [
        {
            "source": source,
            "label": FUNDING_SOURCES.get(source, source),
            "current": current.get(source, 0),
            "previous": None if before is None else before.get(source, 0),
            "change": None if before is None else current.get(source, 0) - before.get(source, 0),
        }
        for source in sources
    ]


def _weeks(week, previous_week):
    return [w for w in (week, previous_week) if w]


def _compared(current, previous):
    """{"current", "previous", "change"}: change per METRICS key, None without a previous quarter."""
    if previous is None:
        return {"current": current, "previous": None, "change": None}
    change = {key: _difference(value(current), value(previous)) for key, _, _, value in METRICS}
    return {"current": current, "previous": previous, "change": change}


def _difference(now, before):
    if now is None or before is None:
        return None
    # Percentages are rounded to one or two decimals already; keep the difference at two at most.
    return round(now - before, 2) if isinstance(now, float) else now - before


def metric(key):
    """The METRICS entry (key, label, unit, value) of ``key``."""
    return next(entry for entry in METRICS if entry[0] == key)
