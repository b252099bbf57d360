"""The OC4IDS project package of the projects a condition selects: four queries, whatever their number."""

import json
from urllib.parse import urlencode

from peewee import JOIN, fn

from tracker.accounts.models import LeadOfficial
from tracker.core.weeks import week_monday
from tracker.oc4ids.mapping import Dates, oc4ids_project, utc_stamp
from tracker.projects.models import FundsSecured, Milestone, ProgressReport, Project

# The package's "version" is the schema's major.minor (its pattern allows no more); the schema is 0.9.5.
VERSION = "0.9"


# Where the package is served, below [web] base_url; the extension is a static file beside the site's.
PATH = "/api/v1/oc4ids"
EXTENSION_PATH = "/static/oc4ids/extension.json"


class NothingToPublish(Exception):
    """No project matches: an OC4IDS package holds at least one project."""

    def __init__(self):
        super().__init__("没有符合条件的项目：OC4IDS 项目包至少要有一个项目")


def build_package(config, today, condition=None, filters=None):
    """The package of the projects ``condition`` selects (default: every project not archived), as a dict.

    ``filters`` (the query string that selected them) become part of the package's uri.
    ``today`` (the city's date) says which planned milestones are overdue. Raises NothingToPublish.
    """
    condition = Project.archived == False if condition is None else condition  # noqa: E712
    rows = list(
        Project.select(Project, LeadOfficial)
        .join(LeadOfficial, JOIN.LEFT_OUTER)
        .where(condition)
        .order_by(Project.code)
    )
    if not rows:
        raise NothingToPublish()
    selected = Project.select(Project.id).join(LeadOfficial, JOIN.LEFT_OUTER).where(condition)
    facts = {row.id: {"milestones": [], "funds": {}, "since": None} for row in rows}
    for milestone in Milestone.select().where(Milestone.project.in_(selected)):
        facts[milestone.project_id]["milestones"].append(milestone)
    for funds in FundsSecured.select().where(FundsSecured.project.in_(selected)):
        facts[funds.project_id]["funds"][funds.source] = funds.amount
    for project_id, week in _runs_since(selected):
        facts[project_id]["since"] = week_monday(week)
    base_url = config["web"]["base_url"].rstrip("/")
    query = urlencode(sorted((key, _text(item)) for key, item in (filters or {}).items()))
    oc4ids = config["oc4ids"]
    dates = Dates(config["city"]["timezone"])
    package = {
        "uri": base_url + PATH + (f"?{query}" if query else ""),
        "version": VERSION,
        "publishedDate": utc_stamp(max(row.updated_at for row in rows)),
        "publisher": {"name": config["city"]["name"]},
        "license": oc4ids["license"],
        "publicationPolicy": oc4ids["publication_policy"],
        "extensions": [base_url + EXTENSION_PATH],
        "projects": [oc4ids_project(row, facts[row.id], dates, oc4ids["id_prefix"], today) for row in rows],
    }
    return {key: item for key, item in package.items() if item}


def _text(item):
    return str(item).lower() if isinstance(item, bool) else str(item)


def _runs_since(selected):
    """(project id, week) of the first week of each suspended or completed project's current run of such reports.

    The run is the accepted reports of the project's current status after its last accepted
    report of another status.
    """
    earlier = ProgressReport.alias()
    last_other = earlier.select(fn.MAX(earlier.week)).where(
        (earlier.project == ProgressReport.project)
        & (earlier.review_state == "accepted")
        & (earlier.status != Project.status)
    )
    return (
        ProgressReport.select(ProgressReport.project, fn.MIN(ProgressReport.week))
        .join(Project)
        .where(
            Project.id.in_(selected)
            & Project.status.in_(("suspended", "completed"))
            & ProgressReport.accepted()
            & (ProgressReport.status == Project.status)
            & (ProgressReport.week > fn.COALESCE(last_other, ""))
        )
        .group_by(ProgressReport.project)
        .tuples()
    )


def package_json(package, indent=None):
    """The package as JSON text, Chinese kept as it is (not \\u escapes)."""
    return json.dumps(package, ensure_ascii=False, indent=indent)
