"""The monthly consultation (月会商): its agenda and the decisions recorded against it."""

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from tracker.accounts.models import User
from tracker.core.db import BaseModel, db
from tracker.core.weeks import utc_now
from tracker.cycles.runs import CycleRun
from tracker.projects.models import Project

AGENDA_KINDS = {"lagging": "进度滞后", "problem": "存在问题"}


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
    recorded_at = DateField(default=lambda: utc_now().date())

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


def replace_agenda(run, items):
    """Write a run's agenda (a list of dicts), replacing any left by an earlier attempt."""
    with db.atomic():
        AgendaItem.delete().where(AgendaItem.run == run).execute()
        rows = [{**item, "run": run, "position": n} for n, item in enumerate(items, 1)]
        for start in range(0, len(rows), 400):
            AgendaItem.insert_many(rows[start : start + 400]).execute()


def record_decision(item, action, assignee, due_on, user):
    """Record one decision on an agenda item."""
    return Decision.create(item=item, action=action, assignee=assignee, due_on=due_on, recorded_by=user)
