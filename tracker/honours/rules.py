"""红旗 and 蜗牛 of a quarter: which projects lead and which trail, each reason naming its evidence.

A quarter is read as the quarterly analysis reads it: the snapshot of its closing
week (the last snapshotted week whose Monday falls in the quarter) for the figures,
the snapshots of its weeks for the weekly reports, the milestones planned within
it, and the problems and supervision orders overdue on its last day. Later edits
touch none of these, so a quarter's draft is the same whenever it is drawn.

A quarter still running is judged as of its closing week's last day: nothing later is known.

红旗 (red flag): under way and ahead of plan to date by more than
``red_flag_min_points``, every milestone due in the quarter reached by its date and
none overdue at the closing week, every weekly report of the quarter's closed weeks
filed, no problem or order overdue at its end. Ranked by ``red_flag_weight_point``
per point ahead plus ``red_flag_weight_milestone`` per milestone reached on time.

蜗牛 (snail): the demerits of ``snail_weight_*``: per point behind plan (beyond
``snail_min_points``), per milestone due in the quarter and missed, per weekly
report missing, per problem or order overdue at its end. Every project with a
demerit is a candidate; the most demerits lead.

Ties are broken by project code, ascending, so the same data always gives the same
list. Each criterion is one query over all projects, never one query per project."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peewee import Case, fn

from tracker.core.money import money
from tracker.core.weeks import week_of
from tracker.cycles.analysis import closing_week, quarter_bounds
from tracker.cycles.snapshots import ProjectSnapshot, WeekTotals, week_end
from tracker.lagging.rules import LaggingProject, Reason, listed_projects, overdue_reasons
from tracker.projects.lights import IN_PROGRESS
from tracker.projects.models import MILESTONES, Milestone
from tracker.projects.monthly_plan import plan_to_date_sql

KINDS = {"red_flag": "红旗", "snail": "蜗牛"}


# The quarters a list or a score can be asked for: this century's, as the lagging list's days.
QUARTER_PATTERN = r"20[0-9]{2}-Q[1-4]"
QUARTER_MESSAGE = "季度格式应为 2026-Q3（2000 至 2099 年）"


# rule: (label, the list it serves, what it judges)
RULES = {
    "ahead_of_plan": ("完成投资快于序时进度", "red_flag", "投资进度"),
    "milestones_on_time": ("倒排工期节点按期完成", "red_flag", "倒排工期"),
    "reports_on_time": ("周报按时报送", "red_flag", "周报报送"),
    "nothing_overdue": ("无逾期问题和督办", "red_flag", "问题督办"),
    "behind_plan": ("完成投资慢于序时进度", "snail", "投资进度"),
    "milestones_missed": ("倒排工期节点未按期完成", "snail", "倒排工期"),
    "reports_missing": ("周报缺报", "snail", "周报报送"),
    "problem_overdue": ("问题逾期未解决", "snail", "问题督办"),
    "supervision_overdue": ("督办逾期未回复", "snail", "问题督办"),
}


POINT = Decimal("0.1")


def plan_difference_points(model, day):
    """SQL: a project's investment completed against its plan to date on ``day``, in percentage points of its annual plan.

    The one measure of "ahead of / behind plan" the lists read (positive: ahead). The plan to date is
    monthly_plan.plan_to_date_sql, as the lights and the lagging rule "behind plan" read it.
    ``model`` is ProjectSnapshot (or Project): the same column names. NULL without an annual plan.
    """
    return (
        (model.investment_completed - plan_to_date_sql(model, day)) * 100 / fn.NULLIF(model.annual_plan_investment, 0)
    )


class HonourReason(Reason):
    """A reason for a place on the 红旗 or 蜗牛 list: the rule met and its evidence (dates, amounts, reports)."""

    @property
    def label(self):
        return RULES[self.rule][0]

    @property
    def category(self):
        return RULES[self.rule][2]


@dataclass
class HonourProject(LaggingProject):
    """A project on a quarter's list, with the weighted score that placed it."""

    score: Decimal = Decimal(0)


@dataclass
class Quarter:
    """What a quarter's lists read: its days, its closing week, and the first of its snapshotted weeks."""

    quarter: str
    first: dt.date
    last: dt.date
    week: str | None  # None: no week of the quarter was snapshotted
    first_week: str | None

    @property
    def end(self):
        """The last day the closing week's snapshot saw."""
        return week_end(self.week)

    @property
    def as_of(self):
        """The day milestones, problems, orders and decisions are judged on: the quarter's last day, or for a
        quarter still running the closing week's last day (nothing later is known)."""
        return self.last if self.week is None else min(self.last, self.end)


