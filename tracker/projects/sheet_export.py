"""Exporting the project list (包抓清单) as an .xlsx that sheet_import reads back unchanged.

A title row, the header row, then one row per project ordered by code: every
registry.PROJECT_FIELDS column and each milestone's planned date. Written
through tracker.core.xlsx, so a name such as "=1+1" stays text; the import
takes off the apostrophe that marks it."""

from tracker.accounts.models import LeadOfficial
from tracker.core import xlsx
from tracker.projects.models import KINDS, LEVELS, MILESTONES, STAGES, Milestone, Project
from tracker.projects.registry import FIELD_LABELS, PROJECT_FIELDS
from tracker.projects.sheet_values import AMOUNT_FIELDS

TITLE = "重点项目包抓清单"


HEADER_ROW = 2  # under the title


# The code and the name stay in view while scrolling right.
FIXED_COLUMNS = PROJECT_FIELDS.index("name") + 1


def export_project_list(query):
    """The projects of ``query`` as the bytes of an .xlsx that import_project_list reads back.

    Three queries in all, whatever the number of projects.
    """
    header = [FIELD_LABELS[f] + ("（万元）" if f in AMOUNT_FIELDS else "") for f in PROJECT_FIELDS]
    header += [f"{label}（计划）" for label in MILESTONES.values()]
    leaders = dict(LeadOfficial.select(LeadOfficial.id, LeadOfficial.name).tuples())
    planned = _planned_dates(query)
    projects = query.order_by(Project.code).iterator()
    rows = [_row(project, leaders.get(project.lead_official_id), planned.get(project.id, {})) for project in projects]
    # Write-only keeps no cell objects, for a province's list; its sheet takes widths and panes before any row.
    book = xlsx.new_workbook(write_only=True)
    sheet = book.create_sheet(TITLE)
    xlsx.fit_columns(sheet, [header, *rows])
    xlsx.freeze_panes(sheet, below_row=HEADER_ROW, right_of_column=FIXED_COLUMNS)
    xlsx.print_setup(sheet, header_rows=(HEADER_ROW, HEADER_ROW))
    xlsx.append_title(sheet, TITLE)
    xlsx.append_header(sheet, header)
    for row in rows:
        xlsx.append_row(sheet, row)
    return xlsx.to_bytes(book)


def _planned_dates(query):
    """{project id: {milestone kind: planned date}} for the projects of ``query``, in one query."""
    rows = (
        Milestone.select(Milestone.project, Milestone.kind, Milestone.planned_on)
        .where(Milestone.project.in_(query.select(Project.id)) & Milestone.planned_on.is_null(False))
        .tuples()
    )
    planned = {}
    for project_id, kind, day in rows:
        planned.setdefault(project_id, {})[kind] = day
    return planned


def _row(project, leader, planned):
    values = {f: getattr(project, f) for f in PROJECT_FIELDS if f != "lead_official"}
    values["lead_official"] = leader
    # Choices as the list writes them: 续建, 新开工, 省级 …
    for name, labels in (("kind", KINDS), ("stage", STAGES), ("level", LEVELS)):
        values[name] = labels.get(values[name], values[name])
    return [values[f] for f in PROJECT_FIELDS] + [planned.get(kind) for kind in MILESTONES]
