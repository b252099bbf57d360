"""Weekly snapshots: every project's figures and the city totals as they stood at a week's close.

History never depends on recomputing the past: charts, trends and the lagging
list of a past date read these rows, which later edits of projects or reports
do not touch (one exception: see Snapshot, on funds by source). A snapshot is
written with a few INSERT ... SELECT statements, and the city's totals are
counted over it by ``figures(Snapshot(week))``, the function every figure comes
from, so closing a week of 10,000 projects is a handful of queries, not one per project."""

import dataclasses
import datetime as dt

from peewee import (
    JOIN,
    SQL,
    BooleanField,
    Case,
    CharField,
    CompositeKey,
    DateField,
    ForeignKeyField,
    IntegerField,
    Value,
    fn,
)

from tracker.accounts.models import LeadOfficial
from tracker.core.db import BaseModel, db
from tracker.core.money import MoneyField, money_sum
from tracker.core.weeks import shift_week, week_monday
from tracker.cycles.figures import Source, figures
from tracker.projects.lights import next_milestone_of, warning_rule
from tracker.projects.models import (
    MONTHLY_PLAN_COLUMNS,
    UNDER_WAY,
    ProgressReport,
    Project,
    ReportFunds,
    add_monthly_plan_columns,
)


class ProjectSnapshot(BaseModel):
    """One project at the close of one ISO week, attributes copied as they were."""

    week = CharField(max_length=8)
    project = ForeignKeyField(Project, on_delete="CASCADE")
    # A project may lack a leader, an annual plan or a deadline (待完善): the rules needing one skip it.
    lead_official = ForeignKeyField(LeadOfficial, null=True, on_delete="RESTRICT")
    lead_department = CharField()
    project_unit = CharField(default="")
    county = CharField()
    industry_chain = CharField()
    total_investment = MoneyField()
    annual_plan_investment = MoneyField(null=True)
    start_deadline = DateField(null=True)
    status = CharField()
    started_on = DateField(null=True)
    investment_completed = MoneyField()
    funds_secured = MoneyField()
    reported = BooleanField()
    # 入库纳统 by the week's close (included on a later day: not yet).
    statistics_included = BooleanField(default=False)
    # The next milestone (倒排工期) not reached at the week's close, and its planned date.
    milestone = CharField(null=True)
    milestone_due = DateField(null=True)
    warning_rule = CharField(null=True)

    class Meta:
        table_name = "project_snapshot"
        primary_key = CompositeKey("week", "project")
        indexes = ((("project", "week"), False),)


# The monthly plan (分月计划) as it stood: a closed week's 序时进度 does not move when the plan is edited later.
add_monthly_plan_columns(ProjectSnapshot)


class WeekTotals(BaseModel):
    """The city's headline figures at the close of a week, stored for the charts to draw weeks at a time.

    Written from ``figures(Snapshot(week))`` when the week is snapshotted, so a chart's
    point is the figure the emails and pages print for that week."""

    week = CharField(max_length=8, primary_key=True)
    projects = IntegerField()
    under_way = IntegerField()
    investment_completed = MoneyField()
    annual_plan_investment = MoneyField()
    funds_secured = MoneyField()
    reports_missing = IntegerField()

    class Meta:
        table_name = "week_totals"


class WeekFunds(BaseModel):
    """Cumulative funds secured by source at the close of a week, city-wide, as WeekTotals."""

    week = CharField(max_length=8)
    source = CharField()
    amount = MoneyField()

    class Meta:
        table_name = "week_funds"
        primary_key = CompositeKey("week", "source")


@dataclasses.dataclass(frozen=True)
class Snapshot(Source):
    """Every project as it stood at the close of ``week``, from its ProjectSnapshot rows.

    Funds by source are not kept per project in the snapshot: they are summed from the
    reports up to the week, as when the snapshot was taken (and as WeekFunds keeps them for
    the city). The total is the snapshot's own column, so a closed week's report corrected
    afterwards moves the breakdown by source of that week, never its total.
    """

    kind = "snapshot"
    table = ProjectSnapshot
    funds_total = ProjectSnapshot.funds_secured

    def where(self, condition):
        week = ProjectSnapshot.week == self.week
        return week if condition is None else week & condition

    def reported(self):
        return ProjectSnapshot.reported == True  # noqa: E712 (peewee expression)

    def funds(self, keys, where):
        s = ProjectSnapshot
        # Summed per project and source first: a province's millions of lines are grouped once, and only
        # the sums (a few per project) meet the snapshot's rows.
        per_project = (
            ReportFunds.select(
                ProgressReport.project.alias("project_id"),
                ReportFunds.source.alias("source"),
                fn.SUM(ReportFunds.amount).alias("amount"),
            )
            .join(ProgressReport)
            .where((ProgressReport.week <= self.week) & ProgressReport.accepted())
            .group_by(ProgressReport.project, ReportFunds.source)
            .alias("per_project")
        )
        return (
            s.select(*keys, per_project.c.source, money_sum(per_project.c.amount))
            .join(per_project, on=(per_project.c.project_id == s.project))
            .where(where)
            .group_by(*keys, per_project.c.source)
        )


