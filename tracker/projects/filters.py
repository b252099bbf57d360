"""The project filters shared by the dashboard, battle map, project list, export and API."""

from peewee import fn

from tracker.accounts.models import LeadOfficial
from tracker.projects.inclusion import must_be_included
from tracker.projects.lights import LEVELS, level_condition
from tracker.projects.models import LEVELS as PROJECT_LEVELS
from tracker.projects.models import LISTED_FIELDS, STAGES, STATUSES, UNDER_WAY, ListEntry, ProgressReport, Project
from tracker.projects.monthly_plan import behind_schedule

# Filters by a project's own attributes: a plain equality, but for the category, which takes a section with
# everything under it.
ATTRIBUTE_FILTERS = (
    "category",
    "lead_official",
    "lead_department",
    "county",
    "industry_chain",
    "status",
    "stage",
    "level",
)


# The search box: a project's name containing the text, or its code or national code starting with it.
SEARCH = "q"


# Drill-downs the dashboard links to: the projects behind a figure; and the 待完善 ones.
DRILL_DOWNS = ("under_way", "unreported", "light", "incomplete", "not_included", "behind_schedule")


# How a published list writes a section inside another: 基础设施 / 交通 / 铁路.
SECTION_SEPARATOR = " / "


# Filters whose value must be one of a fixed set of codes.
CHOICE_FILTERS = {
    "status": (STATUSES, "项目状态"),
    "stage": (STAGES, "建设阶段"),
    "level": (PROJECT_LEVELS, "项目级别"),
}


class FilterError(ValueError):
    """A filter value names nothing that exists; ``field`` names the filter."""

    def __init__(self, field, message):
        self.field = field
        super().__init__(message)


def project_condition(args, week, today, thresholds):
    """A WHERE condition for the filters present in ``args`` (a mapping of strings).

    ``week`` is the reporting week that ``unreported`` refers to; ``today`` and
    ``thresholds`` (lights.light_thresholds) date the warning lights and say who must be 入库纳统.
    """
    condition = Project.archived == False  # noqa: E712 (peewee expression)
    if args.get("lead_official"):
        official = LeadOfficial.select(LeadOfficial.id).where(LeadOfficial.name == args["lead_official"])
        condition &= Project.lead_official.in_(official)
    for field in ("lead_department", "county", "industry_chain"):
        if args.get(field):
            condition &= getattr(Project, field) == args[field]
    if args.get("category"):
        section = args["category"]
        condition &= (Project.category == section) | Project.category.startswith(section + SECTION_SEPARATOR)
    for field, (choices, label) in CHOICE_FILTERS.items():
        if args.get(field):
            if args[field] not in choices:
                raise FilterError(field, f"未知的{label} {args[field]}")
            condition &= getattr(Project, field) == args[field]
    if (args.get(SEARCH) or "").strip():
        condition &= search_condition(args[SEARCH])
    if args.get("incomplete"):
        condition &= Project.incomplete()
    if args.get("under_way"):
        condition &= Project.status.in_(UNDER_WAY)
    if args.get("unreported"):
        # As the figures count it: a report awaiting its county's review is not there yet.
        reported = ProgressReport.select(ProgressReport.project).where(
            (ProgressReport.week == week) & ProgressReport.accepted()
        )
        condition &= Project.id.not_in(reported)
    if args.get("not_included") and "statistics_inclusion" in thresholds:
        settings = thresholds["statistics_inclusion"]
        condition &= must_be_included(settings) & (Project.statistics_included == False)  # noqa: E712
    if args.get("behind_schedule"):
        condition &= behind_schedule(Project, today)
    if args.get("light"):
        if args["light"] not in LEVELS:
            raise FilterError("light", f"未知的预警等级 {args['light']}")
        condition &= level_condition(args["light"], today, thresholds)
    return condition


def search_condition(text):
    """Projects whose name contains ``text`` or whose code or national code starts with it, ignoring case.

    A code typed whole finds its project (a code is its own prefix); a code's beginning finds the
    projects numbered under it (2026-00 …); any part of a name finds the projects so named. The
    text is matched literally: % and _ are no wildcards.
    """
    text = text.strip()
    return Project.code.startswith(text) | Project.national_code.startswith(text) | Project.name.contains(text)


def filter_choices():
    """The values each attribute filter can take, for the filter bar's drop-downs."""
    choices = {
        "lead_official": [
            name for (name,) in LeadOfficial.select(LeadOfficial.name).order_by(LeadOfficial.name).tuples()
        ]
    }
    for field in ("lead_department", "county", "industry_chain", "category"):
        choices[field] = _in_use(field)
    # The managed lists in the office's order; a name live projects use and the list lacks or retired follows.
    for field, kind in LISTED_FIELDS.items():
        choices[field] = ListEntry.names(kind, keep=choices[field])
    choices["category"] = _sections(choices["category"])
    for field, (values, _label) in CHOICE_FILTERS.items():
        choices[field] = list(values)
    return choices


def _in_use(field):
    """The values of the project column ``field`` among the active projects, sorted."""
    column = getattr(Project, field)
    active = Project.archived == False  # noqa: E712
    return [v for (v,) in Project.select(fn.DISTINCT(column)).where(active & (column != "")).order_by(column).tuples()]


def _sections(categories):
    """Every section the categories name, parents included: 基础设施, 基础设施 / 交通, 基础设施 / 交通 / 铁路."""
    parts = (category.split(SECTION_SEPARATOR) for category in categories)
    return sorted({SECTION_SEPARATOR.join(names[:depth]) for names in parts for depth in range(1, len(names) + 1)})
