"""The outbox: one row per (run, kind, channel, recipient), delivered exactly once, retried with back-off.

A sender claims one due row with a conditional UPDATE (the healthchecks
pattern): only the process whose UPDATE changed the row sends it. A claim
carries a lease; a sender that dies after claiming leaves the row to be
claimed again once the lease has expired. Each state change is its own short
transaction: no transaction stays open during the SMTP conversation or the HTTP request.

Every channel goes through here: an email's recipient is an address, a robot's its name in config,
an SMS's a phone. A claim also takes a slot of the recipient's rate limit (``limits``), in the same
transaction; a message over the limit is not claimed but waits, due again when a slot frees."""

import datetime as dt
import hashlib
import logging

from peewee import BlobField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from tracker.accounts.models import CHANNELS
from tracker.core.db import BaseModel, db
from tracker.core.weeks import utc_now
from tracker.cycles.runs import CycleRun, worker_id
from tracker.mail import channels
from tracker.mail.compose import DeliveryError, deliver
from tracker.mail.limits import take_slot

log = logging.getLogger(__name__)


OUTBOX_STATES = {"queued": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}


KINDS = {
    "reminder": "未报提醒",
    "leader_summary": "领导周报摘要",
    "office_summary": "办公室周报汇总",
    "consultation": "月会商议程",
    "analysis": "季度分析",
    "supervision_order": "督办通知",
    "supervision_reminder": "督办催办",
    "report_sent_back": "周报退回",
}


# However many attempts are allowed, a retry waits at most a day.
MAX_BACKOFF_SECONDS = 24 * 3600


class Outbox(BaseModel):
    run = ForeignKeyField(CycleRun, backref="mail", on_delete="CASCADE")
    kind = CharField()
    channel = CharField(default="email")
    recipient = CharField()
    recipient_name = CharField(default="")
    subject = CharField(default="")
    # The whole rendered message, so that a retry sends exactly the same bytes.
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
        indexes = ((("run", "kind", "channel", "recipient"), True),)

    @classmethod
    def claimable(cls, now):
        """Rows a sender may claim at ``now``: queued and due, or abandoned by a sender whose lease ran out."""
        due = (cls.state == "queued") & (cls.next_attempt_at <= now)
        abandoned = (cls.state == "sending") & (cls.lease_until < now)
        return due | abandoned

    @classmethod
    def listing(cls, run_id=None, state=None, channel=None):
        """Rows newest first with their run's cycle and period, leaving out the message bodies."""
        query = (
            cls.select(
                cls.id,
                cls.run,
                cls.kind,
                cls.channel,
                cls.recipient,
                cls.recipient_name,
                cls.subject,
                cls.state,
                cls.attempts,
                cls.last_error,
                cls.created_at,
                cls.sent_at,
                # The run's id too: without it the joined run comes back with id None.
                CycleRun.id,
                CycleRun.cycle,
                CycleRun.period,
            )
            .join(CycleRun)
            .order_by(cls.id.desc())
        )
        if run_id is not None:
            query = query.where(cls.run == run_id)
        if state is not None:
            query = query.where(cls.state == state)
        if channel is not None:
            query = query.where(cls.channel == channel)
        return query


def enqueue(run, kind, recipient, recipient_name, message):
    """Queue ``message`` (an EmailMessage from ``mail.make_message``) once; return whether this call queued it.

    A second call for the same (run, kind, recipient) changes nothing and
    returns False: the cursor's rowcount tells, on SQLite and PostgreSQL alike
    (an ignored insert still reports a row id on SQLite). The message's
    Message-ID is replaced by one derived from that key, so every copy of
    the message, and every retry, carries the same one.
    """
    domain = message["From"].addresses[0].domain
    message.replace_header("Message-ID", message_id(run, kind, recipient, domain))
    return _insert(run, kind, "email", recipient, recipient_name, str(message["Subject"]), message.as_bytes())


def enqueue_text(run, kind, channel, recipient, recipient_name, title, text):
    """Queue a robot's markdown or an SMS (``channel``) to ``recipient`` once; return whether this call queued it.

    ``recipient`` is the robot's name in config, or the phone number.
    """
    if channel not in CHANNELS or channel == "email":
        raise ValueError(f"unknown channel: {channel!r}")
    return _insert(run, kind, channel, recipient, recipient_name, title, channels.payload(title, text))


def _insert(run, kind, channel, recipient, recipient_name, subject, message):
    if kind not in KINDS:
        raise ValueError(f"unknown kind of message: {kind!r}")
    query = Outbox.insert(
        run=run,
        kind=kind,
        channel=channel,
        recipient=recipient,
        recipient_name=recipient_name,
        subject=subject[:255],
        message=message,
    ).on_conflict_ignore()
    return db.execute(query).rowcount == 1


