"""Appending to the audit log and checking that nobody changed it.

Each entry's hash covers its own fields and the hash of the entry before, so
changing, inserting or deleting an entry anywhere breaks every hash after it;
``verify`` finds the first such break. Entries are appended by ``record`` only:
no page, API call or command edits one.
"""

import hashlib
import json
from dataclasses import dataclass

from peewee import SqliteDatabase

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


def record(event, actor, **detail):
    """Append one entry for ``event`` by ``actor``, with ``detail`` as JSON; return it.

    Inside the caller's transaction when there is one, so the entry is written
    with the change it describes or not at all.
    """
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    with db.atomic():
        _take_turn()
        last = AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).first()
        entry = AuditEntry(
            at=utc_now().replace(microsecond=0),
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
    fields = [
        entry.prev_hash,
        entry.at.isoformat(),
        "" if entry.actor_id is None else str(entry.actor_id),
        entry.actor,
        entry.address,
        entry.event,
        entry.detail,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def verify():
    """The id of the first entry whose hash or link does not hold, or None when the whole chain holds.

    The oldest entry kept anchors the chain: entries before it may have been
    removed by the retention rule, which records that it did.
    """
    previous = None
    for entry in AuditEntry.select().order_by(AuditEntry.id).iterator():
        if previous is not None and entry.prev_hash != previous:
            return entry.id
        if entry_hash(entry) != entry.hash:
            return entry.id
        previous = entry.hash
    return None
