"""Special bonds (专项债券): the batches the NDRC lists, each project's bond money, its spending and the applications.

A batch (2026年第一批专项债券) lists projects with an amount each (a BondEntry); the
money is issued (发行/到位) on a date and spent in dated records (BondSpending), so
what was issued and spent by any day is a question of dates, never of later edits.
The next batch is applied for (申报) project by project (BondApplication).

Figures are per batch, in one query each: projects, amount, issued, spent, spend
rate and idle funds, "idle" being issued money mostly unspent ``idle_days`` after
issue (the lagging rule 专项债资金闲置 reads the same query)."""

import datetime as dt

from peewee import JOIN, Case, CharField, DateField, ForeignKeyField, IntegerField, fn

from tracker.core.db import BaseModel
from tracker.core.money import MoneyField, money_sum, percent, to_money
from tracker.projects.models import Project

APPLICATION_STATES = {"preparing": "准备中", "submitted": "已申报", "approved": "已入选", "rejected": "未入选"}

NUMERALS = "一二三四五六七八九十"


class BondBatch(BaseModel):
    """一批专项债券: numbered within its year, listed (列入清单) on a date."""

    year = IntegerField()
    number = IntegerField()
    listed_on = DateField(null=True)

    class Meta:
        table_name = "bond_batch"
        indexes = ((("year", "number"), True),)

    @property
    def name(self):
        return batch_name(self.year, self.number)


def batch_name(year, number):
    """2026年第一批专项债券."""
    numeral = NUMERALS[number - 1] if 1 <= number <= len(NUMERALS) else str(number)
    return f"{year}年第{numeral}批专项债券"


class BondEntry(BaseModel):
    """A project's money in a batch: the amount listed, and the day it was issued (None: not yet)."""

    batch = ForeignKeyField(BondBatch, backref="entries", on_delete="CASCADE")
    project = ForeignKeyField(Project, backref="bond_entries", on_delete="CASCADE")
    amount = MoneyField()
    issued_on = DateField(null=True)

    class Meta:
        table_name = "bond_entry"
        indexes = ((("batch", "project"), True),)

    @property
    def spend_rate(self):
        """The share spent (%) of the money issued, as entries_as_of reads ``spent``; None before the issue."""
        return percent(self.spent, self.amount) if self.issued_on else None


class BondSpending(BaseModel):
    """One dated spending of an entry's money (支出)."""

    entry = ForeignKeyField(BondEntry, backref="spendings", on_delete="CASCADE")
    spent_on = DateField(index=True)
    amount = MoneyField()
    note = CharField(default="")

    class Meta:
        table_name = "bond_spending"


class BondApplication(BaseModel):
    """申报: a project applying for a batch, with the dates it was submitted and decided."""

    batch = ForeignKeyField(BondBatch, backref="applications", on_delete="CASCADE")
    project = ForeignKeyField(Project, backref="bond_applications", on_delete="CASCADE")
    amount = MoneyField()
    status = CharField(default="preparing", index=True)
    submitted_on = DateField(null=True)
    decided_on = DateField(null=True)

    class Meta:
        table_name = "bond_application"
        indexes = ((("batch", "project"), True),)

    @property
    def status_label(self):
        return APPLICATION_STATES[self.status]


def spent_by(day):
    """Each entry's spending up to ``day``, as a table to LEFT JOIN: (entry_id, spent)."""
    s = BondSpending
    return (
        s.select(s.entry.alias("entry_id"), fn.SUM(s.amount).alias("spent"))
        .where(s.spent_on <= day)
        .group_by(s.entry)
        .alias("spent_by")
    )


def _idle(spent, day, idle_days, idle_share):
    """The condition of an idle entry: issued ``idle_days`` or more before ``day``, ``idle_share`` of it unspent."""
    unspent = BondEntry.amount - spent
    return (BondEntry.issued_on <= day - dt.timedelta(days=idle_days)) & (unspent >= BondEntry.amount * idle_share)


def entries_as_of(day, idle_days, idle_share, idle_only=False):
    """Entries joined to their project and batch, with ``spent`` (to ``day``) and ``idle`` (a bool) columns.

    ``idle_only`` keeps the entries idle on ``day`` (专项债资金闲置), oldest issue first.
    """
    table = spent_by(day)
    spent = fn.COALESCE(table.c.spent, 0).python_value(to_money)
    idle = _idle(spent, day, idle_days, idle_share)
    # COALESCE only to read the flag back as a bool: a bare CASE takes no converter.
    flag = fn.COALESCE(Case(None, [(idle, 1)], 0), 0).python_value(bool)
    query = (
        BondEntry.select(
            BondEntry,
            Project,
            BondBatch,
            spent.alias("spent"),
            flag.alias("idle"),
        )
        .join(Project)
        .switch(BondEntry)
        .join(BondBatch)
        .switch(BondEntry)
        .join(table, JOIN.LEFT_OUTER, on=(BondEntry.id == table.c.entry_id))
    )
    return query.where(idle).order_by(BondEntry.issued_on, BondEntry.id) if idle_only else query


