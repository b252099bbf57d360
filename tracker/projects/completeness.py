"""待完善: how many projects a rule had to leave out for lack of a field it needs, in the words pages and emails print.

A rule that needs a field a project lacks (the start deadline, the annual plan,
the lead official) skips the project rather than guess; the place showing the
rule's result says how many it skipped and why, from ``skip_notes``."""

from peewee import Case, fn

from tracker.projects.models import COMPLETION_FIELDS, Project

# How a project lacking the field is described.
LACKING = {
    "lead_official": "未确定包抓领导",
    "start_deadline": "未填开工时限",
    "annual_plan_investment": "未填年度计划投资",
}


def skip_notes(needs, model=Project, where=None):
    """["3 个项目未确定包抓领导，未纳入领导周报", …]: one sentence per field some rows of ``model`` lack.

    ``needs`` maps a field of LACKING to what a rule does without it ("未纳入领导周报");
    ``where`` selects the rows the rule looked at (None: the active projects). One query.
    """
    if where is None:
        where = Project.archived == False  # noqa: E712 (peewee expression)
    counts = [fn.SUM(Case(None, [(getattr(model, name).is_null(), 1)], 0)) for name in needs]
    row = model.select(*counts).where(where).tuples().get()
    return [
        f"{int(count)} 个项目{LACKING[name]}，{consequence}"
        for (name, consequence), count in zip(needs.items(), row, strict=True)
        if count
    ]


def missing_counts(where):
    """{field of COMPLETION_FIELDS: how many of the projects ``where`` selects lack it}, in one query."""
    counts = [fn.SUM(Case(None, [(Project.lacks(name), 1)], 0)) for name in COMPLETION_FIELDS]
    row = Project.select(*counts).where(where).tuples().get()
    return {name: int(count or 0) for name, count in zip(COMPLETION_FIELDS, row, strict=True)}
