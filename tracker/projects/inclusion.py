"""入库纳统 (statistics inclusion): which projects must be in the statistics system, which lag, and the city's rate.

A project under way (started, restarted or completed) whose total investment is at least
``[statistics_inclusion] threshold`` 万元 must be included. Not included ``yellow_months``
after its start (开复工) its light turns yellow, ``red_months`` after it red (projects.lights).
Everything here is an SQL condition over Project or ProjectSnapshot (the same column names),
so pages count and filter by it without loading a project."""

import calendar
import datetime as dt
from decimal import Decimal

from peewee import Case, fn

from tracker.core.money import money, percent
from tracker.projects.models import UNDER_WAY, Project


def months_before(day, months):
    """The day ``months`` calendar months before ``day`` (the 31st of a shorter month falls on its last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_months(since, day):
    """Whole calendar months from ``since`` to ``day``: 2026-03-15 → 2026-05-14 is 1, → 2026-05-15 is 2."""
    months = (day.year - since.year) * 12 + day.month - since.month
    return months if months_before(day, months) >= since else months - 1


def threshold(settings):
    """The ``[statistics_inclusion] threshold`` as exact 万元."""
    return Decimal(str(settings["threshold"]))


def must_be_included(settings, model=Project):
    """SQL condition: under way since a known day, and at or above the threshold amount."""
    return (
        model.status.in_(UNDER_WAY) & model.started_on.is_null(False) & (model.total_investment >= threshold(settings))
    )


def not_included_for(day, months, settings, model=Project):
    """SQL condition: must be included, is not, and has been under way at least ``months`` months on ``day``."""
    return (
        must_be_included(settings, model)
        & (model.statistics_included == False)  # noqa: E712 (peewee expression)
        & (model.started_on <= months_before(day, months))
    )


def must_include(project, settings):
    """Whether one ``project`` must be included and is not: ``must_be_included`` for a row in hand."""
    return (
        project.status in UNDER_WAY
        and project.started_on is not None
        and project.total_investment >= threshold(settings)
        and not project.statistics_included
    )


def inclusion_level(project, day, settings):
    """ "red", "yellow" or None: the 入库纳统 light of one project on ``day``, as ``not_included_for`` judges it."""
    if not must_include(project, settings):
        return None
    for level in ("red", "yellow"):
        if project.started_on <= months_before(day, settings[f"{level}_months"]):
            return level
    return None


def inclusion_rate(condition, settings):
    """入库率 of the live projects ``condition`` selects: {"numerator": included, "denominator": must be, "percent"}."""
    must = must_be_included(settings)
    included = must & (Project.statistics_included == True)  # noqa: E712
    row = (
        Project.select(
            fn.COALESCE(fn.SUM(Case(None, [(included, 1)], 0)), 0),
            fn.COALESCE(fn.SUM(Case(None, [(must, 1)], 0)), 0),
        )
        .where((Project.archived == False) & condition)  # noqa: E712
        .tuples()
        .get()
    )
    numerator, denominator = int(row[0]), int(row[1])
    return {"numerator": numerator, "denominator": denominator, "percent": percent(numerator, denominator)}


def lacking_inclusion(condition, settings):
    """The live projects ``condition`` selects that must be included and are not, earliest start first."""
    return (
        Project.select()
        .where(
            (Project.archived == False)  # noqa: E712
            & condition
            & must_be_included(settings)
            & (Project.statistics_included == False)  # noqa: E712
        )
        .order_by(Project.started_on, Project.code)
    )


def inclusion_words(project, day):
    """Why a project's light is on for 入库纳统, in words."""
    months = full_months(project.started_on, day)
    return (
        f"{project.started_on:%Y-%m-%d} 开复工，已 {months} 个月，总投资 {money(project.total_investment)}，尚未入库纳统"
        + (f"（原因：{project.statistics_reason}）" if getattr(project, "statistics_reason", "") else "")
    )
