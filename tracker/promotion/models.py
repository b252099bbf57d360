"""Investment promotion (招商引资): outbound trips, the leads they find, visits received and the leads' stages.

Every stage a lead reaches is a dated event, and every sum of funds in place (到位资金) a
dated arrival, so the counts of any past period are computed from the events of that
period, whatever the leads did afterwards."""

from peewee import JOIN, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from tracker.accounts.models import User
from tracker.core.db import BaseModel
from tracker.core.money import MoneyField
from tracker.core.weeks import utc_now
from tracker.projects.models import Project

# The pipeline, in order: 接触、深度洽谈、意向、签约、落地.
STAGES = {
    "contacted": "接触",
    "deep_contact": "深度洽谈",
    "intention": "意向",
    "signed": "签约",
    "landed": "落地",
}


class Trip(BaseModel):
    """外出招商批次: one outbound trip of a department to meet enterprises of an industry chain."""

    trip_date = DateField(index=True)
    industry_chain = CharField(default="")
    destination = CharField()
    members = TextField(default="")  # who went: names and units, as the department writes them
    department = CharField(index=True)
    note = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "promotion_trip"

    @property
    def title(self):
        return f"{self.trip_date} {self.destination}"


class Lead(BaseModel):
    """招商项目/线索: an enterprise contacted and the project it may bring, with its current stage."""

    enterprise = CharField()
    name = CharField()  # the project the enterprise may invest in
    industry_chain = CharField(default="", index=True)
    department = CharField(index=True)
    county = CharField(default="")
    planned_investment = MoneyField(null=True)
    contact = CharField(default="")
    note = TextField(default="")
    trip = ForeignKeyField(Trip, null=True, backref="leads", on_delete="SET NULL")
    stage = CharField(default="contacted", index=True)
    # The key project it became once landed (转为重点项目): one project per lead.
    project = ForeignKeyField(Project, null=True, unique=True, backref="promotion_leads", on_delete="SET NULL")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "promotion_lead"

    @property
    def stage_label(self):
        return STAGES[self.stage]

    @classmethod
    def listed(cls):
        """Every lead with the trip it was found on (or none), newest first."""
        return cls.select(cls, Trip).join(Trip, JOIN.LEFT_OUTER).order_by(cls.created_at.desc(), cls.id.desc())

    @classmethod
    def of_project(cls, project):
        """The lead ``project`` came from (None for a project put on the list directly)."""
        return cls.get_or_none(cls.project == project)


class StageEvent(BaseModel):
    """The day a lead reached a stage: what the period counts count."""

    lead = ForeignKeyField(Lead, backref="events", on_delete="CASCADE")
    stage = CharField()
    reached_on = DateField(index=True)
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    recorded_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "promotion_stage_event"
        indexes = ((("lead", "stage"), True),)


class Visit(BaseModel):
    """邀请来考察: an enterprise's visit to the city, on a lead."""

    lead = ForeignKeyField(Lead, backref="visits", on_delete="CASCADE")
    visited_on = DateField(index=True)
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "promotion_visit"


class FundsArrival(BaseModel):
    """到位资金: an amount of a signed or landed lead's investment that arrived, on its day."""

    lead = ForeignKeyField(Lead, backref="arrivals", on_delete="CASCADE")
    arrived_on = DateField(index=True)
    amount = MoneyField()
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "promotion_funds"
