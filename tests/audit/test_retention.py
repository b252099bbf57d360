"""The database keeps the audit log append-only; only the retention rule removes entries, and says so."""

import datetime as dt

import pytest
from peewee import DatabaseError

from tracker.audit.log import Actor, chain_state, check_all, prune, record, verify
from tracker.audit.models import AuditEntry
from tracker.core.config import ConfigError, load_config
from tracker.core.db import db
from tracker.core.weeks import utc_now
from tracker.schema import create_tables

OFFICE = Actor("王主任", 7, "10.0.0.8")
SCHEDULER = Actor("调度程序")


def days_ago(days):
    return utc_now() - dt.timedelta(days=days)


def test_the_database_refuses_to_change_an_entry(conn):
    entry = record("login", OFFICE)
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        AuditEntry.update(actor="别人").where(AuditEntry.id == entry.id).execute()
    assert AuditEntry.get_by_id(entry.id).actor == "王主任"


def test_the_database_refuses_to_remove_an_entry_younger_than_the_legal_minimum(conn):
    entry = record("login", OFFICE, now=days_ago(179))
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        AuditEntry.delete().where(AuditEntry.id == entry.id).execute()
    assert AuditEntry.select().count() == 1


def test_installing_the_guards_again_is_harmless(conn):
    create_tables()
    create_tables()
    entry = record("login", OFFICE)
    with pytest.raises(DatabaseError), db.atomic():
        AuditEntry.update(actor="别人").where(AuditEntry.id == entry.id).execute()


def test_pruning_removes_old_entries_records_it_and_the_chain_still_holds(conn):
    for days in (400, 390, 370, 100, 1):
        record("login", OFFICE, now=days_ago(days), days=days)

    pruned = prune(365, SCHEDULER)

    kept = [e.details.get("days") for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert kept == [100, 1, None]
    assert pruned.event == "audit_pruned" and pruned.actor == "调度程序"
    assert pruned.details["removed"] == 3
    assert pruned.details["anchor"] == AuditEntry.select().order_by(AuditEntry.id).first().prev_hash
    assert verify() is None
    assert prune(365, SCHEDULER) is None  # nothing more is due: nothing recorded


def test_removing_old_entries_other_than_by_pruning_shows(conn):
    entries = [record("login", OFFICE, now=days_ago(days)) for days in (400, 390, 10)]
    AuditEntry.delete().where(AuditEntry.id == entries[0].id).execute()  # old enough for the trigger

    assert verify() == entries[1].id


def test_removing_more_than_the_last_pruning_did_shows(conn):
    for days in (400, 300, 250, 10):
        record("login", OFFICE, now=days_ago(days))
    prune(365, SCHEDULER)
    oldest = AuditEntry.select().order_by(AuditEntry.id).first()
    AuditEntry.delete().where(AuditEntry.id == oldest.id).execute()

    assert verify() is not None


def test_the_quick_check_builds_on_the_last_full_one(conn, superuser):
    first = [record("login", OFFICE, n=n) for n in range(3)]
    assert check_all(SCHEDULER) is None
    later = record("logout", OFFICE)
    assert chain_state().broken is None and chain_state().full_check.event == "audit_verified"

    superuser()
    AuditEntry.update(actor="别人").where(AuditEntry.id == later.id).execute()
    assert chain_state().broken == later.id  # after the checkpoint: seen at once
    AuditEntry.update(actor="别人").where(AuditEntry.id == first[0].id).execute()
    assert check_all(SCHEDULER) == first[0].id  # before it: seen by the next full check, and kept seen
    assert chain_state().broken == first[0].id


@pytest.mark.parametrize("days", [0, 30, 179])
def test_keeping_the_log_less_than_six_months_is_refused(days):
    with pytest.raises(ConfigError, match=r"\[audit\] keep_days must be at least 180"):
        load_config(overrides={"audit": {"keep_days": days}})


def test_the_log_is_kept_a_year_by_default():
    assert load_config(overrides={})["audit"]["keep_days"] == 365
