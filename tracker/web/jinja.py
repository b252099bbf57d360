"""Jinja filters and globals: money in 万元/亿元, local times, Chinese labels."""

import zoneinfo

from markupsafe import Markup

from tracker.accounts.models import ROLES
from tracker.core.limits import MAX_NAME
from tracker.core.money import money
from tracker.core.partial_dates import format_partial_date, format_span
from tracker.core.weeks import cutoff_text, local_now, report_cutoff, week_label
from tracker.projects import inclusion, lights, models, monthly_plan, registry


def init_app(app):
    timezone = zoneinfo.ZoneInfo(app.config["TRACKER"]["city"]["timezone"])

    def localtime(value):
        if value is None:
            return ""
        return value.replace(tzinfo=zoneinfo.ZoneInfo("UTC")).astimezone(timezone).strftime("%Y-%m-%d %H:%M")

    def light(level):
        return Markup('<span class="light light-{0}" title="{1}">{1}</span>').format(level, lights.LEVELS[level])

    app.jinja_env.filters.update(
        money=money, localtime=localtime, light=light, partial_date=format_partial_date, week=week_label
    )

    def report_deadline(week):
        """The line owners read above a week's reports: when they lock and how long is left."""
        reporting, zone = app.config["TRACKER"]["reporting"], app.config["TRACKER"]["city"]["timezone"]
        return cutoff_text(report_cutoff(week, reporting["cutoff"], zone), local_now(zone))

    app.jinja_env.globals.update(
        report_deadline=report_deadline,
        STATUSES=models.STATUSES,
        KINDS=models.KINDS,
        STAGES=models.STAGES,
        LEVELS=models.LEVELS,
        FIELD_LABELS=registry.FIELD_LABELS,
        construction_span=format_span,
        ROLES=ROLES,
        FUNDING_SOURCES=models.FUNDING_SOURCES,
        MILESTONES=models.MILESTONES,
        CITY=app.config["TRACKER"]["city"]["name"],
        MAX_SEARCH=MAX_NAME,  # the search boxes and filters: as the query string allows (web.listing)
        INCLUSION_THRESHOLD=inclusion.threshold(app.config["TRACKER"]["statistics_inclusion"]),
        REVIEW_STATES=models.REVIEW_STATES,
        schedule_words=monthly_plan.progress_words,
        schedule_of=monthly_plan.progress_of,
    )
