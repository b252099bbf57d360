"""The lagging list of each dispatched week, stored as the weekly dispatch computed it.

A week's list is computed once, when the weekly dispatch closes the week, and read
back from here for the Sunday closing it: the list of a closed week is then what the
leaders were sent, whatever is edited or configured later, and a page asking for it
reads rows instead of running the rules over the snapshots again."""

import json

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now
from tracker.projects.models import Project


class ListedProject(BaseModel):
    """A project on a list, with its attributes and the reasons (with their evidence) it was put there.

    Shared by every stored list of projects: a week's lagging list, a notice's and a 红旗/蜗牛 list's
    entries. ``reasons_data`` is the reasons as JSON, each ``{"rule", "label", "category", "detail"}``.
    """

    position = IntegerField()
    code = CharField()
    name = CharField()
    project_unit = CharField()
    lead_official = CharField()
    lead_department = CharField()
    county = CharField()
    reasons_data = TextField()

    @property
    def reasons(self):
        return json.loads(self.reasons_data)

    @staticmethod
    def columns_of(position, project):
        """The shared columns of ``project`` (a LaggingProject or alike) listed at ``position``, as a row dict."""
        return {
            "position": position,
            "project": project.project_id,
            "code": project.code,
            "name": project.name,
            "project_unit": project.project_unit,
            "lead_official": project.lead_official,
            "lead_department": project.lead_department,
            "county": project.county,
            "reasons_data": json.dumps([r.as_dict() for r in project.reasons], ensure_ascii=False),
        }


class LaggingWeek(BaseModel):
    """A week whose lagging list the weekly dispatch stored, as of its Sunday."""

    week = CharField(max_length=8, primary_key=True)
    stored_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "lagging_week"


class LaggingEntry(ListedProject):
    """A project on a dispatched week's lagging list, in the list's order (by code)."""

    week = ForeignKeyField(LaggingWeek, backref="entries", on_delete="CASCADE")
    project = ForeignKeyField(Project, backref="lagging_entries", on_delete="CASCADE")

    class Meta:
        table_name = "lagging_entry"
        indexes = ((("week", "position"), True),)

    @classmethod
    def of_week(cls, week):
        """The entries of ``week``'s stored list, in order."""
        return cls.select().where(cls.week == week).order_by(cls.position)
