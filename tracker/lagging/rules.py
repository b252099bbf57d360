"""Lagging projects (滞后项目) for a date: which rule each project broke, with the evidence.

The list for a day reads the snapshot of the last week closed by that day
(the figures as they were reported then) and the dated history up to the day
(problem events, supervision replies). Later edits of projects or reports
touch neither, so the list of a past day is the same tomorrow as today. A
day's list is final once the week before it has been closed by the weekly
dispatch.

Each rule is one query over the snapshots, never one query per project."""

import datetime as dt
import functools
import operator
from dataclasses import dataclass, field

from peewee import JOIN, Case, fn

from tracker.accounts.models import LeadOfficial
from tracker.bonds.models import BondEntry, entries_as_of
from tracker.core.db import db
from tracker.core.money import money, percent, to_money
from tracker.core.weeks import shift_week, week_of
from tracker.cycles.consultations import AgendaItem, Decision, overdue_decisions_as_of
from tracker.cycles.snapshots import ProjectSnapshot, WeekTotals, week_end
from tracker.lagging.models import LaggingEntry, LaggingWeek
from tracker.problems.models import Problem, ProblemEvent, overdue_as_of
from tracker.projects.completeness import skip_notes
from tracker.projects.lights import IN_PROGRESS, behind_plan
from tracker.projects.models import MILESTONES, STATUSES, UNDER_WAY, ProgressReport, Project
from tracker.projects.monthly_plan import behind_words, monthly_values, plan_to_date
from tracker.supervision.models import SupervisionOrder, overdue_orders_as_of

# The days a list can be asked for: far beyond any project, short of the calendar's ends.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


DAY_RANGE_MESSAGE = "日期应在 2000-01-01 到 2099-12-31 之间"


# rule: (label, the seeds' category of fault)
RULES = {
    "deadline_passed": ("开工时限已过未开复工", "进度计划滞后"),
    "behind_plan": ("完成投资滞后于序时进度", "进度计划滞后"),
    "milestone_overdue": ("倒排工期节点逾期", "进度计划滞后"),
    "reports_missing": ("连续未报送周报", "推进不力"),
    "stale_report": ("周报数据多周未变化", "推进不力"),
    "problem_overdue": ("问题逾期未解决", "解决问题拖延"),
    "supervision_overdue": ("督办逾期未回复", "解决问题拖延"),
    "decision_overdue": ("会商决定逾期未落实", "解决问题拖延"),
    "bond_idle": ("专项债资金闲置", "推进不力"),
}


# The rules that need a field a project may lack (待完善), and what they do without it.
SKIPS = {
    "start_deadline": f"未参与“{RULES['deadline_passed'][0]}”的判断",
    "annual_plan_investment": f"未参与“{RULES['behind_plan'][0]}”的判断",
}


@dataclass
class Reason:
    rule: str
    detail: str

    @property
    def label(self):
        return RULES[self.rule][0]

    @property
    def category(self):
        return RULES[self.rule][1]

    def as_dict(self):
        return {"rule": self.rule, "label": self.label, "category": self.category, "detail": self.detail}


