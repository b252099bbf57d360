"""The outbox: one row per (run, kind, recipient), delivered exactly once, retried with back-off.

A sender claims one due row with a conditional UPDATE (the healthchecks
pattern): only the process whose UPDATE changed the row sends it. A claim
carries a lease; a sender that dies after claiming leaves the row to be
claimed again once the lease has expired. Each state change is its own short
transaction: no transaction stays open during the SMTP conversation.
"""

import datetime as dt
from email import message_from_bytes, policy

from peewee import BlobField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .db import db
from .mail import DeliveryError, deliver
from .models import BaseModel
from .runs import CycleRun, worker_id
from .weeks import utc_now

OUTBOX_STATES = {"queued": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}
KINDS = {
    "reminder": "未报提醒",
    "leader_summary": "领导周报摘要",
    "office_summary": "办公室周报汇总",
    "consultation": "月会商议程",
    "analysis": "季度分析",
}


class Outbox(BaseModel):
    run = ForeignKeyField(CycleRun, backref="mail", on_delete="CASCADE")
    kind = CharField()
    recipient = CharField()
    recipient_name = CharField(default="")
    subject = CharField(default="")
    message = BlobField()
    state = CharField(default="queued", index=True)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utc_now, index=True)
    lease_until = DateTimeField(null=True)
    claimed_by = CharField(default="")
    last_error = TextField(default="")
    created_at = DateTimeField(default=utc_now)
    sent_at = DateTimeField(null=True)

    class Meta:
        table_name = "outbox"
        indexes = ((("run", "kind", "recipient"), True),)


def enqueue(run, kind, recipient, recipient_name, message):
    """Queue a message once; a second call for the same (run, kind, recipient) changes nothing.

    Returns whether this call queued it: the cursor's rowcount says so on
    SQLite and PostgreSQL alike (an ignored insert still reports a row id).
    """
    subject = str(message_from_bytes(message, policy=policy.default)["Subject"] or "")
    query = Outbox.insert(
        run=run, kind=kind, recipient=recipient, recipient_name=recipient_name, subject=subject[:255], message=message
    ).on_conflict_ignore()
    return db.execute(query).rowcount == 1


def _claimable(now):
    due = (Outbox.state == "queued") & (Outbox.next_attempt_at <= now)
    abandoned = (Outbox.state == "sending") & (Outbox.lease_until < now)
    return due | abandoned


def claim_one(config, now=None, holder=None):
    """Claim one due row for this process; return it, or None when nothing is due."""
    now, holder = now or utc_now(), holder or worker_id()
    lease = dt.timedelta(seconds=config["mail"]["lease_seconds"])
    while True:
        candidate = Outbox.select(Outbox.id).where(_claimable(now)).order_by(Outbox.id).first()
        if candidate is None:
            return None
        with db.atomic():
            won = (
                Outbox.update(state="sending", claimed_by=holder, lease_until=now + lease)
                .where((Outbox.id == candidate.id) & _claimable(now))
                .execute()
            )
        if won == 1:
            return Outbox.get_by_id(candidate.id)
        # Another sender took it between our SELECT and UPDATE: look again.


def deliver_one(config, now=None, holder=None):
    """Claim, send and record one message; return False when nothing was due."""
    row = claim_one(config, now, holder)
    if row is None:
        return False
    try:
        deliver(bytes(row.message), row.recipient, config, f"{row.id:06d}-{row.kind}.eml")
    except DeliveryError as e:
        _failed(row, str(e), config, now or utc_now())
    else:
        with db.atomic():
            Outbox.update(state="sent", sent_at=utc_now(), attempts=Outbox.attempts + 1, last_error="").where(
                (Outbox.id == row.id) & (Outbox.claimed_by == row.claimed_by)
            ).execute()
    return True


def _failed(row, error, config, now):
    attempts = row.attempts + 1
    give_up = attempts >= config["mail"]["max_attempts"]
    retry = now + dt.timedelta(seconds=config["mail"]["retry_seconds"] * 2 ** (attempts - 1))
    with db.atomic():
        Outbox.update(
            state="failed" if give_up else "queued",
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=retry,
            lease_until=None,
        ).where((Outbox.id == row.id) & (Outbox.claimed_by == row.claimed_by)).execute()


def deliver_due(config, now=None, stop=lambda: False):
    """Deliver until nothing is due (or ``stop()``); return how many messages were tried."""
    tried = 0
    while not stop() and deliver_one(config, now):
        tried += 1
    return tried


def resend(row):
    """Put a failed (or, on the office's request, a sent) message back in the queue."""
    with db.atomic():
        Outbox.update(state="queued", attempts=0, next_attempt_at=utc_now(), lease_until=None, last_error="").where(
            Outbox.id == row.id
        ).execute()
