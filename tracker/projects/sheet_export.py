"""Exporting the project list (包抓清单) as an .xlsx that sheet_import reads back unchanged, and the 调度表.

A title row, the header row, then one row per project ordered by code: every
registry.PROJECT_FIELDS column and each milestone's planned date. Written
through tracker.core.xlsx, so a name such as "=1+1" stays text; the import
takes off the apostrophe that marks it."""

from peewee import JOIN, fn

from tracker.accounts.models import LeadOfficial
from tracker.core import xlsx
from tracker.core.money import percent
from tracker.projects.lights import LEVELS as LIGHT_LEVELS
from tracker.projects.lights import level_of, warning_rule
from tracker.projects.models import KINDS, LEVELS, MILESTONES, STAGES, STATUSES, Milestone, ProgressReport, Project
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
    values["statistics_included"] = "是" if values["statistics_included"] else "否"
    return [values[f] for f in PROJECT_FIELDS] + [planned.get(kind) for kind in MILESTONES]


DISPATCH_TITLE = "重点项目调度表"


DISPATCH_HEADER = [
    "序号",
    "项目编号",
    "项目名称",
    "分类",
    "县区",
    "市级包抓领导",
    "项目单位",
    "总投资（万元）",
    "年度计划投资（万元）",
    "本年完成投资（万元）",
    "占年度计划（%）",
    "累计完成投资（万元）",
    "项目状态",
    "预警",
    "最近填报周",
    "形象进度",
]


def export_dispatch_table(query, today, thresholds):
    """The 调度表 an office sends upward: each project's status, this year's investment against the plan, its light.

    This year's investment is the cumulative figure less the one the last
    report of an earlier year stated. Three queries, whatever the number of
    projects; ordered as the list is, by category then code.
    """
    year_start = _completed_before(query, f"{today.year}-W01")
    rows = (
        query.select_extend(LeadOfficial.name.alias("leader_name"), warning_rule(today, thresholds).alias("rule"))
        .switch(Project)
        .join(LeadOfficial, JOIN.LEFT_OUTER)
        .order_by(Project.category, Project.code)
    )
    book = xlsx.new_workbook(write_only=True)
    sheet = book.create_sheet(DISPATCH_TITLE)
    body = [_dispatch_row(n, project, year_start.get(project.id, 0)) for n, project in enumerate(rows.objects(), 1)]
    xlsx.fit_columns(sheet, [DISPATCH_HEADER, *body])
    xlsx.freeze_panes(sheet, below_row=HEADER_ROW, right_of_column=3)
    xlsx.print_setup(sheet, header_rows=(HEADER_ROW, HEADER_ROW))
    xlsx.append_title(sheet, f"{DISPATCH_TITLE}（截至 {today:%Y年%m月%d日}）")
    xlsx.append_header(sheet, DISPATCH_HEADER)
    for row in body:
        xlsx.append_row(sheet, row)
    return xlsx.to_bytes(book)


def _completed_before(query, week):
    """{project id: cumulative investment its last report before ``week`` stated}."""
    last = (
        ProgressReport.select(ProgressReport.project, fn.MAX(ProgressReport.week).alias("week"))
        .where((ProgressReport.week < week) & ProgressReport.project.in_(query.select(Project.id)))
        .group_by(ProgressReport.project)
    )
    rows = ProgressReport.select(ProgressReport.project, ProgressReport.investment_completed).join(
        last, on=((ProgressReport.project == last.c.project_id) & (ProgressReport.week == last.c.week))
    )
    return dict(rows.tuples())


def _dispatch_row(number, project, completed_before):
    this_year = project.investment_completed - completed_before
    plan = project.annual_plan_investment
    return [
        number,
        project.code,
        project.name,
        project.category,
        project.county,
        project.leader_name or "",
        project.project_unit,
        project.total_investment,
        plan,
        this_year,
        percent(this_year, plan) if plan else None,
        project.investment_completed,
        STATUSES[project.status],
        LIGHT_LEVELS[level_of(project.rule)],
        project.last_report_week or "未填报",
        project.physical_progress,
    ]
