"""The problem ledger (问题台账): problems projects raise, who solves them, by when.

Every change of a problem is an event with its time (raised, reply, status,
deadline), and the problem's state on any date is read from the events up to
that date. So whether a problem was overdue on 1 November is the same answer
tomorrow as today, however the problem moves on afterwards.
"""

import datetime as dt

from peewee import JOIN, CharField, DateField, DateTimeField, ForeignKeyField, TextField, fn

from .db import db
from .models import BaseModel, ProgressReport, Project, User
from .weeks import utc_now

PROBLEM_STATES = {"open": "待解决", "in_progress": "解决中", "resolved": "已解决", "closed": "已销号"}
UNRESOLVED = ("open", "in_progress")
PROBLEM_SOURCES = {"report": "周报", "office": "办公室", "inspection": "督查检查"}
EVENT_KINDS = {"raised": "提出", "reply": "答复", "status": "状态变更", "deadline": "调整时限"}


class ProblemError(ValueError):
    """A problem cannot change as asked; the message says why (in Chinese)."""


class Problem(BaseModel):
    """One ledger entry; its current state, with the dated events behind it."""

    project = ForeignKeyField(Project, backref="problems", on_delete="CASCADE")
    report = ForeignKeyField(ProgressReport, null=True, backref="raised_problems", on_delete="SET NULL")
    source = CharField(default="report")
    description = TextField()
    department = CharField(index=True)
    deadline = DateField()
    status = CharField(default="open", index=True)
    raised_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    raised_at = DateTimeField(default=utc_now)

    @property
    def is_unresolved(self):
        return self.status in UNRESOLVED


class ProblemEvent(BaseModel):
    """A dated change of a problem: the state and deadline it left behind, and any words."""

    problem = ForeignKeyField(Problem, backref="events", on_delete="CASCADE")
    at = DateTimeField(default=utc_now, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField()
    text = TextField(default="")
    status = CharField()
    deadline = DateField()

    class Meta:
        table_name = "problem_event"
        indexes = ((("problem", "at"), False),)


def raise_problem(project, description, department, deadline, user, source="report", report=None, now=None):
    """Open a ledger entry and its first event."""
    description = (description or "").strip()
    if not description:
        raise ProblemError("请填写问题描述")
    if not department:
        raise ProblemError("请指定负责解决的部门")
    now = now or utc_now()
    with db.atomic():
        problem = Problem.create(
            project=project,
            report=report,
            source=source,
            description=description,
            department=department,
            deadline=deadline,
            raised_by=user,
            raised_at=now,
        )
        _event(problem, "raised", user, description, now)
    return problem


def change_problem(problem, user, kind, text="", status=None, deadline=None, now=None):
    """Reply to, move on, or re-date a problem; each change is kept as an event.

    Only the office closes a problem (销号), and only one already resolved.
    """
    if status == "closed" and (user.role != "office" or problem.status != "resolved"):
        raise ProblemError("只有办公室可以对已解决的问题销号")
    if status is not None and status not in PROBLEM_STATES:
        raise ProblemError(f"未知的问题状态 {status}")
    if problem.status == "closed":
        raise ProblemError("问题已销号，不能再修改")
    with db.atomic():
        problem.status = status or problem.status
        problem.deadline = deadline or problem.deadline
        problem.save()
        _event(problem, kind, user, text, now or utc_now())
    return problem


def _event(problem, kind, user, text, at):
    ProblemEvent.create(
        problem=problem, kind=kind, user=user, text=text, status=problem.status, deadline=problem.deadline, at=at
    )


def problems_as_of(day):
    """Problems raised by the end of ``day``, each with ``state`` and ``due`` as they stood then."""
    end = dt.datetime.combine(day, dt.time.max)
    latest = ProblemEvent.alias("latest")
    # Events are written in time order, so the highest id up to the day is the state then.
    newest = latest.select(fn.MAX(latest.id)).where((latest.problem == Problem.id) & (latest.at <= end))
    return (
        Problem.select(Problem, ProblemEvent.status.alias("state"), ProblemEvent.deadline.alias("due"))
        .join(ProblemEvent, JOIN.INNER, on=((ProblemEvent.problem == Problem.id) & (ProblemEvent.id == newest)))
        .where(Problem.raised_at <= end)
        .objects()  # state and due on the Problem itself, not on a joined event
    )


def overdue_as_of(day, grace_days=0):
    """Problems unresolved on ``day`` more than ``grace_days`` past the deadline they had then."""
    limit = day - dt.timedelta(days=grace_days)
    return problems_as_of(day).where(ProblemEvent.status.in_(UNRESOLVED) & (ProblemEvent.deadline < limit))
