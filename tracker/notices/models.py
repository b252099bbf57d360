"""Notices of public criticism (通报批评): drafted from the lagging list, reviewed, published for good.

A draft copies the lagging list of its day, every entry with its reasons and
evidence, and the ranking beside it. The office may take an entry out only
with a written reason, which stays on the record for the inspector. Publishing
numbers the notice (X重项办〔2026〕12号) and freezes it: every change below is a
conditional write on ``state = 'draft'``, so a notice published a moment ago
cannot be changed by a request that read it as a draft."""

import json
import operator
from functools import reduce

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
from tracker.lagging.models import ListedProject
from tracker.lagging.rules import worst_first
from tracker.projects.models import Project

NOTICE_STATES = {"draft": "草稿", "published": "已发布"}


class ReviewedList(BaseModel):
    """What every list the office drafts, reviews and publishes shares: a notice, a quarter's 红旗 and 蜗牛.

    Its entries (a ReviewedEntry subclass, backref ``entries``) leave it only with a written reason, and
    only while it is a draft; publishing freezes it (see drafting: every change is conditional on the draft).
    """

    PUBLISHED = "名单已发布，不能再修改"  # what a change refused by the published list says
    state = CharField(default="draft", index=True)
    published_on = DateField(null=True)
    published_at = DateTimeField(null=True)
    published_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utc_now)

    @property
    def is_published(self):
        return self.state == "published"

    def listed(self):
        """The entries that stay on the list, in order."""
        entry = self.entries.model
        return self.entries.where(entry.removed == False).order_by(entry.position)  # noqa: E712

    def removed(self):
        entry = self.entries.model
        return self.entries.where(entry.removed == True).order_by(entry.position)  # noqa: E712


class ReviewedEntry(ListedProject):
    """A project on a reviewed list, with the reasons (and their evidence) it was put there.

    ``LIST`` names the subclass's foreign key to its ReviewedList, which the conditional writes ask.
    """

    LIST = None
    removed = BooleanField(default=False)
    removal_reason = TextField(default="")
    removed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    removed_at = DateTimeField(null=True)

    @classmethod
    def published_projects(cls):
        """The ids of the projects that entries of this kind list on published lists (not taken off)."""
        lists = getattr(cls, cls.LIST).rel_model
        return (
            cls.select(cls.project).join(lists).where((lists.state == "published") & (cls.removed == False))  # noqa: E712
        )


class CriticismNotice(ReviewedList):
    PUBLISHED = "通报已发布，不能再修改"
    title = CharField()
    as_of = DateField()  # the day whose lagging list it carries
    week = CharField(max_length=8)  # the closed week that list reads
    preamble = TextField(default="")
    ranking_data = TextField(default="{}")
    issuer = CharField(default="")
    year = IntegerField(null=True)
    seq = IntegerField(null=True)
    number = CharField(null=True)

    class Meta:
        table_name = "criticism_notice"
        indexes = ((("year", "seq"), True),)

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


class NoticeEntry(ReviewedEntry):
    """A project on a notice, as the lagging list gave it on the notice's day."""

    LIST = "notice"
    notice = ForeignKeyField(CriticismNotice, backref="entries", on_delete="CASCADE")
    project = ForeignKeyField(Project, backref="notice_entries", on_delete="RESTRICT")

    class Meta:
        table_name = "notice_entry"
        indexes = ((("notice", "position"), True),)


def listed_project(code, entries=(NoticeEntry,)):
    """The project ``code`` if a published list of ``entries`` (ReviewedEntry kinds) lists it, else None.

    Only such a project has a public page: codes run in sequence, so a page for every code
    would publish the whole list to anyone counting through them. An entry taken off its
    list before publication does not count.
    """
    if "\x00" in code:  # PostgreSQL cannot compare a string holding NUL: no project has such a code
        return None
    listed = [kind.published_projects() for kind in entries]
    return Project.get_or_none((Project.code == code) & reduce(operator.or_, [Project.id.in_(q) for q in listed]))


def notices_of_project(project):
    """The published notices that list ``project`` (entries not removed), newest first."""
    return (
        CriticismNotice.published()
        .join(NoticeEntry)
        .where((NoticeEntry.project == project) & (NoticeEntry.removed == False))  # noqa: E712
        .distinct()
    )