@dataclass
class LaggingProject:
    """A project on the list, with its attributes as the snapshot holds them."""

    project_id: int
    code: str
    name: str
    project_unit: str
    lead_official: str  # "" when the project has none yet
    lead_department: str
    county: str
    reasons: list = field(default_factory=list)

    def as_dict(self):
        return {
            "code": self.code,
            "name": self.name,
            "project_unit": self.project_unit,
            "lead_official": self.lead_official,
            "lead_department": self.lead_department,
            "county": self.county,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


@dataclass
class LaggingList:
    day: dt.date
    week: str | None  # the closed week whose snapshot the list reads; None before the first
    projects: list
    # What the rules could not judge: "2 个项目未填开工时限，未参与…的判断" (skip_notes).
    skipped: list = field(default_factory=list)

    def counts(self):
        """{rule: number of projects it put on the list}."""
        counts = dict.fromkeys(RULES, 0)
        for project in self.projects:
            for rule in {reason.rule for reason in project.reasons}:
                counts[rule] += 1
        return counts


def closing_week(day):
    """The last snapshotted week that had ended by ``day`` (its Sunday on or before it), or None."""
    last_sunday = day - dt.timedelta(days=day.isoweekday() % 7)
    return WeekTotals.select(fn.MAX(WeekTotals.week)).where(WeekTotals.week <= week_of(last_sunday)).scalar()


def lagging_rules(config):
    """What the lagging list is judged by: ``[lagging]``, with ``[bonds]`` (the idle-funds rule's settings) under that key."""
    return {**config["lagging"], "bonds": config["bonds"]}


def lagging_list(day, rules):
    """The lagging list for ``day`` under ``rules`` (``lagging_rules(config)``), ordered by project code.

    The Sunday closing a week the weekly dispatch stored the list of reads that list as it was
    dispatched (store_week_list); any other day is computed from the snapshots and the dated history.
    """
    week = closing_week(day)
    if week is None:
        return LaggingList(day, None, [])
    if day == week_end(week) and LaggingWeek.select().where(LaggingWeek.week == week).exists():
        projects = [_stored_project(entry) for entry in LaggingEntry.of_week(week)]
    else:
        projects = listed_projects(week, _reasons(_findings(day, week, rules)))
    return LaggingList(day, week, projects, skipped_by_rules(week))


def store_week_list(week, rules):
    """Store the lagging list of the Sunday closing ``week`` (snapshotted just now), replacing any stored before.

    The weekly dispatch calls it in the transaction that takes the week's snapshot, so the stored
    list is the one computed from that snapshot; returns the number of projects listed.
    """
    day = week_end(week)
    projects = listed_projects(week, _reasons(_findings(day, week, rules)))
    with db.atomic():
        LaggingWeek.delete().where(LaggingWeek.week == week).execute()
        LaggingWeek.create(week=week)
        rows = [{"week": week, **LaggingEntry.columns_of(n, p)} for n, p in enumerate(projects, start=1)]
        for start in range(0, len(rows), STORED_ROWS_PER_INSERT):
            LaggingEntry.insert_many(rows[start : start + STORED_ROWS_PER_INSERT]).execute()
    return len(projects)


# Entries written per INSERT: SQLite allows 32,766 parameters in a statement, an entry takes 10.
STORED_ROWS_PER_INSERT = 1000


def _stored_project(entry):
    reasons = [Reason(reason["rule"], reason["detail"]) for reason in entry.reasons]
    return LaggingProject(
        entry.project_id,
        entry.code,
        entry.name,
        entry.project_unit,
        entry.lead_official,
        entry.lead_department,
        entry.county,
        reasons,
    )


def _reasons(findings):
    """{project id: [Reason]} of what ``findings`` found, in their order."""
    found = {}
    for finding in findings:
        for row in finding.query:
            project_id, reason = finding.describe(row)
            found.setdefault(project_id, []).append(reason)
    return found


def overdue_reasons(day, grace_days):
    """{project id: [Reason]} of the problems and supervision orders overdue on ``day``, in the list's own words."""
    return _reasons([_problem_overdue(day, grace_days), _supervision_overdue(day, grace_days)])


def skipped_by_rules(week):
    """The projects of ``week``'s snapshot the rules could not judge for lack of a field, in words (None: no week)."""
    if week is None:
        return []
    return skip_notes(SKIPS, ProjectSnapshot, ProjectSnapshot.week == week)


def lagging_count(day, rules):
    """How many projects the list of ``day`` holds, in one query (the dashboard's figure)."""
    week = closing_week(day)
    if week is None:
        return 0
    s = ProjectSnapshot
    on_list = functools.reduce(
        operator.or_, (s.project.in_(f.query.select(f.project)) for f in _findings(day, week, rules))
    )
    return s.select().where((s.week == week) & on_list).count()


@dataclass
class _Finding:
    """One rule at work: the query of the rows that break it, the column naming their project, and how a row reads."""

    query: object
    project: object
    describe: object


def _findings(day, week, rules):
    return [
        _deadline_passed(day, week),
        _behind_plan(week, rules["behind_percent"]),
        _milestone_overdue(day, week, rules["milestone_grace_days"]),
        _reports_missing(week, rules["missing_weeks"]),
        _stale_report(week, rules["stale_weeks"]),
        _problem_overdue(day, rules["overdue_days"]),
        _supervision_overdue(day, rules["overdue_days"]),
        _decision_overdue(day, rules["overdue_days"]),
        _bond_idle(day, rules["bonds"]["idle_days"], rules["bonds"]["idle_share"]),
    ]


def listed_projects(week, found):
    """The projects of ``found`` that the week's snapshot holds, with their reasons; one query."""
    s = ProjectSnapshot
    rows = (
        s.select(
            s.project,
            Project.code,
            Project.name,
            s.project_unit,
            fn.COALESCE(LeadOfficial.name, ""),
            s.lead_department,
            s.county,
        )
        .join(Project, on=(s.project == Project.id))
        .switch(s)
        .join(LeadOfficial, JOIN.LEFT_OUTER, on=(s.lead_official == LeadOfficial.id))
        .where((s.week == week) & s.project.in_(list(found)))
        .order_by(Project.code)
        .tuples()
    )
    return [LaggingProject(*row, reasons=found[row[0]]) for row in rows] if found else []


def _snapshots(week):
    return ProjectSnapshot.select().where(ProjectSnapshot.week == week)


def _deadline_passed(day, week):
    s = ProjectSnapshot

    def describe(row):
        late = (day - row.start_deadline).days
        detail = (
            f"开工时限 {row.start_deadline:%Y-%m-%d}，截至 {day:%Y-%m-%d} 已超期 {late} 天；"
            f"{week} 周末项目状态为“{STATUSES[row.status]}”"
        )
        return row.project_id, Reason("deadline_passed", detail)

    return _Finding(_snapshots(week).where(s.status.not_in(UNDER_WAY) & (s.start_deadline < day)), s.project, describe)


def _behind_plan(week, percent):
    s = ProjectSnapshot
    end = week_end(week)

    def describe(row):
        monthly = monthly_values(row)
        due = plan_to_date(row.annual_plan_investment, monthly, end)
        done = round(100 * row.investment_completed / due) if due else 0
        words = behind_words(row.investment_completed, row.annual_plan_investment, monthly, end)
        detail = f"截至 {end:%Y-%m-%d}（{week}）{words}，仅完成 {done}%，低于序时进度超过 {percent}%"
        return row.project_id, Reason("behind_plan", detail)

    return _Finding(_snapshots(week).where(behind_plan(s, end, percent)), s.project, describe)


def _milestone_overdue(day, week, grace_days):
    s = ProjectSnapshot
    limit = day - dt.timedelta(days=grace_days)

    def describe(row):
        late = (day - row.milestone_due).days
        detail = (
            f"倒排工期节点“{MILESTONES[row.milestone]}”计划 {row.milestone_due:%Y-%m-%d} 完成，"
            f"截至 {week} 周末仍未完成，至 {day:%Y-%m-%d} 已逾期 {late} 天"
        )
        return row.project_id, Reason("milestone_overdue", detail)

    query = _snapshots(week).where(s.status.not_in(("completed", "suspended")) & (s.milestone_due < limit))
    return _Finding(query, s.project, describe)


def _reports_missing(week, count):
    s = ProjectSnapshot
    first = shift_week(week, -(count - 1))
    before = ProjectSnapshot.alias("before")
    last_reported = before.select(fn.MAX(before.week)).where(
        (before.project == s.project) & (before.week < first) & (before.reported == True)  # noqa: E712
    )
    query = (
        s.select(s.project, last_reported)
        .where(s.week.between(first, week) & (s.reported == False))  # noqa: E712
        .group_by(s.project)
        .having(fn.COUNT(s.week) == count)
        .tuples()
    )

    def describe(row):
        project_id, last = row
        since = f"此前最后一次报送为 {last}" if last else "此前未报送过周报"
        return project_id, Reason("reports_missing", f"{first} 至 {week} 连续 {count} 周未报送周报，{since}")

    return _Finding(query, s.project, describe)


def _stale_report(week, count):
    """Under way, reported every one of the last N weeks, and the figures the same as the week before them."""
    s = ProjectSnapshot
    first = shift_week(week, -count)
    reported = fn.SUM(Case(None, [((s.week > first) & (s.reported == True), 1)], 0))  # noqa: E712
    under_way = fn.SUM(Case(None, [((s.week == week) & s.status.in_(IN_PROGRESS), 1)], 0))
    query = (
        s.select(s.project, fn.MAX(s.investment_completed), fn.MAX(s.funds_secured))
        .where(s.week.between(first, week))
        .group_by(s.project)
        .having(
            (fn.COUNT(s.week) == count + 1)
            & (reported == count)
            & (under_way == 1)
            & (fn.MIN(s.investment_completed) == fn.MAX(s.investment_completed))
            & (fn.MIN(s.funds_secured) == fn.MAX(s.funds_secured))
        )
        .tuples()
    )

    def describe(row):
        project_id, completed, funds = row
        detail = (
            f"{shift_week(first, 1)} 至 {week} 连续 {count} 周报送的累计完成投资均为 {money(completed)}、"
            f"到位资金均为 {money(funds)}，与 {first} 相同，项目在建而数据未见变化"
        )
        return project_id, Reason("stale_report", detail)

    return _Finding(query, s.project, describe)


def _problem_overdue(day, grace_days):
    def describe(problem):
        late = (day - problem.due).days
        detail = (
            f"问题“{_short(problem.description)}”由{problem.department}负责，限 {problem.due:%Y-%m-%d} 解决，"
            f"截至 {day:%Y-%m-%d} 仍未解决，已逾期 {late} 天"
        )
        return problem.project_id, Reason("problem_overdue", detail)

    # A unit's or an enterprise's problem makes no project lag.
    query = overdue_as_of(day, grace_days).where(Problem.project.is_null(False))
    return _Finding(query.order_by(ProblemEvent.deadline, Problem.id), Problem.project, describe)


def _supervision_overdue(day, grace_days):
    def describe(order):
        late = (day - order.reply_deadline).days
        detail = (
            f"{order.number}要求 {order.reply_deadline:%Y-%m-%d} 前回复，截至 {day:%Y-%m-%d} 未回复，已逾期 {late} 天"
        )
        return order.project_id, Reason("supervision_overdue", detail)

    query = overdue_orders_as_of(day, grace_days).order_by(SupervisionOrder.reply_deadline, SupervisionOrder.id)
    return _Finding(query, SupervisionOrder.project, describe)


def _decision_overdue(day, grace_days):
    def describe(decision):
        late = (day - decision.due_on).days
        detail = (
            f"月会商决定“{_short(decision.action)}”由{decision.owner}负责，限 {decision.due_on:%Y-%m-%d} 完成，"
            f"截至 {day:%Y-%m-%d} 未落实，已逾期 {late} 天"
        )
        return decision.item.project_id, Reason("decision_overdue", detail)

    query = (
        overdue_decisions_as_of(day, grace_days)
        .where(AgendaItem.project.is_null(False))
        .order_by(Decision.due_on, Decision.id)
    )
    return _Finding(query, AgendaItem.project, describe)


def _bond_idle(day, idle_days, idle_share):
    def describe(entry):
        spent = to_money(entry.spent)
        words = "未支出" if not spent else f"，仅支出 {money(spent)}（{percent(spent, entry.amount)}%）"
        detail = (
            f"{entry.batch.name} {entry.amount} 万元 {entry.issued_on:%Y-%m-%d} 发行，"
            f"至 {day:%Y-%m-%d} 已 {(day - entry.issued_on).days} 天{words}"
        )
        return entry.project_id, Reason("bond_idle", detail)

    return _Finding(entries_as_of(day, idle_days, idle_share, idle_only=True), BondEntry.project, describe)


def _short(text, length=40):
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


RANKED_BY = {"lead_department": "包抓部门", "county": "县区"}


def ranking(result, overdue_days):
    """The 红黑榜 beside the list: per lead department and per county, worst first.

    {"lead_department": [{"name", "projects", "lagging", "overdue_problems", "reports_missing", "late_reports"}, ...],
    "county": [...]}: lagging projects of ``result``, problems overdue on its day, reports missing
    in its week and those filed late (迟报), each counted by the project's department or county as the
    snapshot holds it.
    """
    if result.week is None:
        return {group: [] for group in RANKED_BY}
    return {group: _ranked(result, group, overdue_days) for group in RANKED_BY}


def _ranked(result, group, overdue_days):
    s = ProjectSnapshot
    column = getattr(s, group)
    missing = fn.SUM(Case(None, [(s.reported == False, 1)], 0))  # noqa: E712
    rows = {
        name: {
            "name": name,
            "projects": projects,
            "lagging": 0,
            "overdue_problems": 0,
            "reports_missing": int(gaps),
            "late_reports": 0,
        }
        for name, projects, gaps in s.select(column, fn.COUNT(s.project), missing)
        .where(s.week == result.week)
        .group_by(column)
        .tuples()
    }
    # 迟报: the week's reports first filed after its reporting day.
    late = (
        ProgressReport.select(column, fn.COUNT(ProgressReport.id))
        .join(s, on=((s.project == ProgressReport.project) & (s.week == result.week)))
        .where((ProgressReport.week == result.week) & (ProgressReport.late == True))  # noqa: E712
        .group_by(column)
        .tuples()
    )
    for name, count in late:
        rows[name]["late_reports"] = count
    overdue = (
        overdue_as_of(result.day, overdue_days)
        .select(column, fn.COUNT(Problem.id))
        .join(s, on=((s.project == Problem.project) & (s.week == result.week)))
        .group_by(column)
        .tuples()
    )
    for name, count in overdue:
        rows[name]["overdue_problems"] = count
    for project in result.projects:
        rows[getattr(project, group)]["lagging"] += 1
    return worst_first(rows.values())


def worst_first(rows):
    """Ranking rows in the 红黑榜's order: most lagging, then overdue problems, reports missing, late reports."""
    return sorted(
        rows,
        key=lambda r: (
            -r["lagging"],
            -r["overdue_problems"],
            -r["reports_missing"],
            -r.get("late_reports", 0),
            r["name"] or "",
        ),
    )
