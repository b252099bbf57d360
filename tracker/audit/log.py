"""Appending to the audit log, checking that nobody changed it, and pruning it by the retention rule.

Each entry's hash covers its own fields and the hash of the entry before, so
changing, inserting or deleting an entry anywhere breaks every hash after it;
``verify`` finds the first such break. Entries are appended by ``record`` only:
no page, API call or command edits one, and the database refuses an UPDATE
(see ``tracker.schema``). The only deletion is ``prune``'s, which records what
it removed and the hash the oldest kept entry follows (its anchor).
"""

import datetime as dt
import hashlib
import json
import zoneinfo
from dataclasses import dataclass

from peewee import SqliteDatabase, fn

from tracker.audit.events import EVENTS
from tracker.audit.models import AuditEntry
from tracker.core.db import db
from tracker.core.weeks import utc_now

# The hash the first entry follows.
GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who acts: an account (its id and name) or a process ("命令行", "调度程序"), and from which address."""

    name: str
    id: int | None = None
    address: str = ""


def record(event, actor, now=None, **detail):
    """Append one entry for ``event`` (a key of EVENTS) by ``actor``, with ``detail`` as JSON; return it.

    Inside the caller's transaction when there is one, so the entry is written
    with the change it describes or not at all. ``now`` (naive UTC) is for
    entries of the past, in tests.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    with db.atomic():
        _take_turn()
        last = AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
        entry = AuditEntry(
            at=(now or utc_now()).replace(microsecond=0),
            actor_id=actor.id,
            actor=actor.name[:255],
            address=actor.address[:255],
            event=event,
            detail=text,
            prev_hash=last.hash if last else GENESIS,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
    return entry


# Any fixed number: the key of PostgreSQL's advisory lock that queues the appenders.
APPEND_LOCK = 0x61756469


def _take_turn():
    """Wait for the appenders before us, so each reads the last entry after they wrote theirs.

    SQLite's transactions already take the write lock when they begin
    (tracker.core.db); PostgreSQL's read the committed state, so appenders
    queue on an advisory lock held until the transaction ends.
    """
    if not isinstance(db.obj, SqliteDatabase):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (APPEND_LOCK,))


def entry_hash(entry):
    """The SHA-256 of an entry's fields and the hash before it."""
    return _hash(entry.prev_hash, entry.at, entry.actor_id, entry.actor, entry.address, entry.event, entry.detail)


def _hash(prev_hash, at, actor_id, actor, address, event, detail):
    fields = [prev_hash, at.isoformat(), "" if actor_id is None else str(actor_id), actor, address, event, detail]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


HASHED = (
    AuditEntry.prev_hash,
    AuditEntry.at,
    AuditEntry.actor_id,
    AuditEntry.actor,
    AuditEntry.address,
    AuditEntry.event,
    AuditEntry.detail,
)


def verify(checkpoint=None):
    """The id of the first entry whose hash or link does not hold, or None when the chain holds.

    Without ``checkpoint`` the whole chain is read: its oldest entry follows
    either the genesis hash (nothing was ever pruned) or the anchor the last
    pruning recorded, so removing old entries any other way shows there. With
    ``checkpoint`` (an entry's id and the hash it had when a full check passed),
    only that entry and the ones after it are read; a checkpoint pruned away
    since means a full check. One pass over plain tuples in id order.
    """
    rows = AuditEntry.select(AuditEntry.id, AuditEntry.hash, *HASHED).order_by(AuditEntry.id).tuples()
    expected = anchor()
    if checkpoint is not None:
        through, pinned = checkpoint
        first = rows.where(AuditEntry.id >= through).first()
        if first is None or first[0] != through or first[1] != pinned:
            oldest = AuditEntry.select(fn.MIN(AuditEntry.id)).scalar()
            if oldest is not None and oldest <= through:  # the checkpoint is gone or changed, not pruned
                return first[0] if first else through
        else:
            rows, expected = rows.where(AuditEntry.id >= through), first[2]
    for entry_id, stored, *fields in rows.iterator():
        if fields[0] != expected or _hash(*fields) != stored:
            return entry_id
        expected = stored
    return None


