"""The monthly consultation (月会商): its agenda, the decisions recorded against it, and their follow-through.

Each decision has an owner (a department, or the person or unit named) and a due date. The
next consultations list the decisions due by their month's end with their 落实情况, which
the office records (已落实 / 部分落实 / 未落实, a note, a date). A decision not carried out
(已落实) by its due date is overdue, as a ledger problem is; the date of its follow-through
keeps that answer the same for any past day."""

import datetime as dt

from peewee import JOIN, CharField, DateField, ForeignKeyField, IntegerField, TextField

from tracker.accounts.models import User
from tracker.core.db import BaseModel, db
from tracker.core.periods import next_period, period_start
from tracker.cycles.runs import CycleRun
from tracker.projects.models import Project

AGENDA_KINDS = {"lagging": "进度滞后", "problem": "存在问题"}


# 落实情况: only "done" ends a decision; a part done is still overdue after its date.
OUTCOMES = {"done": "已落实", "partial": "部分落实", "not_done": "未落实"}


class AgendaItem(BaseModel):
    """One point on a consultation's agenda: a lagging project or an open problem."""

    run = ForeignKeyField(CycleRun, backref="agenda", on_delete="CASCADE")
    project = ForeignKeyField(Project, null=True, backref="agenda_items", on_delete="CASCADE")
    kind = CharField()
    title = CharField()
    detail = TextField(default="")
    position = IntegerField()

    class Meta:
        table_name = "agenda_item"
        indexes = ((("run", "position"), True),)


class Decision(BaseModel):
    """What the meeting decided on an agenda item: who does what by when."""

    item = ForeignKeyField(AgendaItem, backref="decisions", on_delete="CASCADE")
    action = TextField()
    assignee = CharField()
    due_on = DateField()
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    recorded_at = DateField()
    # The owning department, when a department owns it ("" when the assignee is a person or a unit).
    department = CharField(default="")
    outcome = CharField(null=True)  # a key of OUTCOMES; None until the office records it
    outcome_note = TextField(default="")
    outcome_on = DateField(null=True)
    outcome_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    @property
    def owner(self):
        """Who answers for it, in words: the department and the person named, or the person alone."""
        if self.department and self.assignee != self.department:
            return f"{self.department}（{self.assignee}）"
        return self.department or self.assignee

    def overdue_on(self, day):
        """Past its due date on ``day`` and not carried out by then."""
        carried_out = self.outcome == "done" and self.outcome_on is not None and self.outcome_on <= day
        return self.due_on < day and not carried_out

    @classmethod
    def for_project(cls, project):
        """The decisions taken on a project across all consultations, newest meeting first."""
        return (
            cls.select(cls, AgendaItem, CycleRun)
            .join(AgendaItem)
            .join(CycleRun)
            .where(AgendaItem.project == project)
            .order_by(CycleRun.period.desc(), cls.id)
        )


def agenda_items(lagging_projects, problems):
    """A consultation's agenda as replace_agenda writes it: the lagging projects with their reasons, then the
    open problems (each with its ``project`` loaded)."""
    return [
        *(
            {
                "project": p.project_id,
                "kind": "lagging",
                "title": f"{p.code} {p.name}",
                "detail": "；".join(f"{r.label}：{r.detail}" for r in p.reasons),
            }
            for p in lagging_projects
        ),
        *(
            {
                "project": problem.project_id,
                "kind": "problem",
                "title": problem.about,
                "detail": f"{problem.description}（{problem.department}，限 {problem.due:%Y-%m-%d}）",
            }
            for problem in problems
        ),
    ]


def replace_agenda(run, items):
    """Write a run's agenda (a list of dicts), replacing any left by an earlier attempt."""
    with db.atomic():
        AgendaItem.delete().where(AgendaItem.run == run).execute()
        rows = [{**item, "run": run, "position": n} for n, item in enumerate(items, 1)]
        for start in range(0, len(rows), 400):
            AgendaItem.insert_many(rows[start : start + 400]).execute()


def agenda_with_decisions(run):
    """[(agenda item, [its decisions])] of a consultation, in agenda order, in two queries."""
    items = list(
        AgendaItem.select(AgendaItem, Project)
        .join(Project, JOIN.LEFT_OUTER)
        .where(AgendaItem.run == run)
        .order_by(AgendaItem.position)
    )
    decisions = {}
    for decision in Decision.select().where(Decision.item.in_([i.id for i in items])).order_by(Decision.id):
        decisions.setdefault(decision.item_id, []).append(decision)
    return [(item, decisions.get(item.id, [])) for item in items]


def record_decision(item, action, assignee, due_on, user, day, department=""):
    """Record one decision on an agenda item on ``day``, the city's date: what, who (a department and/or a
    person), by when."""
    return Decision.create(
        item=item,
        action=action,
        assignee=assignee,
        due_on=due_on,
        recorded_by=user,
        recorded_at=day,
        department=department,
    )


def record_outcome(decision, outcome, note, day, user):
    """Record a decision's 落实情况 (a key of OUTCOMES) as of ``day``; the latest record stands."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    Decision.update(outcome=outcome, outcome_note=note, outcome_on=day, outcome_by=user).where(
        Decision.id == decision.id
    ).execute()


def decisions_due(month):
    """The decisions of earlier consultations due by ``month``'s end, for its consultation to ask after.

    Those reported carried out before the month began are settled and left out. Oldest due first,
    with their agenda item, run and project.
    """
    first = period_start("monthly", month)
    last = period_start("monthly", next_period("monthly", month)) - dt.timedelta(days=1)
    settled = (Decision.outcome == "done") & (Decision.outcome_on < first)
    return (
        Decision.select(Decision, AgendaItem, CycleRun, Project)
        .join(AgendaItem)
        .join(CycleRun)
        .switch(AgendaItem)
        .join(Project, on=(AgendaItem.project == Project.id), join_type=JOIN.LEFT_OUTER)
        .where((CycleRun.cycle == "monthly") & (CycleRun.period < month) & (Decision.due_on <= last))
        .where(Decision.outcome.is_null() | ~settled)
        .order_by(Decision.due_on, Decision.id)
    )


def overdue_decisions_as_of(day, grace_days=0):
    """Decisions more than ``grace_days`` past their due date on ``day`` and not carried out (已落实) by then."""
    limit = day - dt.timedelta(days=grace_days)
    open_then = Decision.outcome.is_null() | (Decision.outcome != "done") | (Decision.outcome_on > day)
    return Decision.select(Decision, AgendaItem).join(AgendaItem).where((Decision.due_on < limit) & open_then)
