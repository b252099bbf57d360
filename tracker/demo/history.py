"""The demo city's weekly history: every project's reports up to this week, the funds they secured,
and the snapshots that closed the past weeks.

Everything is written with the driver's batch insert (core.db.bulk_insert), a batch of projects at
a time, so a province with years of history never sits in memory whole. Reports are given their ids
here, so the funds lines point at them without reading them back. A closed week's snapshot rows are
the projects as their reports tell it, the very columns ``take_snapshot`` copies; their milestone
and warning light are then judged in SQL by ``snapshots.judge_snapshot``, as the weekly dispatch
judges them (tests/test_demo.py checks that taking a demo week's snapshot again changes nothing).
"""

import datetime as dt
from decimal import Decimal
from operator import itemgetter

from peewee import fn

from tracker.core.db import bulk_insert, move_ids_past
from tracker.core.money import to_money
from tracker.core.weeks import week_monday
from tracker.cycles.snapshots import COPIED, ProjectSnapshot, WeekFunds, WeekTotals, week_end
from tracker.demo.bulk import indexes_after
from tracker.demo.city import HEADLINE, PROBLEMS, building_status, in_wan
from tracker.projects.models import UNDER_WAY, FundsSecured, ProgressReport, Project, ReportFunds

FUND_WEIGHTS = {
    "central_budget": 15,
    "provincial": 10,
    "special_bonds": 30,
    "bank_loans": 20,
    "self_raised": 20,
    "other": 5,
}

# The tables the history fills with millions of rows.
HISTORY_TABLES = (ProgressReport, ReportFunds, FundsSecured, ProjectSnapshot)

# Projects whose history is written in one batch (at 260 weeks: 13,000 reports).
PROJECTS_PER_BATCH = 50

R = ProgressReport
REPORT_FIELDS = (
    R.id,
    R.project,
    R.week,
    R.status,
    R.investment_completed,
    R.physical_progress,
    R.problems,
    R.next_week_plan,
    R.explanation,
    R.reopened,
    R.late,
    R.submitted_by,
    R.submitted_at,
    R.updated_at,
)
S = ProjectSnapshot
SNAPSHOT_FIELDS = (
    S.week,
    S.project,
    *(getattr(S, column.name) for column in COPIED),
    S.status,
    S.started_on,
    S.investment_completed,
    S.funds_secured,
    S.reported,
)


def write_history(city, ids):
    """Every week's report, with investment growing from the start week to today's figure, and the snapshots.

    The funds are shared out over the projects first, so each project knows its part of the exact
    total. The weeks snapshotted are ``city.weeks[:-2]``: the week just ended is left for the scheduler.
    """
    cents = round(HEADLINE["funds"] * 100 * city.count / HEADLINE["projects"])
    funds_of = _split(cents, [city.rng.random() for _ in city.plan])
    closed = _ClosedWeeks(city.weeks[:-2])
    copied = {row[0]: row[1:] for row in Project.select(Project.id, *COPIED, Project.started_on).tuples()}
    next_id = (ProgressReport.select(fn.MAX(ProgressReport.id)).scalar() or 0) + 1
    with indexes_after(HISTORY_TABLES):
        _write_batches(city, ids, funds_of, closed, copied, next_id)
    move_ids_past(ProgressReport)
    closed.write_totals()


def _write_batches(city, ids, funds_of, closed, copied, next_id):
    calendar = _Calendar(city)
    for start in range(0, len(city.plan), PROJECTS_PER_BATCH):
        reports, lines, secured, snapshots = [], [], [], []
        for p, project_cents in zip(
            city.plan[start : start + PROJECTS_PER_BATCH], funds_of[start : start + PROJECTS_PER_BATCH], strict=True
        ):
            project_id = ids[p["code"]]
            story = [
                (next_id + n, index, row) for n, (index, row) in enumerate(_reports(city, calendar, p, project_id))
            ]
            next_id += len(story)
            own_lines = _funds(city, [rid for rid, _, _ in story], project_cents)
            reports += [(rid, *row) for rid, _, row in story]
            lines += own_lines
            secured += _funds_secured(project_id, own_lines)
            snapshots += closed.rows(project_id, copied[project_id], story, own_lines)
        bulk_insert(ProgressReport, REPORT_FIELDS, reports, converted=True)
        bulk_insert(ReportFunds, (ReportFunds.report, ReportFunds.source, ReportFunds.amount), lines, converted=True)
        bulk_insert(FundsSecured, (FundsSecured.project, FundsSecured.source, FundsSecured.amount), secured)
        # In the order of the snapshot's key (week, project): its rows then go in at a few places of that
        # index rather than at thousands, and a week's rows lie together for the judging that follows.
        snapshots.sort(key=itemgetter(0, 1))
        bulk_insert(ProjectSnapshot, SNAPSHOT_FIELDS, snapshots, converted=True)


def _reports(city, calendar, p, project_id):
    """(week index, row) of one project's weekly reports, less the weeks it did not report.

    Its last report carries the figures the project row shows (city.write_projects), so a
    project's page and its newest report say the same.
    """
    last = city.last_reported(p)
    for index, week in enumerate(city.weeks[: last + 1]):
        # Before the last report a few weeks were missed (never the first, so every project
        # has a report to carry its funds).
        if 0 < index < last and city.rng.random() < 0.03:
            continue
        yield index, _report(city, calendar, p, project_id, index, week, last)


