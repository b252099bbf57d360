"""The figures: restart rate, investment against plan, funds secured by source, reports missing.

One function counts them, over either source of project rows:

- ``Live(week)``: the projects as they are now (the dashboard's cards, ``GET /api/v1/stats``);
  ``week`` is the reporting week whose missing reports count.
- ``snapshots.Snapshot(week)``: every project as it stood when the weekly dispatch closed
  ``week`` (the emails, the monthly and quarterly figures, the charts' stored totals).

``figures(source, condition)`` gives one dict, ``figures_by(source, field, condition)`` one
dict per value of a column (per lead official, county …), from the same queries. The dict
says what it counts: ``source`` ("live" or "snapshot"), ``week`` and ``as_of``, the label
a page prints beside the figures, so two numbers that differ say why.

Every figure is an SQL aggregate (COUNT, SUM, GROUP BY) over the rows a condition
selects, so the cost does not grow with history and no project is loaded into Python."""

import dataclasses
from decimal import Decimal

from peewee import SQL, Case, fn

from tracker.core.config import LEAD_RATES
from tracker.core.money import money, money_sum, percent, to_money
from tracker.core.weeks import week_monday
from tracker.projects.lights import LEVELS, level_condition
from tracker.projects.models import FUNDING_SOURCES, STATUSES, UNDER_WAY, FundsSecured, ProgressReport, Project
from tracker.projects.monthly_plan import plan_to_date_sql, schedule_progress


@dataclasses.dataclass(frozen=True)
class Source:
    """Rows of one project each, standing for ``week``: what figures are counted over.

    ``table`` is the model whose columns conditions and groups are written with; it has
    the columns ``status``, ``investment_completed`` and ``annual_plan_investment``.
    """

    week: str

    kind = None
    table = None
    # A column of funds secured in all, summed for the total; None: add up the sources.
    funds_total = None

    def where(self, condition):
        """The WHERE that selects this source's rows, narrowed by ``condition`` (None: all)."""
        raise NotImplementedError

    def reported(self):
        """An expression true for a row whose project reported for ``week``."""
        raise NotImplementedError

    def funds(self, keys, where):
        """A query of (*keys, funding source, amount) rows: funds secured summed per group and source."""
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Live(Source):
    """The projects as they are now, not archived; ``week`` is the reporting week."""

    kind = "live"
    table = Project

    def where(self, condition):
        active = Project.archived == False  # noqa: E712 (peewee expression)
        return active if condition is None else active & condition

    def reported(self):
        accepted = (ProgressReport.week == self.week) & ProgressReport.accepted()
        return Project.id.in_(ProgressReport.select(ProgressReport.project).where(accepted))

    def funds(self, keys, where):
        return (
            FundsSecured.select(*keys, FundsSecured.source, money_sum(FundsSecured.amount))
            .join(Project)
            .where(where)
            .group_by(*keys, FundsSecured.source)
        )


def figures(source, condition=None):
    """The headline figures of the rows of ``source`` that ``condition`` selects (None: all of them).

    ``condition`` is written with the columns of ``source.table``. Returns::

        {"source": "live" | "snapshot", "week": "2026-W48", "as_of": "截至第48周快照",
         "projects": 127,
         "restart_rate": {"numerator": 69, "denominator": 127, "percent": 54.3},
         "investment_completed": …, "annual_plan_investment": …, "investment_percent": …,
         "funds_secured": {source: amount for every FUNDING_SOURCES key}, "funds_secured_total": …,
         "by_status": {status: projects for every STATUSES key}, "reports_missing": …}

    Amounts are exact Decimal 万元, percentages floats rounded to one decimal (core.money.percent).
    """
    return _count(source, condition).get(None) or no_figures(source)


def figures_by(source, field, condition=None):
    """{value of ``field``: figures of the rows with that value}, for every value present.

    ``field`` is a column of ``source.table`` (``ProjectSnapshot.lead_official`` gives the
    figures of each lead official's projects). The same queries as ``figures``, grouped.
    """
    return _count(source, condition, field)


def no_figures(source):
    """The figures of no project at all: what a group absent from ``source`` counts."""
    return _shaped(source, (0, 0, 0, 0, 0, 0), {}, {})


