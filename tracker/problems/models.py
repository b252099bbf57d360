"""The problem ledger (问题台账): problems projects raise, who solves them, by when.

Most problems are a key project's; a problem found at a unit or an enterprise that is no key project (an
inspection's finding, an enterprise's shortage of labour or power) names that place instead, with its county.

Every change of a problem is an event with its time (raised, reply, status,
deadline), and the problem's state on any date is read from the events up to
that date. So whether a problem was overdue on 1 November is the same answer
tomorrow as today, however the problem moves on afterwards."""

import datetime as dt

from peewee import JOIN, CharField, DateField, DateTimeField, ForeignKeyField, TextField, fn

from tracker.accounts.models import User
from tracker.core.db import BaseModel, newest_event
from tracker.core.weeks import utc_now
from tracker.projects.models import ProgressReport, Project

PROBLEM_STATES = {"open": "待解决", "in_progress": "解决中", "resolved": "已解决", "closed": "已销号"}


UNRESOLVED = ("open", "in_progress")


PROBLEM_SOURCES = {"report": "周报", "office": "办公室", "inspection": "督查检查", "enterprise": "企业复工复产"}


EVENT_KINDS = {"raised": "提出", "reply": "答复", "status": "状态变更", "deadline": "调整时限"}


class Problem(BaseModel):
    """One ledger entry; its current state, with the dated events behind it."""

    project = ForeignKeyField(Project, null=True, backref="problems", on_delete="CASCADE")
    subject = CharField(default="")  # the unit or enterprise, when the problem is no project's
    county = CharField(null=True, index=True)  # the subject's county: a county office's reach
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

    @property
    def about(self):
        """What the problem is about, in words: the project's code and name, or the unit or enterprise."""
        return f"{self.project.code} {self.project.name}" if self.project_id else self.subject


# The county a problem belongs to, its project's or its own; for queries joining Project (LEFT OUTER).
PROBLEM_COUNTY = fn.COALESCE(Project.county, Problem.county)


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


def problems_as_of(day):
    """Problems raised by the end of ``day``, each with ``state`` and ``due`` as they stood then."""
    end = dt.datetime.combine(day, dt.time.max)
    return (
        Problem.select(Problem, ProblemEvent.status.alias("state"), ProblemEvent.deadline.alias("due"))
        .join(ProblemEvent, JOIN.INNER, on=newest_event(Problem, ProblemEvent, end))
        .where(Problem.raised_at <= end)
        .objects()  # state and due on the Problem itself, not on a joined event
    )


def overdue_as_of(day, grace_days=0):
    """Problems unresolved on ``day`` more than ``grace_days`` past the deadline they had then."""
    limit = day - dt.timedelta(days=grace_days)
    return problems_as_of(day).where(ProblemEvent.status.in_(UNRESOLVED) & (ProblemEvent.deadline < limit))
