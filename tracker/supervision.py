"""Supervision orders (督办): the inspector puts a problem or a lagging project under supervision.

An order is numbered per year (督办〔2026〕3号), names what is wrong and what
must be done, and sets a reply deadline. It is mailed to the project's unit
and the responsible department through the outbox, so it goes out once. A
reply after the deadline is on record as late and counts against the unit.
Replies are dated, so whether an order was overdue on a past day stays the
same answer, whatever was replied afterwards.
"""

import datetime as dt

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .db import NumberTaken, with_next_number
from .models import BaseModel, Project, User
from .problems import Problem
from .weeks import utc_now

ORDER_STATES = {"issued": "待回复", "replied": "已回复", "closed": "已办结"}
ISSUERS = ("inspector", "office")


class SupervisionError(ValueError):
    """The order cannot be issued or changed as asked; the message says why, in Chinese."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


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
        """The order whose mail ``run`` sent."""
        year, seq = run.period.split("-")
        return cls.get_or_none((cls.year == int(year)) & (cls.seq == int(seq)))

    @property
    def late(self):
        """Replied after the deadline (on the deadline day itself is on time)."""
        return self.replied_at is not None and self.replied_at.date() > self.reply_deadline

    def overdue_on(self, day):
        return self.replied_at is None and self.reply_deadline < day

    def may_reply(self, user):
        """The project's owner, the responsible department's users, and the office."""
        if user.role == "office":
            return True
        if user.role == "department":
            return user.department == self.department
        return user.role == "owner" and self.project.owner_id == user.id


def issue_order(project, user, reason, demand, reply_deadline, problem=None, now=None):
    """Issue the next numbered order of the year; the caller queues its mail in the same transaction."""
    now = now or utc_now()
    reason, demand = (reason or "").strip(), (demand or "").strip()
    if not reason:
        raise SupervisionError("请写明督办事由", "reason")
    if reply_deadline <= now.date():
        raise SupervisionError("回复时限应晚于今天", "reply_deadline")
    if problem is not None and problem.project_id != project.id:
        raise SupervisionError("督办的问题不属于该项目", "problem")

    def write(seq):
        return SupervisionOrder.create(
            year=now.year,
            seq=seq,
            project=project,
            problem=problem,
            reason=reason,
            demand=demand,
            reply_deadline=reply_deadline,
            unit=project.project_unit,
            department=problem.department if problem else project.lead_department,
            issued_by=user,
            issued_at=now,
        )

    try:
        return with_next_number(SupervisionOrder, now.year, write)
    except NumberTaken as e:
        raise SupervisionError("督办编号分配冲突，请稍后重试") from e


def reply_to_order(order, user, text, now=None):
    """Record the reply; one after the deadline is kept, and marked late."""
    text = (text or "").strip()
    if not text:
        raise SupervisionError("请填写回复内容", "reply")
    if not order.may_reply(user):
        raise SupervisionError("只有项目单位、责任部门或领导小组办公室可以回复该督办")
    changed = (
        SupervisionOrder.update(reply=text, replied_by=user, replied_at=now or utc_now(), status="replied")
        .where((SupervisionOrder.id == order.id) & (SupervisionOrder.status == "issued"))
        .execute()
    )
    if changed != 1:
        raise SupervisionError("该督办已回复或已办结")
    return SupervisionOrder.get_by_id(order.id)


def close_order(order, user, now=None):
    """The inspector or the office closes (办结) a replied order."""
    if user.role not in ISSUERS:
        raise SupervisionError("只有纪委监委或领导小组办公室可以办结督办")
    changed = (
        SupervisionOrder.update(status="closed", closed_by=user, closed_at=now or utc_now())
        .where((SupervisionOrder.id == order.id) & (SupervisionOrder.status == "replied"))
        .execute()
    )
    if changed != 1:
        raise SupervisionError("只有已回复的督办可以办结")
    return SupervisionOrder.get_by_id(order.id)


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


def orders_for_project(project):
    """The project's orders, newest first."""
    return SupervisionOrder.select().where(SupervisionOrder.project == project).order_by(SupervisionOrder.id.desc())


def queue_order_mail(order, config, now=None):
    """Queue the order's email to the project's unit and the department, once, through the outbox.

    The order's mail is a run of its own (cycle "supervision", period 2026-3),
    so the office follows and re-sends it on the mail page like any cycle's.
    """
    from .mail import make_message
    from .outbox import enqueue
    from .runs import CycleRun, worker_id

    now = now or utc_now()
    run, _ = CycleRun.get_or_create(
        cycle="supervision",
        period=order.period,
        defaults={"state": "sending", "claimed_by": worker_id(), "lease_until": now, "started_at": now},
    )
    context = {"order": order, "project": order.project, "base_url": config["web"]["base_url"]}
    for name, address in _order_recipients(order):
        message = make_message("supervision-order", (name, address), {**context, "recipient": {"name": name}}, config)
        enqueue(run, "supervision_order", address, name, message)
    return run


def _order_recipients(order):
    """(name, address) of the project's responsible person, the department's active users and the office."""
    project = order.project
    recipients = {}
    contact = project.responsible_email or (project.owner.email if project.owner_id else "")
    if contact:
        recipients[contact] = f"{project.project_unit} {project.responsible_person}"
    department = (User.role == "department") & (User.department == order.department)
    users = User.select().where(
        (department | (User.role == "office")) & (User.active == True) & (User.email != "")  # noqa: E712
    )
    for user in users.order_by(User.role, User.id):
        recipients.setdefault(user.email, f"{user.department or '领导小组办公室'} {user.label}")
    return [(name, address) for address, name in recipients.items()]
