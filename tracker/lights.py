"""Warning lights (红黄绿灯预警) as one SQL CASE, so pages can filter and count by them.

Each rule has a code and a level; the first rule a project meets, in the order
of RULE_LEVELS, names its light and the reason shown beside it. A project that
meets none is green.
"""

import datetime as dt

from peewee import Case

from .models import UNDER_WAY, Project

LEVELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
RULE_LEVELS = {
    "deadline_passed": "red",
    "suspended": "red",
    "far_behind": "red",
    "deadline_near": "yellow",
    "behind": "yellow",
}
IN_PROGRESS = ("started", "restarted")


def expected_share(today):
    """Percent of the annual plan due by ``today`` on a straight line through the year."""
    start = dt.date(today.year, 1, 1)
    days = (dt.date(today.year + 1, 1, 1) - start).days
    return 100 * ((today - start).days + 1) / days


def warning_conditions(today, thresholds, model=Project):
    """{rule code: SQL condition} for the date ``today``.

    ``model`` is Project for today's lights, or ProjectSnapshot (same column
    names) for the lights of a closed week.
    """
    not_started = model.status.not_in(UNDER_WAY) & (model.status != "suspended")
    in_progress = model.status.in_(IN_PROGRESS)
    due = expected_share(today)
    soon = today + dt.timedelta(days=thresholds["yellow_days_before_deadline"])

    def behind(percent):
        # completed < due share of the plan, less ``percent`` of it; multiplied out to stay in SQL numbers
        return in_progress & (
            model.investment_completed * 10_000 < model.annual_plan_investment * due * (100 - percent)
        )

    return {
        "deadline_passed": not_started & (model.start_deadline < today),
        "suspended": model.status == "suspended",
        "far_behind": behind(thresholds["red_behind_percent"]),
        "deadline_near": not_started & (model.start_deadline <= soon),
        "behind": behind(thresholds["yellow_behind_percent"]),
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
    if rule in ("deadline_passed", "deadline_near"):
        days = (project.start_deadline - today).days
        when = f"已超期 {-days} 天" if days < 0 else f"还剩 {days} 天"
        return f"开工时限 {project.start_deadline:%Y-%m-%d}，{when}，尚未开复工"
    if rule == "suspended":
        return "项目停工"
    if rule in ("far_behind", "behind"):
        due = round(project.annual_plan_investment * expected_share(today) / 100)
        return f"累计完成投资 {project.investment_completed} 万元，按序时进度应完成约 {due} 万元"
    return "进展正常"


def severity(today, thresholds):
    """0 for red, 1 for yellow, 2 for green: an ORDER BY that puts trouble first."""
    red, yellow = (level_condition(level, today, thresholds) for level in ("red", "yellow"))
    return Case(None, [(red, 0), (yellow, 1)], 2)