def week_end(week):
    """The Sunday that closes an ISO week."""
    return week_monday(week) + dt.timedelta(days=6)


def take_snapshot(week, thresholds):
    """Write (or rewrite) the snapshot of ``week``; return its WeekTotals row."""
    end = week_end(week)
    with db.atomic():
        for model in (ProjectSnapshot, WeekTotals, WeekFunds):
            model.delete().where(model.week == week).execute()
        _snapshot_projects(week, end)
        judge_snapshot(week, thresholds)
        _snapshot_totals(week)
    return WeekTotals.get_by_id(week)


def judge_snapshot(week, thresholds):
    """Set the 入库纳统 state, the next milestone and the warning light of every snapshot row of ``week``, as of its last day.

    ``take_snapshot`` calls it after copying the projects; the demo, after writing its history's rows in bulk.
    """
    end = week_end(week)
    included = fn.EXISTS(
        Project.select(Project.id).where(
            (Project.id == ProjectSnapshot.project)
            & (Project.statistics_included == True)  # noqa: E712 (peewee expression)
            & (Project.statistics_included_on.is_null() | (Project.statistics_included_on <= end))
        )
    )
    this_week = ProjectSnapshot.week == week
    # Only the rows whose values change are written: a fresh row's are false and NULL, and most of
    # a week's rows stay so (the province demo judges 2.6 million rows; 7 % of them have a light).
    milestone, milestone_due = next_milestone_of(ProjectSnapshot.project, ProjectSnapshot.status, end)
    ProjectSnapshot.update(statistics_included=included, milestone=milestone, milestone_due=milestone_due).where(
        this_week
        & (
            included
            | milestone_due.is_null(False)
            | ProjectSnapshot.statistics_included
            | ProjectSnapshot.milestone.is_null(False)
        )
    ).execute()
    # The lights are judged on the snapshot's own figures, as of the week's last day (the milestone
    # set above among them: a statement's SET reads the row as it was, hence a second UPDATE).
    rule = warning_rule(end, thresholds, ProjectSnapshot)
    ProjectSnapshot.update(warning_rule=rule).where(
        this_week & (rule.is_null(False) | ProjectSnapshot.warning_rule.is_null(False))
    ).execute()


# A project's own columns, copied into its snapshot as they stand (the same names in ProjectSnapshot).
COPIED = (
    Project.lead_official,
    Project.lead_department,
    Project.project_unit,
    Project.county,
    Project.industry_chain,
    Project.total_investment,
    Project.annual_plan_investment,
    Project.start_deadline,
    *(getattr(Project, name) for name in MONTHLY_PLAN_COLUMNS),
)


def _snapshot_projects(week, end):
    # The city's figures read accepted reports only (县区审核): one awaiting review or sent back counts as not there.
    latest = ProgressReport.select(fn.MAX(ProgressReport.week)).where(
        (ProgressReport.project == Project.id) & (ProgressReport.week <= week) & ProgressReport.accepted()
    )
    Report = ProgressReport.alias("latest")
    funds = (
        ReportFunds.select(fn.COALESCE(fn.SUM(ReportFunds.amount), 0))
        .join(ProgressReport)
        .where((ProgressReport.project == Project.id) & (ProgressReport.week <= week) & ProgressReport.accepted())
    )
    reported = ProgressReport.select(ProgressReport.id).where(
        (ProgressReport.project == Project.id) & (ProgressReport.week == week) & ProgressReport.accepted()
    )
    rows = (
        Project.select(
            Value(week),
            Project.id,
            *COPIED,
            # Status only ever changes through reports: no report yet means not started.
            fn.COALESCE(Report.status, "not_started"),
            Case(None, [(Project.started_on <= end, Project.started_on)], None),
            fn.COALESCE(Report.investment_completed, 0),
            funds,
            fn.EXISTS(reported),
            Value(False),  # 入库纳统 as of the week's end: judge_snapshot sets it
        )
        .join(Report, JOIN.LEFT_OUTER, on=((Report.project == Project.id) & (Report.week == latest)))
        .where(Project.archived == False)  # noqa: E712
    )
    columns = [
        ProjectSnapshot.week,
        ProjectSnapshot.project,
        ProjectSnapshot.lead_official,
        ProjectSnapshot.lead_department,
        ProjectSnapshot.project_unit,
        ProjectSnapshot.county,
        ProjectSnapshot.industry_chain,
        ProjectSnapshot.total_investment,
        ProjectSnapshot.annual_plan_investment,
        ProjectSnapshot.start_deadline,
        *(getattr(ProjectSnapshot, name) for name in MONTHLY_PLAN_COLUMNS),
        ProjectSnapshot.status,
        ProjectSnapshot.started_on,
        ProjectSnapshot.investment_completed,
        ProjectSnapshot.funds_secured,
        ProjectSnapshot.reported,
        ProjectSnapshot.statistics_included,
    ]
    ProjectSnapshot.insert_from(rows, columns).execute()


