"""A quarter's 红旗 and 蜗牛 lists: one reviewed list per quarter, its entries of both kinds.

Drafted from the rules (rules.py), reviewed like a notice (an entry leaves only with a written
reason, kept for the inspector) and published for good: every change is conditional on the draft."""

from peewee import CharField, DecimalField, ForeignKeyField

from tracker.honours.rules import KINDS
from tracker.notices.models import ReviewedEntry, ReviewedList
from tracker.projects.models import Project

HONOUR_STATES = {"draft": "草稿", "published": "已发布"}


class HonourList(ReviewedList):
    PUBLISHED = "红旗蜗牛名单已发布，不能再修改"
    quarter = CharField(max_length=7, unique=True)
    week = CharField(max_length=8)  # the quarter's closing week, whose snapshot the list reads

    class Meta:
        table_name = "honour_list"

    @classmethod
    def published(cls):
        return cls.select().where(cls.state == "published").order_by(cls.quarter.desc())

    def listed_by_kind(self):
        """{"red_flag": [entries], "snail": [...]}: the entries that stay on the list, in rank order."""
        listed = {kind: [] for kind in KINDS}
        for entry in self.listed():
            listed[entry.kind].append(entry)
        return listed


class HonourEntry(ReviewedEntry):
    """A project on a quarter's 红旗 or 蜗牛 list, with its attributes at the closing week and its reasons."""

    LIST = "honour_list"
    honour_list = ForeignKeyField(HonourList, backref="entries", on_delete="CASCADE")
    kind = CharField()  # red_flag / snail
    project = ForeignKeyField(Project, backref="honour_entries", on_delete="RESTRICT")
    score = DecimalField(max_digits=12, decimal_places=2, auto_round=True)

    class Meta:
        table_name = "honour_entry"
        indexes = ((("honour_list", "kind", "position"), True),)