def message_id(run, kind, recipient, domain):
    """The Message-ID of the outbox row (run, kind, recipient): readable, stable, unique per row."""
    # The key exactly as the unique index sees it: two rows never share an id.
    digest = hashlib.sha256(f"{run.id}/{kind}/{recipient}".encode()).hexdigest()[:20]
    return f"<{run.cycle}.{run.period}.{kind}.{digest}@{domain}>"


def claim_one(config, now=None, holder=None):
    """Claim one due row for ``holder`` (this process by default); return it, or None when nothing is due."""
    now, holder = now or utc_now(), holder or worker_id()
    lease_until = now + dt.timedelta(seconds=config["mail"]["lease_seconds"])
    while True:
        candidate = (
            Outbox.select(Outbox.id, Outbox.channel, Outbox.recipient)
            .where(Outbox.claimable(now))
            .order_by(Outbox.id)
            .first()
        )
        if candidate is None:
            return None
        with db.atomic() as transaction:
            won = (
                Outbox.update(state="sending", claimed_by=holder, lease_until=lease_until)
                .where((Outbox.id == candidate.id) & Outbox.claimable(now))
                .execute()
            )
            if won == 1 and (free_at := _over_limit(candidate, config, now)):
                # Not claimed after all: the message waits for the window, without an attempt spent.
                transaction.rollback()
                won = 0
                Outbox.update(state="queued", next_attempt_at=free_at, lease_until=None).where(
                    (Outbox.id == candidate.id) & Outbox.claimable(now)
                ).execute()
        if won == 1:
            return Outbox.get_by_id(candidate.id)


def _over_limit(row, config, now):
    """None when ``row``'s recipient has a slot of its rate limit (now taken); else when one frees."""
    limit = channels.per_minute(row.channel, row.recipient, config)
    if not limit:
        return None
    window = dt.timedelta(seconds=config["channels"]["window_seconds"])
    return take_slot(row.channel, row.recipient, limit, now, window)


def deliver_due(config, now=None, stop=lambda: False):
    """Deliver until nothing is due or ``stop()`` is true; return {"sent", "retrying", "failed"} counts."""
    counts = dict.fromkeys(("sent", "retrying", "failed"), 0)
    while not stop():
        outcome = _send_one(config, now, None)
        if outcome is None:
            break
        counts[outcome] += 1
    return counts


def resend(row):
    """Put a failed (or, on the office's request, a sent) message back in the queue, attempts reset.

    Returns False, changing nothing, when the message is queued or being sent already.
    """
    with db.atomic():
        changed = (
            Outbox.update(
                state="queued",
                attempts=0,
                next_attempt_at=utc_now(),
                lease_until=None,
                claimed_by="",
                last_error="",
                sent_at=None,
            )
            .where((Outbox.id == row.id) & Outbox.state.in_(("failed", "sent")))
            .execute()
        )
    return changed == 1


def _send_one(config, now, holder):
    """Deliver one claimed row; return "sent", "retrying" or "failed", or None when nothing was due."""
    now = now or utc_now()
    row = claim_one(config, now, holder)
    if row is None:
        return None
    try:
        if row.channel == "email":
            deliver(bytes(row.message), row.recipient, config)
        else:
            channels.send(row.channel, row.recipient, row.message, config)
    except DeliveryError as e:
        return _record_failure(row, str(e), config["mail"], now)
    _record_sent(row)
    return "sent"


def _still_ours(row):
    """Our claim, and not a later one: a takeover sets a later lease (even by the same holder)."""
    return (
        (Outbox.id == row.id)
        & (Outbox.state == "sending")
        & (Outbox.claimed_by == row.claimed_by)
        & (Outbox.lease_until == row.lease_until)
    )


def _record_sent(row):
    with db.atomic():
        changed = (
            Outbox.update(
                state="sent", sent_at=utc_now(), attempts=Outbox.attempts + 1, last_error="", lease_until=None
            )
            .where(_still_ours(row))
            .execute()
        )
    if changed != 1:
        log.warning("outbox %d: sent after its lease expired; another sender may send it too", row.id)


def _record_failure(row, error, mail, now):
    attempts = row.attempts + 1
    give_up = attempts >= mail["max_attempts"]
    backoff = min(mail["retry_seconds"] * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    with db.atomic():
        changed = (
            Outbox.update(
                state="failed" if give_up else "queued",
                attempts=attempts,
                last_error=error[:2000],
                next_attempt_at=now + dt.timedelta(seconds=backoff),
                lease_until=None,
            )
            .where(_still_ours(row))
            .execute()
        )
    if changed != 1:
        # Our lease ran out during the attempt: the sender that took the row over records its outcome.
        log.warning("outbox %d: failed after its lease expired; left to the sender that took it over", row.id)
    outcome = "failed" if give_up else "retrying"
    log.warning(
        "outbox %d by %s to %s: attempt %d failed (%s): %s",
        row.id,
        row.channel,
        row.recipient,
        attempts,
        outcome,
        error,
    )
    return outcome
