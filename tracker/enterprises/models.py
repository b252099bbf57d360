"""Enterprises above designated size (规模以上工业企业) and their resumption (复工复产).

Each change of an enterprise's status is a dated row (``EnterpriseStatus.on``), so the resumption rate
as of any date reads the statuses as they stood then, and stays the same answer later. An enterprise
counts from the day it was listed (``listed_on``); one without a status as of a date has not resumed."""

import datetime as dt

from peewee import JOIN, Case, CharField, DateField, DateTimeField, ForeignKeyField, TextField, fn

from tracker.accounts.models import User
from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now
from tracker.problems.models import UNRESOLVED, Problem

RESUMPTION_STATES = {"not_resumed": "未复工", "resumed": "已复工复产"}


# The production factors (生产要素) an enterprise's problem is about.
FACTORS = {
    "labour": "用工",
    "energy": "用能",
    "raw_materials": "原料",
    "transport": "运输",
    "funds": "资金",
    "other": "其他",
}


class Enterprise(BaseModel):
    name = CharField(unique=True)
    credit_code = CharField(null=True, unique=True)  # 统一社会信用代码: real lists often lack it
    county = CharField(index=True)
    industry_chain = CharField(default="")
    department = CharField(index=True)  # 行业主管部门, from the managed department list
    contact = CharField(default="")
    phone = CharField(default="")
    listed_on = DateField(default=dt.date.today)  # from this day on it counts in the rate

    def status_on(self, day):
        """The status the enterprise had on ``day``: not_resumed before its first change."""
        change = self.changes.where(EnterpriseStatus.on <= day).order_by(*LATEST).first()
        return change.status if change else "not_resumed"

    @classmethod
    def with_status(cls, day):
        """Every enterprise, each with ``status`` as of ``day`` and ``on``, the date of that status (None if never set)."""
        status = fn.COALESCE(status_as_of(day), "not_resumed")
        # SQLite gives a subquery's date as text: read it as the column would be.
        on = fn.COALESCE(status_as_of(day, "on"), None).python_value(EnterpriseStatus.on.python_value)
        return cls.select(cls, status.alias("status"), on.alias("on"))


class EnterpriseStatus(BaseModel):
    """A dated change of an enterprise's status, with who recorded it and when."""

    enterprise = ForeignKeyField(Enterprise, backref="changes", on_delete="CASCADE")
    status = CharField()
    on = DateField(index=True)
    note = TextField(default="")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "enterprise_status"
        indexes = ((("enterprise", "on"), False),)


# The latest change first: by its date, then the later recorded of one day.
LATEST = (EnterpriseStatus.on.desc(), EnterpriseStatus.id.desc())


def status_as_of(day, column="status"):
    """A subquery: the status (or another ``column`` of its change) of Enterprise, the outer row, as of ``day``;
    NULL before its first change."""
    latest = EnterpriseStatus.alias("latest")
    return (
        latest.select(getattr(latest, column))
        .where((latest.enterprise == Enterprise.id) & (latest.on <= day))
        .order_by(latest.on.desc(), latest.id.desc())
        .limit(1)
    )


def resumed_counts(condition, day):
    """(resumed, listed) among the enterprises of ``condition`` listed by ``day``, in one query."""
    resumed = fn.SUM(Case(None, [(status_as_of(day) == "resumed", 1)], 0))
    row = (
        Enterprise.select(resumed, fn.COUNT(Enterprise.id))
        .where(condition & (Enterprise.listed_on <= day))
        .tuples()
        .get()
    )
    return int(row[0] or 0), int(row[1] or 0)


class EnterpriseProblem(BaseModel):
    """A ledger problem raised on an enterprise, with the production factor it is about."""

    enterprise = ForeignKeyField(Enterprise, backref="problem_links", on_delete="CASCADE")
    problem = ForeignKeyField(Problem, unique=True, on_delete="CASCADE")
    factor = CharField(index=True)

    class Meta:
        table_name = "enterprise_problem"

    @classmethod
    def of(cls, enterprise):
        """The enterprise's problems, newest first, each with its ``factor``."""
        return (
            Problem.select(Problem, cls.factor)
            .join(cls)
            .where(cls.enterprise == enterprise)
            .order_by(Problem.raised_at.desc(), Problem.id.desc())
            .objects()
        )

    @classmethod
    def factor_counts(cls, condition):
        """{factor: (problems, unresolved)} over the enterprises of ``condition``, in one GROUP BY."""
        unresolved = fn.SUM(Case(None, [(Problem.status.in_(UNRESOLVED), 1)], 0))
        query = (
            cls.select(cls.factor, fn.COUNT(cls.id), unresolved)
            .join(Problem)
            .switch(cls)
            .join(Enterprise, JOIN.INNER)
            .where(condition)
            .group_by(cls.factor)
        )
        return {factor: (int(n), int(open_ or 0)) for factor, n, open_ in query.tuples()}
