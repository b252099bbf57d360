"""Notices of public criticism (通报批评): drafted from the lagging list, reviewed, published for good.

A draft copies the lagging list of its day, every entry with its reasons and
evidence, and the ranking beside it. The office may take an entry out only
with a written reason, which stays on the record for the inspector. Publishing
numbers the notice (X重项办〔2026〕12号) and freezes it: every change below is a
conditional write on ``state = 'draft'``, so a notice published a moment ago
cannot be changed by a request that read it as a draft."""

import json

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from tracker.accounts.models import User
from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now
from tracker.lagging.rules import worst_first
from tracker.projects.models import Project

NOTICE_STATES = {"draft": "草稿", "published": "已发布"}


class CriticismNotice(BaseModel):
    title = CharField()
    as_of = DateField()  # the day whose lagging list it carries
    week = CharField(max_length=8)  # the closed week that list reads
    preamble = TextField(default="")
    ranking_data = TextField(default="{}")
    state = CharField(default="draft", index=True)
    issuer = CharField(default="")
    year = IntegerField(null=True)
    seq = IntegerField(null=True)
    number = CharField(null=True)
    published_on = DateField(null=True)
    published_at = DateTimeField(null=True)
    published_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "criticism_notice"
        indexes = ((("year", "seq"), True),)

    @property
    def is_published(self):
        return self.state == "published"

    @property
    def ranking(self):
        """The 红黑榜 beside the list, its lagging projects counting exactly the entries listed.

        The draft stores the ranking of its day (projects, overdue problems and reports missing
        per department and county); an entry taken off the notice no longer counts, so the
        ranking never adds up to more projects than the notice names.
        """
        stored = json.loads(self.ranking_data or "{}")
        return {group: self._recounted(group, rows) for group, rows in stored.items()}

    def _recounted(self, group, rows):
        column = getattr(NoticeEntry, group)
        listed = self.listed().select(column, fn.COUNT(NoticeEntry.id)).group_by(column).order_by()
        counts = {name or "": n for name, n in listed.tuples()}
        return worst_first({**row, "lagging": counts.get(row["name"] or "", 0)} for row in rows)

    @classmethod
    def published(cls):
        return cls.select().where(cls.state == "published").order_by(cls.published_on.desc(), cls.seq.desc())

    def listed(self):
        """The entries that stay on the notice, in order."""
        return self.entries.where(NoticeEntry.removed == False).order_by(NoticeEntry.position)  # noqa: E712

    def removed(self):
        return self.entries.where(NoticeEntry.removed == True).order_by(NoticeEntry.position)  # noqa: E712


class NoticeEntry(BaseModel):
    """A project on a notice, as the lagging list gave it on the notice's day."""

    notice = ForeignKeyField(CriticismNotice, backref="entries", on_delete="CASCADE")
    position = IntegerField()
    project = ForeignKeyField(Project, backref="notice_entries", on_delete="RESTRICT")
    code = CharField()
    name = CharField()
    project_unit = CharField()
    lead_official = CharField()
    lead_department = CharField()
    county = CharField()
    reasons_data = TextField()
    removed = BooleanField(default=False)
    removal_reason = TextField(default="")
    removed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    removed_at = DateTimeField(null=True)

    class Meta:
        table_name = "notice_entry"
        indexes = ((("notice", "position"), True),)

    @property
    def reasons(self):
        return json.loads(self.reasons_data)


def listed_project(code):
    """The project ``code`` if a published notice lists it (its entry not removed), else None.

    Only such a project has a public page: codes run in sequence, so a page for every code
    would publish the whole list to anyone counting through them.
    """
    if "\x00" in code:  # PostgreSQL cannot compare a string holding NUL: no project has such a code
        return None
    listed = (
        NoticeEntry.select(NoticeEntry.project)
        .join(CriticismNotice)
        .where(
            (CriticismNotice.state == "published") & (NoticeEntry.removed == False)  # noqa: E712
        )
    )
    return Project.get_or_none((Project.code == code) & Project.id.in_(listed))


def notices_of_project(project):
    """The published notices that list ``project`` (entries not removed), newest first."""
    return (
        CriticismNotice.published()
        .join(NoticeEntry)
        .where((NoticeEntry.project == project) & (NoticeEntry.removed == False))  # noqa: E712
        .distinct()
    )
