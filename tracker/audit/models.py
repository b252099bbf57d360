"""The audit log (审计日志): one row per security-relevant event, each chained to the one before by a hash."""

import json

from peewee import CharField, DateTimeField, IntegerField, TextField

from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now


class AuditEntry(BaseModel):
    """Who did what, when and from where.

    ``actor`` and ``actor_id`` are copied, not a foreign key: an entry outlives
    the account it names. ``prev_hash`` is unique, so two writers that read the
    same last entry cannot both append after it: the chain never forks.
    """

    at = DateTimeField(default=utc_now, index=True)
    actor_id = IntegerField(null=True)
    actor = CharField(default="")
    address = CharField(default="")
    event = CharField(index=True)
    detail = TextField(default="{}")
    prev_hash = CharField(unique=True)
    hash = CharField(unique=True)

    class Meta:
        table_name = "audit_entry"

    @property
    def details(self):
        """The detail as a dict."""
        return json.loads(self.detail)
