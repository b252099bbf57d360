"""The tables of the key-project registry: projects, their milestones, weekly reports and funds, and the change log.

Money is Decimal 万元 with two places (core.money.MoneyField). A project row carries its current figures (status,
investment completed, last report) so that the dashboard aggregates one table;
reports, funds and the change log keep the history behind them."""

import datetime as dt
import operator
from decimal import Decimal
from functools import reduce

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import BaseModel, bulk_insert
from tracker.core.money import MoneyField, amount_text, money_sum
from tracker.core.weeks import utc_now

KINDS = {"new": "新建", "continuing": "续建"}


# 建设性质 as published lists state it; the kind follows from it (a new start, a preparatory or
# pre-construction project must still start; the others are under way since an earlier year).
STAGES = {
    "new_start": "新开工",
    "continuing": "续建",
    "completing": "竣工投产",
    "preparatory": "预备",
    "pre_construction": "前期",
}


LEVELS = {"provincial": "省级", "city": "市级", "county": "县级"}


STATUSES = {
    "not_started": "未开工",
    "started": "已开工",
    "restarted": "已复工",
    "suspended": "停工",
    "completed": "已竣工",
}


# Statuses that count as "started or restarted" in the restart rate (开复工率):
# a completed project has started; a suspended one is not working now.
UNDER_WAY = ("started", "restarted", "completed")


FUNDING_SOURCES = {
    "central_budget": "中央预算内",
    "provincial": "省级资金",
    "special_bonds": "专项债券",
    "bank_loans": "银行贷款",
    "self_raised": "企业自筹",
    "other": "其他",
}


# 倒排工期: the approval procedures before the start, then the works after it.
PROCEDURES = {
    "approval": "立项",
    "land": "用地",
    "planning": "规划许可",
    "environment": "环评",
    "construction_permit": "施工许可",
}


WORKS = {"start": "开工", "main_works": "主体施工", "completion": "竣工", "production": "投产"}


MILESTONES = {**PROCEDURES, **WORKS}


# What the rhythm needs of a project and a published list often lacks (待完善): the leader
# gets the mail, the person reports by phone, the deadline drives the restart and lagging
# rules, the annual plan the behind-plan rule. A project lacking one is imported all the
# same; each rule that needs the field skips it and says so.
COMPLETION_FIELDS = (
    "lead_official",
    "responsible_person",
    "responsible_phone",
    "start_deadline",
    "annual_plan_investment",
    "county",
    "project_unit",
    "lead_department",
)


# 分月计划: the cumulative plan to the end of each month of the year, 万元 (monthly_plan_01 … monthly_plan_12).
MONTHLY_PLAN_COLUMNS = tuple(f"monthly_plan_{month:02d}" for month in range(1, 13))


def add_monthly_plan_columns(model):
    """Give ``model`` the twelve nullable money columns of MONTHLY_PLAN_COLUMNS (a project, or its snapshot)."""
    for name in MONTHLY_PLAN_COLUMNS:
        model._meta.add_field(name, MoneyField(null=True))


class Project(BaseModel):
    """重点项目: one row of the key-project list, with its current figures."""

    code = CharField(unique=True)
    national_code = CharField(null=True, unique=True)
    name = CharField()
    category = CharField(default="", index=True)
    county = CharField(default="", index=True)
    location = CharField(default="")
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)
    industry_chain = CharField(default="", index=True)
    kind = CharField(default="new")
    stage = CharField(default="")
    level = CharField(default="")
    scale_and_content = TextField(default="")
    annual_target = TextField(default="")
    project_unit = CharField(default="")
    responsible_person = CharField(default="")
    responsible_phone = CharField(default="")
    responsible_email = CharField(default="")
    owner = ForeignKeyField(User, null=True, backref="projects", on_delete="SET NULL")
    lead_official = ForeignKeyField(LeadOfficial, null=True, backref="projects", on_delete="RESTRICT")
    lead_department = CharField(default="", index=True)
    total_investment = MoneyField()
    annual_plan_investment = MoneyField(null=True)
    start_deadline = DateField(null=True)
    # As precise as the list states them: "2023", "2024-10" or "2024-10-15".
    planned_start = CharField(default="")
    planned_completion = CharField(default="")
    status = CharField(default="not_started", index=True)
    started_on = DateField(null=True)
    investment_completed = MoneyField(default=0)
    physical_progress = TextField(default="")
    last_report_week = CharField(null=True)
    # The next milestone (倒排工期) not yet reached and its planned date, kept by
    # lights.refresh_next_milestones, so the warning lights read a column, not a subquery.
    milestone = CharField(null=True)
    milestone_due = DateField(null=True)
    # 入库纳统: whether the project has entered the statistics system, since when, and why not yet.
    statistics_included = BooleanField(default=False)
    statistics_included_on = DateField(null=True)
    statistics_reason = TextField(default="")
    archived = BooleanField(default=False, index=True)
    created_at = DateTimeField(default=utc_now)
    updated_at = DateTimeField(default=utc_now)

    @classmethod
    def active(cls):
        return cls.select().where(cls.archived == False)  # noqa: E712 (peewee expression)

    @classmethod
    def with_owner(cls, query):
        """``query``, which selects Project, with each project's owner account selected beside it (or none).

        So reading ``contact_email`` over the rows costs no query per row.
        """
        return query.select_extend(User).switch(cls).join(User, JOIN.LEFT_OUTER, on=(cls.owner == User.id))

    @property
    def contact_email(self):
        """Where mail to the responsible person goes: the project's address, else their account's, else ""."""
        return self.responsible_email or (self.owner.email if self.owner_id else "")

    @classmethod
    def lacks(cls, name):
        """The condition of a project lacking the field ``name``: NULL, or "" for a text column."""
        column = getattr(cls, name)
        return column.is_null() if column.null else (column == "")

    @classmethod
    def incomplete(cls):
        """The condition of a project lacking a field of COMPLETION_FIELDS (待完善)."""
        return reduce(operator.or_, [cls.lacks(name) for name in COMPLETION_FIELDS])

    @property
    def missing_fields(self):
        """The COMPLETION_FIELDS this project lacks, in that order: what the office must still supply."""
        return [name for name in COMPLETION_FIELDS if self.__data__.get(name) in (None, "")]

    @property
    def is_under_way(self):
        return self.status in UNDER_WAY

    @property
    def funds_secured(self):
        """{source: 万元} cumulative, for this one project."""
        return {row.source: row.amount for row in self.funds}

    @property
    def statistics_inclusion(self):
        """入库纳统 as the API gives it: {"included", "date", "reason"}."""
        return {
            "included": self.statistics_included,
            "date": self.statistics_included_on,
            "reason": self.statistics_reason,
        }

    @property
    def monthly_plan(self):
        """The 12 cumulative month-end amounts (None where not entered)."""
        return [getattr(self, name) for name in MONTHLY_PLAN_COLUMNS]


