"""Warning lights (红黄绿灯预警) as one SQL CASE, so pages can filter and count by them.

Each rule has a code and a level; the first rule a project meets, in the order
of RULE_LEVELS, names its light and the reason shown beside it. A project that
meets none is green."""

import datetime as dt

from peewee import Case, Value, fn

from tracker.projects.inclusion import inclusion_words, not_included_for
from tracker.projects.models import MILESTONES, PROCEDURES, UNDER_WAY, WORKS, Milestone, Project
from tracker.projects.monthly_plan import behind_words, monthly_values, plan_to_date_sql

LEVELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


RULE_LEVELS = {
    "deadline_passed": "red",
    "suspended": "red",
    "far_behind": "red",
    "milestone_overdue": "red",
    "deadline_imminent": "red",
    "milestone_imminent": "red",
    "not_included_long": "red",
    "deadline_near": "yellow",
    "milestone_near": "yellow",
    "behind": "yellow",
    "not_included": "yellow",
}


IN_PROGRESS = ("started", "restarted")


# What the lights do without a field a project may lack (待完善): its rules are not judged, never guessed.
SKIPS = {
    "start_deadline": "不判断开工时限预警",
    "annual_plan_investment": "不判断投资进度预警",
}


# The start itself is judged by the start deadline; the milestones watched are the
# procedures before it, or the works after it once the project is under way.
WORKS_AFTER_START = tuple(kind for kind in WORKS if kind != "start")


def behind_plan(model, day, percent):
    """SQL condition: under way, and investment completed short of the plan due by ``day`` by over ``percent`` %.

    The plan due is the plan to date (序时进度, monthly_plan.plan_to_date_sql: the monthly plan when
    entered, else the even spread). ``model`` is Project (today's lights) or ProjectSnapshot (same column
    names: a closed week's lights, the lagging list); the warning lights and the lagging rule
    ``behind_plan`` both ask this one question.
    """
    # completed < plan to date less ``percent`` % of it; multiplied out to stay in SQL numbers.
    short = model.investment_completed * 100 < plan_to_date_sql(model, day) * (100 - percent)
    return model.status.in_(IN_PROGRESS) & (model.annual_plan_investment > 0) & short


def next_milestone_of(project_id, status, day=None):
    """(kind, planned date) of the next milestone not reached (by ``day``), as SQL subqueries.

    The milestones watched are the procedures before the start, or the works
    after it once the project is under way; the start itself is judged by the
    start deadline. A milestone reached after ``day`` counts as not reached.
    """
    unreached = Milestone.actual_on.is_null()
    if day is not None:
        unreached |= Milestone.actual_on > day
    watched = (status.in_(UNDER_WAY) & Milestone.kind.in_(WORKS_AFTER_START)) | (
        status.not_in(UNDER_WAY) & Milestone.kind.in_(tuple(PROCEDURES))
    )
    due = (Milestone.project == project_id) & Milestone.planned_on.is_null(False) & unreached & watched
    first = Milestone.select(Milestone.kind).where(due).order_by(Milestone.planned_on, Milestone.id).limit(1)
    earliest = Milestone.select(fn.MIN(Milestone.planned_on)).where(due)
    # Wrapped, so that a selected subquery comes back as a date on SQLite too.
    return first, fn.COALESCE(earliest, None).python_value(Milestone.planned_on.python_value)


def refresh_next_milestones(project_ids=None):
    """Bring each project's next milestone up to date (all projects when ``project_ids`` is None).

    Called wherever milestones or a project's status change: planning, filing, the demo, a migration.
    """
    kind, due = next_milestone_of(Project.id, Project.status)
    update = Project.update(milestone=kind, milestone_due=due)
    if project_ids is None:
        update.execute()
        return
    ids = list(project_ids)
    for start in range(0, len(ids), 500):
        update.where(Project.id.in_(ids[start : start + 500])).execute()