def quarter_of(quarter):
    """The Quarter of a label (2026-Q3); raises analysis.QuarterError for a malformed one."""
    first, last = quarter_bounds(quarter)
    week = closing_week(quarter)
    if week is None:
        return Quarter(quarter, first, last, None, None)
    # The weeks of the quarter that were closed and snapshotted: a service started mid-quarter has fewer.
    monday = week_of(first + dt.timedelta(days=-first.weekday() % 7))
    first_week = WeekTotals.select(fn.MIN(WeekTotals.week)).where(WeekTotals.week.between(monday, week)).scalar()
    return Quarter(quarter, first, last, week, first_week)


def honours(quarter, settings, overdue_days):
    """{"red_flag": [HonourProject], "snail": [...]} of a Quarter, at most ``settings``' counts each, best first.

    ``settings`` is the config's [honours]; ``overdue_days`` the [lagging] grace for problems and orders.
    """
    if quarter.week is None:
        return {kind: [] for kind in KINDS}
    plan = _plan_differences(quarter)
    milestones = _milestones(quarter)
    reports = _reports(quarter)
    overdue = _overdue(quarter, overdue_days)
    late = _late_milestones(quarter)
    red = _red_flags(quarter, settings, plan, milestones, reports, {**overdue, **late})
    snails = _snails(quarter, settings, plan, milestones, reports, overdue, exclude=red)
    return {
        "red_flag": _ranked(quarter, red, settings["red_flag_count"]),
        "snail": _ranked(quarter, snails, settings["snail_count"]),
    }


def _ranked(quarter, found, count):
    """The best ``count`` of {project id: (score, reasons)}: highest score first, ties by project code."""
    projects = listed_projects(quarter.week, {pid: reasons for pid, (_, reasons) in found.items()})
    ranked = sorted(projects, key=lambda p: (-found[p.project_id][0], p.code))[:count]
    return [HonourProject(**{**vars(p), "score": _two(found[p.project_id][0])}) for p in ranked]


def _two(value):
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _points(value):
    return Decimal(str(value)).quantize(POINT, ROUND_HALF_UP)


def _plan_differences(quarter):
    """{project id: (points, completed, annual plan)} of the projects under way with a plan, at the closing week."""
    s = ProjectSnapshot
    points = plan_difference_points(s, quarter.end)
    query = (
        s.select(s.project, points, s.investment_completed, s.annual_plan_investment)
        .where((s.week == quarter.week) & s.status.in_(IN_PROGRESS) & (s.annual_plan_investment > 0))
        .tuples()
    )
    return {pid: (_points(diff), done, plan) for pid, diff, done, plan in query}


def _plan_words(quarter, points, done, plan):
    share = Decimal(100) * done / plan
    side = "高于" if points > 0 else "低于"
    return (
        f"截至 {quarter.end:%Y-%m-%d}（{quarter.week}）累计完成投资 {money(done)}，为年度计划 {money(plan)}的 "
        f"{_points(share)}%，{side}序时进度 {abs(points)} 个百分点"
    )


def _milestones(quarter):
    """{project id: ([(kind, planned, actual)] on time, [..] missed)} of the milestones planned within the quarter.

    Missed: not reached by its planned date (reached later, or not reached by the quarter's last day).
    """
    m = Milestone
    query = (
        m.select(m.project, m.kind, m.planned_on, m.actual_on)
        .where(m.planned_on.between(quarter.first, quarter.as_of))
        .order_by(m.planned_on, m.id)
        .tuples()
    )
    found = {}
    for pid, kind, planned, actual in query:
        reached = actual if actual is not None and actual <= quarter.as_of else None
        on_time, missed = found.setdefault(pid, ([], []))
        (on_time if reached is not None and reached <= planned else missed).append((kind, planned, reached))
    return found


def _late_milestones(quarter):
    """{project id: True} of the projects whose next milestone at the closing week was already past its date,
    whenever it was planned: a red flag has none."""
    s = ProjectSnapshot
    query = s.select(s.project).where(
        (s.week == quarter.week) & s.status.not_in(("completed", "suspended")) & (s.milestone_due < quarter.as_of)
    )
    return {pid: True for (pid,) in query.tuples()}


def _milestone_words(rows, quarter):
    parts = []
    for kind, planned, reached in rows:
        if reached is None:
            parts.append(f"“{MILESTONES[kind]}”计划 {planned:%Y-%m-%d}，至 {quarter.as_of:%Y-%m-%d} 仍未完成")
        elif reached > planned:
            parts.append(
                f"“{MILESTONES[kind]}”计划 {planned:%Y-%m-%d}，{reached:%Y-%m-%d} 完成，晚 {(reached - planned).days} 天"
            )
        else:
            parts.append(f"“{MILESTONES[kind]}”计划 {planned:%Y-%m-%d}，{reached:%Y-%m-%d} 完成")
    return "；".join(parts)