def _snapshot_totals(week):
    """Store the city's figures of the week just snapshotted, for the charts."""
    city = figures(Snapshot(week))
    WeekTotals.create(
        week=week,
        projects=city["projects"],
        under_way=city["restart_rate"]["numerator"],
        investment_completed=city["investment_completed"],
        annual_plan_investment=city["annual_plan_investment"],
        funds_secured=city["funds_secured_total"],
        reports_missing=city["reports_missing"],
    )
    funds = [(week, source, amount) for source, amount in city["funds_secured"].items() if amount]
    if funds:
        WeekFunds.insert_many(funds, fields=[WeekFunds.week, WeekFunds.source, WeekFunds.amount]).execute()


def weeks_of_totals(first=None, last=None):
    """WeekTotals rows in week order, optionally between two weeks."""
    query = WeekTotals.select().order_by(WeekTotals.week)
    if first:
        query = query.where(WeekTotals.week >= first)
    if last:
        query = query.where(WeekTotals.week <= last)
    return list(query)


def snapshot_rows(week, condition=None):
    """Snapshot rows of a week joined with their project and lead official, ordered by code."""
    query = (
        ProjectSnapshot.select(ProjectSnapshot, Project, LeadOfficial)
        .join(Project, on=(ProjectSnapshot.project == Project.id))
        .switch(ProjectSnapshot)
        .join(LeadOfficial, JOIN.LEFT_OUTER, on=(ProjectSnapshot.lead_official == LeadOfficial.id))
        .where(ProjectSnapshot.week == week)
        .order_by(Project.code)
    )
    if condition is not None:
        query = query.where(condition)
    return query


HISTORY_CHARTS = ("restart_rate", "investment", "funds")


CHART_WEEKS = 26


def history_chart(name, week, target_percent):
    """One of HISTORY_CHARTS as PNG, drawn from the snapshots up to ``week``.

    The dashboard and the emails call this same function, so they show the same picture.
    """
    from tracker.cycles import charts  # matplotlib stays off the web app's start-up path

    if name == "funds":
        funds = dict(WeekFunds.select(WeekFunds.source, WeekFunds.amount).where(WeekFunds.week == week).tuples())
        return charts.funds_chart(funds)
    weeks = weeks_of_totals(shift_week(week, -CHART_WEEKS + 1), week)
    if name == "restart_rate":
        return charts.restart_rate_chart(weeks, target_percent)
    return charts.investment_chart(weeks)


@dataclasses.dataclass(frozen=True)
class WeekRate:
    """Projects under way among a group's projects at the close of a week: a point of a restart-rate line."""

    week: str
    under_way: int
    projects: int


def official_chart_weeks(week):
    """The restart-rate chart's weeks up to ``week``: (the city's WeekTotals rows, {official id: [WeekRate]}).

    Each official's list has one WeekRate per city row, in the same order (0 projects in a
    week they contracted none), counted from the snapshots as the emails' figures count them.
    """
    first = shift_week(week, -CHART_WEEKS + 1)
    city = weeks_of_totals(first, week)
    s = ProjectSnapshot
    # Every official's every week in one grouped query, counted as figures() counts the restart rate.
    rates = (
        s.select(s.lead_official, s.week, fn.SUM(Case(None, [(s.status.in_(UNDER_WAY), 1)], 0)), fn.COUNT(SQL("*")))
        .where(s.week.between(first, week) & s.lead_official.is_null(False))
        .group_by(s.lead_official, s.week)
        .tuples()
    )
    by_official = {}
    for official, row_week, under_way, projects in rates:
        by_official.setdefault(official, {})[row_week] = (int(under_way), projects)
    return city, {
        official: [WeekRate(row.week, *weeks.get(row.week, (0, 0))) for row in city]
        for official, weeks in by_official.items()
    }


def official_restart_rate_chart(own, city, target_percent):
    """PNG of one official's restart rate against the city's, from ``official_chart_weeks``."""
    from tracker.cycles import charts  # matplotlib stays off the web app's start-up path

    return charts.restart_rate_comparison_chart(own, city, target_percent)


def latest_week():
    """The most recent snapshotted week, or None before the first weekly dispatch."""
    return WeekTotals.select(fn.MAX(WeekTotals.week)).scalar()