add_monthly_plan_columns(Project)


class Milestone(BaseModel):
    """倒排工期: one planned step of a project, planned and actual dates."""

    project = ForeignKeyField(Project, backref="milestones", on_delete="CASCADE")
    kind = CharField()
    planned_on = DateField(null=True)
    actual_on = DateField(null=True)

    class Meta:
        indexes = ((("project", "kind"), True),)


# 县区审核: a report of a county under review waits as submitted until its county office accepts
# it or sends it back with a reason; every other report is accepted as it is filed.
REVIEW_STATES = {"submitted": "待审核", "accepted": "已通过", "sent_back": "已退回"}


class ProgressReport(BaseModel):
    """周报: what a project's responsible person files once per ISO week."""

    project = ForeignKeyField(Project, backref="reports", on_delete="CASCADE")
    week = CharField(max_length=8)
    status = CharField()
    investment_completed = MoneyField()
    physical_progress = TextField(default="")
    problems = TextField(default="")
    next_week_plan = TextField(default="")
    explanation = TextField(default="")
    reopened = BooleanField(default=False)
    submitted_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    submitted_at = DateTimeField(default=utc_now)
    updated_at = DateTimeField(default=utc_now)
    # 迟报: first filed after the week's reporting day.
    late = BooleanField(default=False)
    review_state = CharField(default="accepted", index=True)
    review_reason = TextField(default="")
    reviewed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="reviewed_reports")
    reviewed_at = DateTimeField(null=True)
    # Raised by every correction and every review: a write that read an older version changes nothing.
    version = IntegerField(default=0)

    class Meta:
        table_name = "progress_report"
        # (week, project) finds a week's reports; (project, week) a project's latest.
        indexes = ((("week", "project"), True), (("project", "week"), False))

    @classmethod
    def of_week_and_before(cls, project, week):
        """(the project's report of ``week``, its last report from a week before), each None if missing; one query."""
        rows = list(
            cls.select().where((cls.project == project) & (cls.week <= week)).order_by(cls.week.desc()).limit(2)
        )
        current = rows.pop(0) if rows and rows[0].week == week else None
        return current, (rows[0] if rows else None)

    @classmethod
    def accepted(cls):
        """The condition of a report the city's figures count: accepted (at once, or by its county office)."""
        return cls.review_state == "accepted"

    @property
    def review(self):
        """The report's review as the API gives it: {"state", "reason", "reviewed_by", "reviewed_at"}."""
        return {
            "state": self.review_state,
            "reason": self.review_reason,
            "reviewed_by": self.reviewed_by.username if self.reviewed_by_id else None,
            "reviewed_at": self.reviewed_at,
        }


class ReportFunds(BaseModel):
    """Funds secured in one report's period, by source."""

    report = ForeignKeyField(ProgressReport, backref="funds", on_delete="CASCADE")
    source = CharField()
    amount = MoneyField()

    class Meta:
        table_name = "report_funds"
        indexes = ((("report", "source"), True),)