def restart_rate(numerator, denominator):
    """The restart rate as every page, email and chart prints it: 69 / 127 = 54.3 %."""
    numerator, denominator = int(numerator), int(denominator)
    return {"numerator": numerator, "denominator": denominator, "percent": percent(numerator, denominator)}


def as_of_label(source):
    """What figures of ``source`` stand for, in the words a page prints beside them.

    "截至本周实时" for the live projects, "截至第48周快照" for the snapshot of 2026-W48.
    """
    if source.kind == "live":
        return "截至本周实时"
    return f"截至第{week_monday(source.week).isocalendar().week}周快照"


def differences(live, snapshot):
    """{chart: words} saying how each snapshot figure a chart ends at differs from the live card.

    The charts end at the snapshot of a closed week while the cards count reports filed since:
    "实时 2 / 3 = 66.7%，比快照高 33.4 个百分点" puts the two side by side, and "与实时数据一致"
    says there is nothing to explain. Keys: ``restart_rate``, ``investment``, ``funds``.
    """
    live_rate, snapshot_rate = live["restart_rate"], snapshot["restart_rate"]
    rate = f"{live_rate['numerator']} / {live_rate['denominator']} = {live_rate['percent']}%"
    points = Decimal(str(live_rate["percent"])) - Decimal(str(snapshot_rate["percent"]))
    words = {
        "restart_rate": (
            f"实时 {rate}，比快照{'高' if points > 0 else '低'} {abs(points)} 个百分点"
            if (live_rate["numerator"], live_rate["denominator"])
            != (snapshot_rate["numerator"], snapshot_rate["denominator"])
            else None
        ),
        "investment": _money_gap(live["investment_completed"], snapshot["investment_completed"]),
        "funds": _money_gap(live["funds_secured_total"], snapshot["funds_secured_total"]),
    }
    return {chart: text or "与实时数据一致" for chart, text in words.items()}


def _money_gap(live, snapshot):
    if live == snapshot:
        return None
    return f"实时 {money(live)}，比快照{'多' if live > snapshot else '少'} {money(abs(live - snapshot))}"


def _count(source, condition, field=None):
    """{group key (None without ``field``): figures}, from three grouped queries."""
    table, keys = source.table, ([] if field is None else [field])
    where = source.where(condition)
    totals = [
        fn.COUNT(SQL("*")),
        fn.SUM(Case(None, [(table.status.in_(UNDER_WAY), 1)], 0)),
        money_sum(table.investment_completed),
        money_sum(table.annual_plan_investment),
        fn.SUM(Case(None, [(source.reported(), 0)], 1)),
        money_sum(source.funds_total) if source.funds_total is not None else SQL("NULL"),
    ]
    rows = table.select(*keys, *totals).where(where)
    statuses = table.select(*keys, table.status, fn.COUNT(SQL("*"))).where(where).group_by(*keys, table.status)
    if keys:
        rows = rows.group_by(*keys)
    by_status, funds = _per_group(statuses, len(keys)), _per_group(source.funds(keys, where), len(keys))
    result = {}
    for row in rows.tuples():
        key = row[0] if keys else None
        # Without GROUP BY an aggregate gives one row even over no rows at all: no projects, no figures.
        if row[len(keys)]:
            result[key] = _shaped(source, row[len(keys) :], by_status.get(key, {}), funds.get(key, {}))
    return result


def _per_group(query, width):
    """{group key: {name: number}} from rows of (*key, name, number); None is the key without groups."""
    grouped = {}
    for row in query.tuples():
        key = row[0] if width else None
        grouped.setdefault(key, {})[row[width]] = row[width + 1]
    return grouped


def _shaped(source, totals, by_status, funds):
    """The figures dict, the same for every source and group."""
    projects, under_way, completed, plan, missing, funds_total = totals
    projects, under_way, missing = int(projects or 0), int(under_way or 0), int(missing or 0)
    completed, plan = to_money(completed or 0), to_money(plan or 0)
    funds_total = to_money((funds_total if source.funds_total is not None else sum(funds.values())) or 0)
    return {
        "source": source.kind,
        "week": source.week,
        "as_of": as_of_label(source),
        "projects": projects,
        "restart_rate": restart_rate(under_way, projects),
        "investment_completed": completed,
        "annual_plan_investment": plan,
        "investment_percent": percent(completed, plan),
        "funds_secured": {name: to_money(funds.get(name, 0)) for name in FUNDING_SOURCES},
        "funds_secured_total": funds_total,
        "by_status": {status: by_status.get(status, 0) for status in STATUSES},
        "reports_missing": missing,
    }


