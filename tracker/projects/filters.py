"""The project filters shared by the dashboard, battle map, project list, export and API."""

from peewee import fn

from tracker.accounts.models import LeadOfficial
from tracker.projects.lights import LEVELS, level_condition
from tracker.projects.models import STATUSES, UNDER_WAY, ProgressReport, Project

# Filters by a project's own attributes; each is a plain equality.
ATTRIBUTE_FILTERS = ("lead_official", "lead_department", "county", "industry_chain", "status")


# Drill-downs the dashboard links to: the projects behind a figure.
DRILL_DOWNS = ("under_way", "unreported", "light")


class FilterError(ValueError):
    """A filter value names nothing that exists; ``field`` names the filter."""

    def __init__(self, field, message):
        self.field = field
        super().__init__(message)


def project_condition(args, week, today, thresholds):
    """A WHERE condition for the filters present in ``args`` (a mapping of strings).

    ``week`` is the reporting week that ``unreported`` refers to; ``today`` and
    ``thresholds`` date the warning lights.
    """
    condition = Project.archived == False  # noqa: E712 (peewee expression)
    if args.get("lead_official"):
        official = LeadOfficial.select(LeadOfficial.id).where(LeadOfficial.name == args["lead_official"])
        condition &= Project.lead_official.in_(official)
    for field in ("lead_department", "county", "industry_chain"):
        if args.get(field):
            condition &= getattr(Project, field) == args[field]
    if args.get("status"):
        if args["status"] not in STATUSES:
            raise FilterError("status", f"未知的项目状态 {args['status']}")
        condition &= Project.status == args["status"]
    if args.get("under_way"):
        condition &= Project.status.in_(UNDER_WAY)
    if args.get("unreported"):
        reported = ProgressReport.select(ProgressReport.project).where(ProgressReport.week == week)
        condition &= Project.id.not_in(reported)
    if args.get("light"):
        if args["light"] not in LEVELS:
            raise FilterError("light", f"未知的预警等级 {args['light']}")
        condition &= level_condition(args["light"], today, thresholds)
    return condition


def filter_choices():
    """The values each attribute filter can take, for the filter bar's drop-downs."""
    choices = {
        "lead_official": [
            name for (name,) in LeadOfficial.select(LeadOfficial.name).order_by(LeadOfficial.name).tuples()
        ]
    }
    active = Project.archived == False  # noqa: E712
    for field in ("lead_department", "county", "industry_chain"):
        column = getattr(Project, field)
        choices[field] = [v for (v,) in Project.select(fn.DISTINCT(column)).where(active).order_by(column).tuples()]
    choices["status"] = list(STATUSES)
    return choices
