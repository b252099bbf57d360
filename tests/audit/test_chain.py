"""The audit log is a hash chain: appends from many writers stay one chain, and any edit shows."""

import threading

from tracker.audit.log import Actor, record, verify
from tracker.audit.models import AuditEntry
from tracker.core.db import db

OFFICE = Actor("王主任", 7, "10.0.0.8")


def test_entries_keep_who_what_and_where(conn):
    entry = record("login", OFFICE, method="password")

    kept = AuditEntry.get_by_id(entry.id)
    assert (kept.actor, kept.actor_id, kept.address, kept.event) == ("王主任", 7, "10.0.0.8", "login")
    assert kept.detail == '{"method": "password"}'
    assert verify() is None


def test_changing_an_entry_breaks_the_chain_there(conn, superuser):
    superuser()
    entries = [record("login", OFFICE, n=n) for n in range(5)]
    AuditEntry.update(detail='{"n": 99}').where(AuditEntry.id == entries[2].id).execute()

    assert verify() == entries[2].id


def test_deleting_an_entry_in_the_middle_shows(conn, superuser):
    superuser()
    entries = [record("login", OFFICE, n=n) for n in range(5)]
    AuditEntry.delete().where(AuditEntry.id == entries[1].id).execute()

    assert verify() == entries[2].id


def test_rewriting_an_entry_with_a_fresh_hash_still_shows_in_the_next(conn, superuser):
    from tracker.audit.log import entry_hash

    superuser()
    entries = [record("login", OFFICE, n=n) for n in range(3)]
    forged = AuditEntry.get_by_id(entries[1].id)
    forged.actor = "别人"
    forged.hash = entry_hash(forged)
    forged.save()

    assert verify() == entries[2].id


def test_writers_at_once_append_one_unbroken_chain(conn):
    def write(n):
        for i in range(15):
            record("report_reopened", Actor(f"user{n}", n), i=i)
        db.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert AuditEntry.select().count() == 90
    assert verify() is None