def _report(city, calendar, p, project_id, index, week, last):
    """A report's columns in REPORT_FIELDS order, less its id."""
    started = p["start_week"] is not None and index >= p["start_week"]
    if started:
        # Investment keeps the project's pace with the year, reaching today's figure in its last report.
        elapsed = calendar.day_of_year[index] / calendar.day_of_year[last]
        invested = min(p["investment_completed"], to_money(p["investment_completed"] * elapsed))
        # Completed only in the last report; before that it was being built.
        status = p["status"] if index == last else building_status(p)
    else:
        invested, status = Decimal(0), p["status"] if p["start_week"] is None else "not_started"
    # About one report in twelve of the closed weeks was filed late.
    late = index < len(city.weeks) - 1 and city.rng.random() < 1 / 12
    submitted = calendar.filed_late[index] if late else calendar.filed[index]
    return (
        project_id,
        week,
        status,
        invested,
        city.progress(p, index),
        city.rng.choice(PROBLEMS),
        "继续推进主体施工" if started else "加快办理前期手续",
        "",
        False,
        late,
        None,
        submitted,
        submitted,
    )


class _Calendar:
    """What the reports of each week of ``city.weeks`` share, worked out once rather than per report."""

    def __init__(self, city):
        mondays = [week_monday(week) for week in city.weeks]
        # The day a week's figures stand for: its Sunday, or today for the week under way.
        self.day_of_year = [
            Decimal(min(monday + dt.timedelta(days=6), city.today).timetuple().tm_yday) for monday in mondays
        ]
        # Filed on the week's Friday morning, or just now when that Friday has not come yet; a late
        # report (迟报) first on the Sunday after, 20:00 city time.
        self.filed = [min(dt.datetime.combine(m + dt.timedelta(days=4), dt.time(8, 30)), city.now) for m in mondays]
        self.filed_late = [dt.datetime.combine(m + dt.timedelta(days=6), dt.time(12, 0)) for m in mondays]


def _funds(city, report_ids, cents):
    """(report id, source, amount) of a project's share of the funds (in cents of 万元), over about a third of its reports."""
    chosen = [rid for rid in report_ids if city.rng.random() < 0.35] or [report_ids[0]]
    sources, source_weights = list(FUND_WEIGHTS), list(FUND_WEIGHTS.values())
    lines = {}
    for rid, part in zip(chosen, _split(cents, [city.rng.random() for _ in chosen]), strict=True):
        if part:
            source = city.rng.choices(sources, source_weights)[0]
            lines[(rid, source)] = lines.get((rid, source), 0) + part
    return [(rid, source, in_wan(part)) for (rid, source), part in lines.items()]


def _funds_secured(project_id, lines):
    """The project's cumulative funds by source (争取到位资金), summed from its report lines."""
    totals = {}
    for _, source, amount in lines:
        totals[source] = totals.get(source, 0) + amount
    return [(project_id, source, amount) for source, amount in totals.items()]


class _ClosedWeeks:
    """The snapshot rows of the closed weeks, project by project, and the city's totals they add up to."""

    def __init__(self, weeks):
        self.weeks = weeks
        self.ends = [week_end(week) for week in weeks]
        n = len(weeks)
        self.projects, self.under_way, self.missing = [0] * n, [0] * n, [0] * n
        self.invested, self.plan, self.funds = [Decimal(0)] * n, [Decimal(0)] * n, [Decimal(0)] * n
        self.by_source = [{} for _ in weeks]

    def rows(self, project_id, copied, story, lines):
        """The project's snapshot rows, one per closed week, from its reports ``story`` and funds ``lines``."""
        *attributes, started_on = copied
        plan = attributes[6] or 0
        filed = {index: (rid, row) for rid, index, row in story}
        index_of = {rid: index for rid, index, _ in story}
        funds_at = {}
        for rid, source, amount in lines:
            index = index_of[rid]
            funds_at[index] = funds_at.get(index, 0) + amount
            if index < len(self.weeks):
                self.by_source[index][source] = self.by_source[index].get(source, 0) + amount
        rows, status, invested, funds = [], "not_started", Decimal(0), Decimal(0)
        for index, week in enumerate(self.weeks):
            if index in filed:
                _, row = filed[index]
                status, invested = row[2], row[3]
            funds += funds_at.get(index, 0)
            started = started_on if started_on is not None and started_on <= self.ends[index] else None
            rows.append((week, project_id, *attributes, status, started, invested, funds, index in filed))
            self.projects[index] += 1
            self.under_way[index] += status in UNDER_WAY
            self.missing[index] += index not in filed
            self.invested[index] += invested
            self.plan[index] += plan
            self.funds[index] += funds
        return rows

    def write_totals(self):
        """WeekTotals and WeekFunds of every closed week, as ``take_snapshot`` counts them."""
        bulk_insert(
            WeekTotals,
            (
                WeekTotals.week,
                WeekTotals.projects,
                WeekTotals.under_way,
                WeekTotals.investment_completed,
                WeekTotals.annual_plan_investment,
                WeekTotals.funds_secured,
                WeekTotals.reports_missing,
            ),
            zip(
                self.weeks,
                self.projects,
                self.under_way,
                self.invested,
                self.plan,
                self.funds,
                self.missing,
                strict=True,
            ),
        )
        running, rows = {}, []
        for week, added in zip(self.weeks, self.by_source, strict=True):
            for source, amount in added.items():
                running[source] = running.get(source, 0) + amount
            rows += [(week, source, amount) for source, amount in running.items() if amount]
        bulk_insert(WeekFunds, (WeekFunds.week, WeekFunds.source, WeekFunds.amount), rows)


def _split(total, weights):
    """Integers proportional to ``weights`` that add up to exactly ``total``."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts
