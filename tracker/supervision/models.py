"""Supervision orders (督办): the inspector puts a problem or a lagging project under supervision.

An order is numbered per year (督办〔2026〕3号), names what is wrong and what
must be done, and sets a reply deadline. It is mailed to the project's unit
and the responsible department through the outbox, so it goes out once. A
reply after the deadline is on record as late and counts against the unit.
Replies are dated, so whether an order was overdue on a past day stays the
same answer, whatever was replied afterwards."""

import datetime as dt

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from tracker.accounts.models import User
from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now
from tracker.problems.models import Problem
from tracker.projects.models import Project

ORDER_STATES = {"issued": "待回复", "replied": "已回复", "closed": "已办结"}


class SupervisionOrder(BaseModel):
    year = IntegerField()
    seq = IntegerField()
    project = ForeignKeyField(Project, backref="supervision_orders", on_delete="CASCADE")
    problem = ForeignKeyField(Problem, null=True, backref="supervision_orders", on_delete="SET NULL")
    reason = TextField()
    demand = TextField(default="")
    reply_deadline = DateField()
    unit = CharField()
    department = CharField(index=True)
    status = CharField(default="issued", index=True)
    issued_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    issued_at = DateTimeField(default=utc_now, index=True)
    reply = TextField(default="")
    replied_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    replied_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    closed_at = DateTimeField(null=True)

    class Meta:
        table_name = "supervision_order"
        indexes = ((("year", "seq"), True),)

    @property
    def number(self):
        return f"督办〔{self.year}〕{self.seq}号"

    @property
    def period(self):
        """The order's key among cycle runs, whose mail it sends: 2026-3."""
        return f"{self.year}-{self.seq}"

    @classmethod
    def of_run(cls, run):
        """The order whose mail ``run`` sent: its own (2026-3) or a reminder's (2026-3-2)."""
        year, seq = run.period.split("-")[:2]
        return cls.get_or_none((cls.year == int(year)) & (cls.seq == int(seq)))

    @property
    def late(self):
        """Replied after the deadline (on the deadline day itself is on time)."""
        return self.replied_at is not None and self.replied_at.date() > self.reply_deadline

    def overdue_on(self, day):
        return self.replied_at is None and self.reply_deadline < day


# 催办 again only after this long: a unit reminded twice an hour learns nothing more.
REMINDER_INTERVAL = dt.timedelta(hours=24)


class OrderReminder(BaseModel):
    """催办: one reminder mailed on an overdue order; numbered per order, so two clicks at once send one."""

    order = ForeignKeyField(SupervisionOrder, backref="reminders", on_delete="CASCADE")
    seq = IntegerField()
    sent_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    sent_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "order_reminder"
        indexes = ((("order", "seq"), True),)

    @property
    def period(self):
        """The reminder's key among cycle runs, after its order's: 2026-3-2."""
        return f"{self.order.period}-{self.seq}"


def overdue_orders_as_of(day, grace_days=0):
    """Orders issued by the end of ``day`` and not replied by then, more than ``grace_days`` past their deadline."""
    end = dt.datetime.combine(day, dt.time.max)
    limit = day - dt.timedelta(days=grace_days)
    replied_later = SupervisionOrder.replied_at.is_null() | (SupervisionOrder.replied_at > end)
    return (
        SupervisionOrder.select(SupervisionOrder, Project)
        .join(Project)
        .where((SupervisionOrder.issued_at <= end) & replied_later & (SupervisionOrder.reply_deadline < limit))
    )