def batch_figures(day, idle_days, idle_share, condition=True, batch=None):
    """Per batch (or ``batch`` alone), newest first: projects, amount, issued, spent, spend rate, unspent and idle money on ``day``.

    ``condition`` on Project keeps the projects a user may see (project_scope).
    """
    table = spent_by(day)
    spent = fn.COALESCE(table.c.spent, 0)
    issued = BondEntry.issued_on <= day
    idle = _idle(spent, day, idle_days, idle_share)
    # The user's reach narrows the join, not the rows: a batch none of whose projects they see still counts 0.
    reached = (BondEntry.batch == BondBatch.id) & BondEntry.project.in_(Project.select(Project.id).where(condition))
    rows = (
        BondBatch.select(
            BondBatch,
            fn.COUNT(BondEntry.id).alias("projects"),
            fn.SUM(BondEntry.amount).alias("amount"),
            fn.SUM(Case(None, [(issued, BondEntry.amount)], 0)).alias("issued"),
            fn.SUM(spent).alias("spent"),
            fn.SUM(Case(None, [(idle, 1)], 0)).alias("idle_projects"),
            fn.SUM(Case(None, [(idle, BondEntry.amount - spent)], 0)).alias("idle"),
        )
        .join(BondEntry, JOIN.LEFT_OUTER, on=reached)
        .join(table, JOIN.LEFT_OUTER, on=(BondEntry.id == table.c.entry_id))
        .where((BondBatch.id == batch) if batch else True)
        .group_by(BondBatch.id)
        .order_by(BondBatch.year.desc(), BondBatch.number.desc())
    )
    return [_figures(row) for row in rows]


def _figures(batch):
    amounts = {key: to_money(getattr(batch, key) or 0) for key in ("amount", "issued", "spent", "idle")}
    return {
        "batch": batch,
        "projects": batch.projects,
        **amounts,
        "unspent": amounts["issued"] - amounts["spent"],
        "spend_rate": percent(amounts["spent"], amounts["issued"]),
        "idle_projects": int(batch.idle_projects or 0),
    }


def application_counts(condition=True):
    """{batch id: {status: (count, amount)}} of the applications of the projects ``condition`` keeps."""
    a = BondApplication
    rows = (
        a.select(a.batch, a.status, fn.COUNT(a.id), money_sum(a.amount))
        .join(Project)
        .where(condition)
        .group_by(a.batch, a.status)
        .tuples()
    )
    counts = {}
    for batch_id, status, count, amount in rows:
        counts.setdefault(batch_id, {})[status] = (count, amount)
    return counts


def batch_entries(batch, day, settings, condition=True, search="", county="", idle_only=False):
    """``batch``'s entries on ``day`` among the projects ``condition`` keeps, by project code, filtered.

    ``search`` finds a project by code or name, ``county`` keeps one county, ``idle_only`` the idle entries.
    """
    query = entries_as_of(day, settings["idle_days"], settings["idle_share"], idle_only).where(
        (BondEntry.batch == batch) & condition
    )
    if search:
        query = query.where(Project.code.contains(search) | Project.name.contains(search))
    if county:
        query = query.where(Project.county == county)
    return query.order_by(Project.code)


def project_bonds(project, day, settings):
    """What the project page shows of ``project``'s bonds: its entries on ``day`` and its applications."""
    entries = entries_as_of(day, settings["idle_days"], settings["idle_share"]).where(BondEntry.project == project)
    applications = (
        BondApplication.select(BondApplication, BondBatch)
        .join(BondBatch)
        .where(BondApplication.project == project)
        .order_by(BondBatch.year, BondBatch.number)
    )
    return {"entries": list(entries.order_by(BondBatch.year, BondBatch.number)), "applications": list(applications)}


def batch_applications(batch, condition=True):
    """``batch``'s applications among the projects ``condition`` keeps, by project code."""
    return (
        BondApplication.select(BondApplication, Project)
        .join(Project)
        .where((BondApplication.batch == batch) & condition)
        .order_by(Project.code)
    )