class FundsSecured(BaseModel):
    """争取到位资金: a project's cumulative funds by source, the sum of its reports."""

    project = ForeignKeyField(Project, backref="funds", on_delete="CASCADE")
    source = CharField()
    amount = MoneyField(default=0)

    class Meta:
        table_name = "funds_secured"
        primary_key = CompositeKey("project", "source")

    @classmethod
    def recompute(cls, project):
        """Rebuild one project's totals from its accepted reports (one query each way)."""
        cls.delete().where(cls.project == project).execute()
        totals = (
            ReportFunds.select(ReportFunds.source, money_sum(ReportFunds.amount))
            .join(ProgressReport)
            .where((ProgressReport.project == project) & ProgressReport.accepted())
            .group_by(ReportFunds.source)
            .tuples()
        )
        rows = [{"project": project, "source": s, "amount": a} for s, a in totals if a]
        if rows:
            cls.insert_many(rows).execute()


class Change(BaseModel):
    """Every edit of a project or report: who, when, which field, old -> new."""

    project = ForeignKeyField(Project, backref="changes", on_delete="CASCADE")
    report = ForeignKeyField(ProgressReport, null=True, backref="changes", on_delete="SET NULL")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    changed_at = DateTimeField(default=utc_now, index=True)
    field = CharField()
    old_value = TextField(null=True)
    new_value = TextField(null=True)

    @classmethod
    def record(cls, project, user, old, new, report=None):
        """Log each field whose value differs between the ``old`` and ``new`` dicts."""
        cls.insert_rows(cls.diff(project, user, old, new, report))

    @classmethod
    def diff(cls, project, user, old, new, report=None, at=None):
        """The log rows for each field whose value differs between ``old`` and ``new``, not yet written.

        Values are compared as the log stores them, as text (dates in ISO
        form). Rows are tuples in insert_rows' column order.
        """
        at = at or utc_now()
        rows = []
        for field, value in new.items():
            before, after = _text(old.get(field)), _text(value)
            if before != after:
                rows.append((project, report, user, at, field, before, after))
        return rows

    @classmethod
    def insert_rows(cls, rows):
        """Write rows made by ``diff``."""
        columns = (cls.project, cls.report, cls.user, cls.changed_at, cls.field, cls.old_value, cls.new_value)
        bulk_insert(cls, columns, rows)


def _text(value):
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return amount_text(value)
    return str(value)


# The managed lists (名单): the names a project's county, industry chain and department, a problem's
# department and an account's department are chosen from, so that 南湖 and 南湖县 are not two counties.
LIST_KINDS = {"county": "县区", "industry_chain": "产业链", "department": "部门"}


# The project fields chosen from a managed list, and the list each is chosen from.
LISTED_FIELDS = {"county": "county", "industry_chain": "industry_chain", "lead_department": "department"}


class ListEntry(BaseModel):
    """One name of a managed list (LIST_KINDS), in the office's order; a retired one is offered no more.

    The list is kept by the office (tracker.lists); forms offer its active
    names, an import adds the names it brings (sheet_import), and renaming or
    merging an entry rewrites every use of its name.
    """

    kind = CharField()
    name = CharField()
    position = IntegerField(default=0)
    retired = BooleanField(default=False)

    class Meta:
        table_name = "list_entry"
        indexes = ((("kind", "name"), True),)

    @classmethod
    def of_kind(cls, kind):
        """The entries of one list, active and retired, in the office's order."""
        return cls.select().where(cls.kind == kind).order_by(cls.position, cls.id)

    @classmethod
    def names(cls, kind, keep=()):
        """The active names of a list in order, then those of ``keep`` not among them (sorted).

        ``keep`` holds names in use that must stay choosable: a project's
        current county when it has been retired, or the counties projects
        use in a filter's choices.
        """
        active = [name for (name,) in cls.of_kind(kind).where(cls.retired == False).select(cls.name).tuples()]  # noqa: E712
        return active + sorted({name for name in keep if name} - set(active))

    @classmethod
    def append(cls, kind, names):
        """Add ``names`` (those not listed yet) at the end of list ``kind``, in the order given; return how many."""
        listed = {name for (name,) in cls.select(cls.name).where(cls.kind == kind).tuples()}
        fresh = [name for name in dict.fromkeys(names) if name and name not in listed]
        last = cls.select(fn.MAX(cls.position)).where(cls.kind == kind).scalar()
        start = -1 if last is None else last
        rows = [{"kind": kind, "name": name, "position": start + n} for n, name in enumerate(fresh, 1)]
        if rows:
            cls.insert_many(rows).execute()
        return len(rows)


IMPORT_STATES = {"applying": "写入中", "done": "已完成", "interrupted": "已中断"}


class ProjectImport(BaseModel):
    """One import of a project list: who, which file, what it wrote, and whether it finished.

    Written in chunks (sheet_import), an import that stops half-way stays
    "applying" or "interrupted" here, so the import page can say so.
    """

    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    filename = CharField(default="")
    started_at = DateTimeField(default=utc_now)
    finished_at = DateTimeField(null=True)
    state = CharField(default="applying")
    rows = IntegerField(default=0)
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    unchanged = IntegerField(default=0)

    class Meta:
        table_name = "project_import"