@dataclass(frozen=True)
class ChainState:
    """What the audit page says about the chain: ``broken`` (the first bad entry's id, or None),
    and ``full_check``, the last ``audit_verified`` entry the quick check built on (or None)."""

    broken: int | None
    full_check: AuditEntry | None


def chain_state():
    """Whether the chain holds, quickly: the last full check's result, then only the entries since it.

    A full check (``check_all``: the scheduler's daily one, the page's button,
    ``verify-audit``) reads every entry, seconds at 200,000; this reads those
    appended since. An entry changed before the last full check shows at the next.
    """
    full = AuditEntry.select().where(AuditEntry.event == "audit_verified").order_by(AuditEntry.id.desc()).first()
    if full is None:
        return ChainState(verify(), None)
    result = json.loads(full.detail)
    if result["broken"] is not None:
        return ChainState(result["broken"], full)
    return ChainState(verify((result["through"], result["hash"])), full)


def check_all(actor):
    """Verify the whole chain and record the result (``audit_verified``); return the first bad entry's id or None.

    The result names the last entry checked and its hash: the checkpoint from
    which ``chain_state`` goes on.
    """
    with db.atomic():
        _take_turn()
        broken = verify()
        last = AuditEntry.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
        record(
            "audit_verified",
            actor,
            broken=broken,
            through=last.id if last else 0,
            hash=last.hash if last else GENESIS,
        )
    return broken


def anchor():
    """The hash the oldest entry kept must follow: the last pruning's anchor, else the genesis hash."""
    pruned = (
        AuditEntry.select(AuditEntry.detail)
        .where(AuditEntry.event == "audit_pruned")
        .order_by(AuditEntry.id.desc())
        .first()
    )
    return json.loads(pruned.detail)["anchor"] if pruned else GENESIS


def last_hash():
    """The hash of the newest entry: copied elsewhere, it pins the whole chain as of now."""
    last = AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
    return last.hash if last else GENESIS


def prune(keep_days, actor, now=None):
    """Remove the entries older than ``keep_days`` days and record it; return that entry, or None if none was due.

    The chain stays one piece: the oldest entries go, up to the first one
    young enough to keep, and the ``audit_pruned`` entry names the hash the
    oldest kept entry follows, which ``verify`` then takes as its anchor.
    """
    now = now or utc_now()
    before = now - dt.timedelta(days=keep_days)
    with db.atomic():
        _take_turn()
        kept_from = AuditEntry.select(fn.MIN(AuditEntry.id)).where(AuditEntry.at >= before).scalar()
        doomed = AuditEntry.select(AuditEntry.id, AuditEntry.hash)
        if kept_from is not None:
            doomed = doomed.where(AuditEntry.id < kept_from)
        last = doomed.order_by(AuditEntry.id.desc()).first()
        if last is None:
            return None
        removed = AuditEntry.delete().where(AuditEntry.id <= last.id).execute()
        return record(
            "audit_pruned", actor, now=now, removed=removed, before=before.isoformat(sep=" "), anchor=last.hash
        )


EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(9000, 1, 1)


def search(filters, timezone):
    """The entries matching ``filters``, newest first.

    ``filters`` may hold ``event`` (exact), ``actor`` (part of the name),
    ``address`` (its beginning), ``since`` and ``until`` (dates in the city's
    ``timezone``, both days included).
    """
    zone = zoneinfo.ZoneInfo(timezone)

    def utc(day):
        day = min(max(day, EARLIEST), LATEST)  # the first and last days of the calendar overflow a shift to UTC
        return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC).replace(tzinfo=None)

    query = AuditEntry.select().order_by(AuditEntry.id.desc())
    if filters.get("event"):
        query = query.where(AuditEntry.event == filters["event"])
    if filters.get("actor"):
        query = query.where(AuditEntry.actor.contains(filters["actor"]))
    if filters.get("address"):
        query = query.where(AuditEntry.address.startswith(filters["address"]))
    if filters.get("since"):
        query = query.where(AuditEntry.at >= utc(filters["since"]))
    if filters.get("until"):
        query = query.where(AuditEntry.at < utc(filters["until"] + dt.timedelta(days=1)))
    return query
