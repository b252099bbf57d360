"""Inspection rounds (督查): the groups sent out, the units they visited, what they found, and the 督查通报.

A round's findings are ledger problems (source "inspection"): the link table
Finding ties each to its round, group and visit, and keeps the 回头看 (re-check)
recorded on it. The 督查通报 copies the findings when it is drafted, so that a
bulletin published stays what it said, whatever the findings become afterwards."""

import json

from peewee import JOIN, Case, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

from tracker.accounts.models import User
from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now
from tracker.problems.models import UNRESOLVED, Problem
from tracker.projects.models import Project

# How a group inspects a unit (the seed's 实地走访、查阅资料、座谈交流).
METHODS = ("实地走访", "查阅资料", "座谈交流")


BULLETIN_STATES = {"draft": "草稿", "published": "已发布"}


RECHECK_RESULTS = {"rectified": "已整改销号", "not_rectified": "未整改到位"}


class InspectionRound(BaseModel):
    """One round (督查轮次): the notice that launched it and the days its groups were out."""

    title = CharField()
    notice_title = CharField(default="")  # 《关于开展…督查工作的通知》
    starts_on = DateField()
    ends_on = DateField()
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "inspection_round"

    @classmethod
    def with_counts(cls, day):
        """Every round, newest first, with groups, units visited, findings, rectified, pending and overdue counted."""
        groups = InspectionGroup.select(fn.COUNT(InspectionGroup.id)).where(InspectionGroup.round == cls.id)
        visits = (
            InspectionVisit.select(fn.COUNT(InspectionVisit.id))
            .join(InspectionGroup)
            .where(InspectionGroup.round == cls.id)
        )
        unresolved = Problem.status.in_(UNRESOLVED)
        return (
            cls.select(
                cls,
                groups.alias("group_count"),
                visits.alias("visit_count"),
                fn.COUNT(Finding.id).alias("finding_count"),
                fn.SUM(Case(None, [(Problem.status.in_(("resolved", "closed")), 1)], 0)).alias("rectified"),
                fn.SUM(Case(None, [(unresolved, 1)], 0)).alias("pending"),
                fn.SUM(Case(None, [(unresolved & (Problem.deadline < day), 1)], 0)).alias("overdue"),
            )
            .join(Finding, JOIN.LEFT_OUTER)
            .join(Problem, JOIN.LEFT_OUTER)
            .group_by(cls)
            .order_by(cls.starts_on.desc(), cls.id.desc())
        )


class InspectionGroup(BaseModel):
    """A 督查组: its leader and members."""

    round = ForeignKeyField(InspectionRound, backref="groups", on_delete="CASCADE")
    name = CharField()
    leader = CharField()
    members = TextField(default="")  # names, separated by 、

    class Meta:
        table_name = "inspection_group"
        indexes = ((("round", "name"), True),)


class InspectionVisit(BaseModel):
    """A unit a group visited, on which day and how; the key project concerned, if any."""

    group = ForeignKeyField(InspectionGroup, backref="visits", on_delete="CASCADE")
    unit = CharField()
    county = CharField(index=True)
    visited_on = DateField()
    methods = CharField(default="")  # of METHODS, joined by 、
    project = ForeignKeyField(Project, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "inspection_visit"

    @classmethod
    def of_round(cls, inspection_round):
        """The units the round's groups visited, by day, each with its group and key project."""
        return (
            cls.select(cls, InspectionGroup, Project)
            .join(InspectionGroup)
            .switch(cls)
            .join(Project, JOIN.LEFT_OUTER)
            .where(InspectionGroup.round == inspection_round)
            .order_by(cls.visited_on, cls.id)
        )


class Finding(BaseModel):
    """A problem the round found: the ledger's problem, its group and visit, and its 回头看 once recorded."""

    problem = ForeignKeyField(Problem, unique=True, backref="+", on_delete="CASCADE")
    round = ForeignKeyField(InspectionRound, backref="findings", on_delete="CASCADE")
    group = ForeignKeyField(InspectionGroup, backref="findings", on_delete="CASCADE")
    visit = ForeignKeyField(InspectionVisit, backref="findings", on_delete="CASCADE")
    recheck = CharField(null=True)  # of RECHECK_RESULTS
    recheck_note = TextField(default="")
    rechecked_at = DateTimeField(null=True)
    rechecked_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        table_name = "inspection_finding"

    @classmethod
    def of_round(cls, inspection_round):
        """The round's findings in order, each with its problem, group and visit."""
        return (
            cls.select(cls, Problem, Project, InspectionGroup, InspectionVisit)
            .join(Problem)
            .join(Project, JOIN.LEFT_OUTER)
            .switch(cls)
            .join(InspectionGroup)
            .switch(cls)
            .join(InspectionVisit)
            .where(cls.round == inspection_round)
            .order_by(InspectionGroup.id, InspectionVisit.id, cls.id)
        )


class InspectionBulletin(BaseModel):
    """A round's 督查通报: drafted from its findings, published (numbered, dated) once and then read-only."""

    PUBLISHED = "督查通报已发布，不能再修改"
    round = ForeignKeyField(InspectionRound, unique=True, backref="bulletins", on_delete="CASCADE")
    title = CharField()
    preamble = TextField(default="")
    issuer = CharField(default="")
    findings_data = TextField(default="[]")  # the findings as drafted
    state = CharField(default="draft", index=True)
    year = IntegerField(null=True)
    seq = IntegerField(null=True)
    number = CharField(null=True)
    published_on = DateField(null=True)
    published_at = DateTimeField(null=True)
    published_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "inspection_bulletin"
        indexes = ((("year", "seq"), True),)

    @property
    def is_published(self):
        return self.state == "published"

    @property
    def findings(self):
        return json.loads(self.findings_data)

    @classmethod
    def published(cls):
        return cls.select().where(cls.state == "published").order_by(cls.published_on.desc(), cls.seq.desc())