def _reports(quarter):
    """{project id: (weeks snapshotted, [weeks without a report])} over the quarter's closed weeks."""
    s = ProjectSnapshot
    missing = fn.SUM(Case(None, [(s.reported == False, 1)], 0))  # noqa: E712
    weeks = (
        s.select(s.project, fn.COUNT(s.week), missing)
        .where(s.week.between(quarter.first_week, quarter.week))
        .group_by(s.project)
        .tuples()
    )
    found = {pid: (count, []) for pid, count, _ in weeks}
    gaps = (
        s.select(s.project, s.week)
        .where(s.week.between(quarter.first_week, quarter.week) & (s.reported == False))  # noqa: E712
        .order_by(s.project, s.week)
        .tuples()
    )
    for pid, week in gaps:
        found[pid][1].append(week)
    return found


def _overdue(quarter, overdue_days):
    """{project id: [HonourReason]} of the problems and supervision orders overdue on the quarter's last day,
    worded as the lagging list words them."""
    return {
        pid: [HonourReason(reason.rule, reason.detail) for reason in reasons]
        for pid, reasons in overdue_reasons(quarter.as_of, overdue_days).items()
    }


def _weight(settings, key):
    return Decimal(str(settings[key]))


def _red_flags(quarter, settings, plan, milestones, reports, overdue):
    """{project id: (score, reasons)} of the projects that meet every criterion of a red flag.

    ``overdue`` holds the projects with a problem, an order or a milestone overdue: none of them qualifies."""
    least = _points(settings["red_flag_min_points"])
    found = {}
    for pid, (points, done, plan_amount) in plan.items():
        on_time, missed = milestones.get(pid, ([], []))
        weeks, gaps = reports.get(pid, (0, []))
        if points <= least or missed or gaps or not weeks or pid in overdue:
            continue
        score = points * _weight(settings, "red_flag_weight_point") + len(on_time) * _weight(
            settings, "red_flag_weight_milestone"
        )
        found[pid] = (score, _red_flag_reasons(quarter, points, done, plan_amount, on_time, weeks))
    return found


def _red_flag_reasons(quarter, points, done, plan, on_time, weeks):
    milestones = (
        f"本季度到期节点 {len(on_time)} 个均按期完成：{_milestone_words(on_time, quarter)}"
        if on_time
        else f"{quarter.first:%Y-%m-%d} 至 {quarter.as_of:%Y-%m-%d} 无到期的倒排工期节点"
    ) + f"；截至 {quarter.week} 周末无逾期未完成的节点"
    return [
        HonourReason("ahead_of_plan", _plan_words(quarter, points, done, plan)),
        HonourReason("milestones_on_time", milestones),
        HonourReason(
            "reports_on_time", f"{quarter.first_week} 至 {quarter.week} 共 {weeks} 周周报均在周调度关账前报送"
        ),
        HonourReason("nothing_overdue", f"截至 {quarter.as_of:%Y-%m-%d} 无逾期未解决的问题，无逾期未回复的督办"),
    ]


def _snails(quarter, settings, plan, milestones, reports, overdue, exclude):
    """{project id: (score, reasons)} of every project with a demerit, the red flags excepted."""
    least = _points(settings["snail_min_points"])
    found = {}

    def add(pid, demerit, reason):
        if pid in exclude:
            return
        score, reasons = found.get(pid, (Decimal(0), []))
        found[pid] = (score + demerit, [*reasons, reason])

    for pid, (points, done, plan_amount) in plan.items():
        if points < -least:
            add(
                pid,
                -points * _weight(settings, "snail_weight_point"),
                HonourReason("behind_plan", _plan_words(quarter, points, done, plan_amount)),
            )
    for pid, (_, missed) in milestones.items():
        if missed:
            detail = f"本季度到期节点中 {len(missed)} 个未按期完成：{_milestone_words(missed, quarter)}"
            add(
                pid,
                len(missed) * _weight(settings, "snail_weight_milestone"),
                HonourReason("milestones_missed", detail),
            )
    for pid, (weeks, gaps) in reports.items():
        if gaps:
            detail = f"{quarter.first_week} 至 {quarter.week} 共 {weeks} 周中缺报 {len(gaps)} 周：{'、'.join(gaps)}"
            add(pid, len(gaps) * _weight(settings, "snail_weight_report"), HonourReason("reports_missing", detail))
    for pid, reasons in overdue.items():
        for reason in reasons:
            add(pid, _weight(settings, "snail_weight_overdue"), reason)
    return found
