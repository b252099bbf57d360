"""The figures: restart rate, investment against plan, funds by source, reports missing.

Every figure is one SQL aggregate over the projects a condition selects (see
filters.project_condition), so the cost does not grow with history."""

from peewee import Case, fn

from tracker.core.money import percent
from tracker.projects.lights import LEVELS, level_condition
from tracker.projects.models import FUNDING_SOURCES, STATUSES, UNDER_WAY, FundsSecured, ProgressReport, Project


def summary(condition, week):
    """All headline figures for the projects matching ``condition`` in ``week``."""
    under_way = fn.SUM(Case(None, [(Project.status.in_(UNDER_WAY), 1)], 0))
    total, started, completed, plan = (
        Project.select(
            fn.COUNT(Project.id),
            fn.COALESCE(under_way, 0),
            fn.COALESCE(fn.SUM(Project.investment_completed), 0),
            fn.COALESCE(fn.SUM(Project.annual_plan_investment), 0),
        )
        .where(condition)
        .tuples()
        .get()
    )
    by_status = dict(
        Project.select(Project.status, fn.COUNT(Project.id)).where(condition).group_by(Project.status).tuples()
    )
    funds = dict(
        FundsSecured.select(FundsSecured.source, fn.SUM(FundsSecured.amount))
        .join(Project)
        .where(condition)
        .group_by(FundsSecured.source)
        .tuples()
    )
    reported = (
        ProgressReport.select(fn.COUNT(ProgressReport.id))
        .join(Project)
        .where(condition & (ProgressReport.week == week))
        .scalar()
    )
    return {
        "week": week,
        "projects": total,
        "restart_rate": {"numerator": int(started), "denominator": total, "percent": percent(started, total)},
        "investment_completed": int(completed),
        "annual_plan_investment": int(plan),
        "investment_percent": percent(completed, plan),
        "funds_secured": {source: int(funds.get(source) or 0) for source in FUNDING_SOURCES},
        "funds_secured_total": int(sum(v or 0 for v in funds.values())),
        "by_status": {status: by_status.get(status, 0) for status in STATUSES},
        "reports_missing": total - reported,
    }


def light_counts(condition, today, thresholds):
    """{level: number of projects} for the warning lights on ``today``."""
    counts = [
        fn.COALESCE(fn.SUM(Case(None, [(level_condition(level, today, thresholds), 1)], 0)), 0) for level in LEVELS
    ]
    row = Project.select(*counts).where(condition).tuples().get()
    return {level: int(n) for level, n in zip(LEVELS, row, strict=True)}
