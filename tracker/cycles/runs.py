"""Cycle runs: one row per (cycle, period), claimed in the database so a period runs once.

Two schedulers, a restart in the middle, or a manual run of a period already
done must not send anything twice. The row is the claim: whoever inserts it
runs the cycle, everyone else sees that their insert changed nothing. A run
left ``running`` past its lease (its process died) may be taken over by a
conditional UPDATE that only one contender can win."""

import datetime as dt
import json
import os
import socket
from decimal import Decimal

from peewee import CharField, DateTimeField, IntegerField, TextField

from tracker.core.db import BaseModel, db
from tracker.core.money import json_number
from tracker.core.weeks import utc_now

CYCLES = {"weekly": "周调度", "monthly": "月会商", "quarterly": "季分析"}


# Every kind of run: the scheduled cycles, the reminders before a week's cut-off (period
# "2026-W49 friday 09:00"), the mail of a supervision order (issued by hand) and of a report
# sent back by its county office (period "2026-00012 2026-W49 v3").
RUN_KINDS = {**CYCLES, "reminder": "填报提醒", "supervision": "督办通知", "review": "周报退回"}


STATES = {"running": "运行中", "sending": "发送中", "sent": "已发送", "failed": "失败"}


def worker_id():
    """Who holds a claim: host and process, so a takeover can be told apart in the log."""
    return f"{socket.gethostname()}:{os.getpid()}"


class CycleRun(BaseModel):
    cycle = CharField()
    period = CharField()
    state = CharField(default="running", index=True)
    claimed_by = CharField()
    lease_until = DateTimeField()
    attempts = IntegerField(default=1)
    started_at = DateTimeField(default=utc_now)
    finished_at = DateTimeField(null=True)
    error = TextField(default="")
    # What the cycle found (figures, agenda, analysis), for the pages that show a run.
    summary = TextField(default="{}")

    class Meta:
        table_name = "cycle_run"
        indexes = ((("cycle", "period"), True),)

    @property
    def data(self):
        return from_json(self.summary or "{}")

    @classmethod
    def claim(cls, cycle, period, lease, now=None, holder=None):
        """Claim (cycle, period) for this process; return the run, or None if another has it.

        A fresh claim inserts the row; a run still ``running`` whose lease has
        expired is taken over. ``rowcount`` tells winner from loser on SQLite
        and PostgreSQL alike (an ignored insert's "last row id" would not).
        """
        now = now or utc_now()
        holder = holder or worker_id()
        insert = cls.insert(
            cycle=cycle, period=period, state="running", claimed_by=holder, lease_until=now + lease, started_at=now
        ).on_conflict_ignore()
        if db.execute(insert).rowcount == 1:
            return cls.get(cycle=cycle, period=period)
        takeover = cls.update(claimed_by=holder, lease_until=now + lease, attempts=cls.attempts + 1).where(
            (cls.cycle == cycle) & (cls.period == period) & (cls.state == "running") & (cls.lease_until < now)
        )
        if takeover.execute() == 1:
            return cls.get(cycle=cycle, period=period)
        return None

    def finish(self, state, summary=None, error=""):
        """Record the outcome (``sent`` or ``failed``) and what the cycle found."""
        self.state, self.error, self.finished_at = state, error, utc_now()
        if summary is not None:
            self.summary = to_json(summary)
        self.save()


def to_json(summary):
    """A run's summary as stored: JSON, dates as ISO text, amounts as numbers."""
    return json.dumps(summary, ensure_ascii=False, default=_json_default)


def from_json(text):
    """A stored summary, its numbers with decimals read as Decimals.

    So an amount comes back exact, and a percentage prints as it was stored (54.3).
    """
    return json.loads(text, parse_float=Decimal)


def _json_default(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return json_number(value)
    raise TypeError(f"cannot store {type(value).__name__} in a run summary")