def light_counts(condition, today, thresholds):
    """{level: number of projects} for the warning lights on ``today``."""
    counts = [
        fn.COALESCE(fn.SUM(Case(None, [(level_condition(level, today, thresholds), 1)], 0)), 0) for level in LEVELS
    ]
    row = Project.select(*counts).where(condition).tuples().get()
    return {level: int(n) for level, n in zip(LEVELS, row, strict=True)}


def rate(numerator, denominator):
    """{"numerator", "denominator", "percent"}: percent = 100 × numerator / denominator to one decimal, None over 0."""
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    return {
        "numerator": numerator,
        "denominator": denominator,
        "percent": percent(numerator, denominator) if denominator else None,
    }


# The restart rate's other three ways, as cities report them beside the one over all projects.
RESTART_RATES = dict(
    zip(LEAD_RATES, ("开复工率", "计划开工项目开复工率", "新建项目开工率", "续建项目复工率"), strict=True)
)


# What each way counts, as the dashboard prints it under the figure.
RATE_NOTES = dict(
    zip(
        LEAD_RATES,
        (
            "开工、复工（含竣工）项目 / 重点项目总数",
            "开工时限已到的项目中已开复工的，加提前开工的 / 开工时限已到的项目（可超过 100%）",
            "已开工的新建项目 / 新建项目",
            "已复工的续建项目 / 续建项目",
        ),
        strict=True,
    )
)


def restart_rates(condition, day):
    """The live projects' restart rate three more ways on ``day``, from one query (``condition`` None: all).

    ``restart_rate_planned``: over the projects whose start deadline (the planned start) is on or before
    ``day``; the numerator counts those under way plus those under way ahead of a later deadline, so it
    may pass 100 % (凉州's 75 of 96). ``start_rate_new`` and ``restart_rate_continuing``: under way among
    the new and the continuing projects.
    """

    def count(test):
        return fn.SUM(Case(None, [(test, 1)], 0))

    p = Project
    under_way, planned = p.status.in_(UNDER_WAY), p.start_deadline <= day
    row = (
        p.select(
            count(planned),
            count(under_way & p.start_deadline.is_null(False)),
            count(p.kind == "new"),
            count(under_way & (p.kind == "new")),
            count(p.kind == "continuing"),
            count(under_way & (p.kind == "continuing")),
        )
        .where(Live(None).where(condition))
        .tuples()
        .get()
    )
    planned_total, planned_started, new, new_started, continuing, continuing_started = row
    return {
        "restart_rate_planned": rate(planned_started, planned_total),
        "start_rate_new": rate(new_started, new),
        "restart_rate_continuing": rate(continuing_started, continuing),
    }


def schedule_progress_by(source, field, condition, day):
    """{value of ``field`` (None without one): 序时进度} of the rows of ``source`` with an annual plan, on ``day``.

    ``schedule_progress`` of each group's summed completed investment, annual plans and plans to date
    (monthly_plan.plan_to_date_sql): the city's 序时进度 is sum completed against sum due, not an average
    of percentages. A group without a plan is absent. One query, grouped like ``figures_by``.
    """
    table, keys = source.table, ([] if field is None else [field])
    with_plan = table.annual_plan_investment > 0
    query = table.select(
        *keys,
        money_sum(table.investment_completed),
        money_sum(table.annual_plan_investment),
        money_sum(plan_to_date_sql(table, day)),
    ).where(source.where(with_plan if condition is None else condition & with_plan))
    if keys:
        query = query.group_by(*keys)
    result = {}
    for row in query.tuples():
        progress = schedule_progress(*row[len(keys) :])
        if progress is not None:
            result[row[0] if keys else None] = progress
    return result


def schedule_progress_total(source, condition, day):
    """序时进度 of the rows of ``source`` that ``condition`` selects, on ``day`` (None when none has a plan)."""
    return schedule_progress_by(source, None, condition, day).get(None)