def light_thresholds(config):
    """What the lights are judged by: ``[warnings]``, with ``[statistics_inclusion]`` under that key."""
    return {**config["warnings"], "statistics_inclusion": config["statistics_inclusion"]}


def warning_conditions(today, thresholds, model=Project):
    """{rule code: SQL condition} for the date ``today``.

    ``model`` is Project for today's lights, or ProjectSnapshot (same column
    names) for the lights of a closed week. ``thresholds`` is ``light_thresholds(config)``;
    the ``[warnings]`` section alone judges no 入库纳统 rule (those conditions are false).
    """
    not_started = model.status.not_in(UNDER_WAY) & (model.status != "suspended")
    milestone_due = model.milestone_due

    def within(column, item, level):
        return column <= today + dt.timedelta(days=thresholds[f"{level}_days_before_{item}"])

    active = model.status.not_in(("completed", "suspended"))
    return {
        "deadline_passed": not_started & (model.start_deadline < today),
        "suspended": model.status == "suspended",
        "far_behind": behind_plan(model, today, thresholds["red_behind_percent"]),
        "milestone_overdue": active & (milestone_due < today),
        "deadline_imminent": not_started & within(model.start_deadline, "deadline", "red"),
        "milestone_imminent": active & within(milestone_due, "milestone", "red"),
        "deadline_near": not_started & within(model.start_deadline, "deadline", "yellow"),
        "milestone_near": active & within(milestone_due, "milestone", "yellow"),
        "behind": behind_plan(model, today, thresholds["yellow_behind_percent"]),
        **_inclusion_conditions(today, thresholds.get("statistics_inclusion"), model),
    }


def _inclusion_conditions(today, settings, model):
    if settings is None:
        return {"not_included_long": Value(False), "not_included": Value(False)}
    return {
        "not_included_long": not_included_for(today, settings["red_months"], settings, model),
        "not_included": not_included_for(today, settings["yellow_months"], settings, model),
    }


def warning_rule(today, thresholds, model=Project):
    """A CASE expression giving the code of the first rule met, NULL for green."""
    conditions = warning_conditions(today, thresholds, model)
    return Case(None, [(conditions[code], code) for code in RULE_LEVELS], None)


def level_of(rule):
    return RULE_LEVELS.get(rule, "green") if rule else "green"


def level_condition(level, today, thresholds):
    """A WHERE condition selecting the projects whose light is ``level``."""
    rule = warning_rule(today, thresholds)
    codes = [code for code, rule_level in RULE_LEVELS.items() if rule_level == level]
    return rule.is_null() if level == "green" else rule.in_(codes)


def describe(rule, project, today):
    """The reason for a light, in words, with the figures behind it."""
    if rule in ("deadline_passed", "deadline_imminent", "deadline_near"):
        days = (project.start_deadline - today).days
        when = f"已超期 {-days} 天" if days < 0 else f"还剩 {days} 天"
        return f"开工时限 {project.start_deadline:%Y-%m-%d}，{when}，尚未开复工"
    if rule in ("milestone_overdue", "milestone_imminent", "milestone_near"):
        days = (project.milestone_due - today).days
        when = f"已逾期 {-days} 天" if days < 0 else f"还剩 {days} 天"
        return (
            f"倒排工期节点“{MILESTONES[project.milestone]}”计划 {project.milestone_due:%Y-%m-%d} 完成，{when}，尚未完成"
        )
    if rule == "suspended":
        return "项目停工"
    if rule in ("far_behind", "behind"):
        return behind_words(
            project.investment_completed, project.annual_plan_investment, monthly_values(project), today
        )
    if rule in ("not_included_long", "not_included"):
        return inclusion_words(project, today)
    return "进展正常"


def severity(today, thresholds):
    """0 for red, 1 for yellow, 2 for green: an ORDER BY that puts trouble first."""
    red, yellow = (level_condition(level, today, thresholds) for level in ("red", "yellow"))
    return Case(None, [(red, 0), (yellow, 1)], 2)
