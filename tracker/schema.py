"""The one module that names every table: creating them, and bringing older databases to the models."""

import datetime as dt
from contextlib import contextmanager

from peewee import SqliteDatabase

from tracker.accounts.models import AccountCounty, ApiToken, LeadOfficial, User
from tracker.audit.models import AuditEntry
from tracker.bonds.models import BondApplication, BondBatch, BondEntry, BondSpending
from tracker.core.cache import DataVersion
from tracker.core.config import DEFAULTS, MIN_AUDIT_KEEP_DAYS
from tracker.core.db import db
from tracker.core.money import MoneyField
from tracker.core.weeks import utc_now
from tracker.cycles.consultations import AgendaItem, Decision
from tracker.cycles.runs import CycleRun
from tracker.cycles.snapshots import ProjectSnapshot, WeekFunds, WeekTotals
from tracker.enterprises.models import Enterprise, EnterpriseProblem, EnterpriseStatus
from tracker.honours.models import HonourEntry, HonourList
from tracker.inspections.models import Finding, InspectionBulletin, InspectionGroup, InspectionRound, InspectionVisit
from tracker.lagging.models import LaggingEntry, LaggingWeek
from tracker.letters.models import Letter, LetterEvent
from tracker.lists.editing import seed_lists
from tracker.mail.limits import ChannelSlot
from tracker.mail.outbox import Outbox
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.photos.models import Photo
from tracker.problems.models import Problem, ProblemEvent
from tracker.projects.lights import refresh_next_milestones
from tracker.projects.models import (
    Change,
    FundsSecured,
    ListEntry,
    Milestone,
    ProgressReport,
    Project,
    ProjectImport,
    ReportFunds,
)
from tracker.promotion.models import FundsArrival, Lead, StageEvent, Trip, Visit
from tracker.screen.models import DisplayLink
from tracker.supervision.models import OrderReminder, SupervisionOrder

# Every table of the app, in an order that satisfies foreign keys.
MODELS = (
    LeadOfficial,
    User,
    ApiToken,
    AccountCounty,
    Project,
    Milestone,
    ProgressReport,
    ReportFunds,
    Photo,
    FundsSecured,
    Change,
    ProjectImport,
    ListEntry,
    CycleRun,
    Outbox,
    ChannelSlot,
    ProjectSnapshot,
    WeekTotals,
    WeekFunds,
    LaggingWeek,
    LaggingEntry,
    AgendaItem,
    Decision,
    Problem,
    ProblemEvent,
    SupervisionOrder,
    OrderReminder,
    Letter,
    LetterEvent,
    CriticismNotice,
    NoticeEntry,
    HonourList,
    HonourEntry,
    BondBatch,
    BondEntry,
    BondSpending,
    BondApplication,
    InspectionRound,
    InspectionGroup,
    InspectionVisit,
    Finding,
    InspectionBulletin,
    DisplayLink,
    Trip,
    Lead,
    StageEvent,
    Visit,
    FundsArrival,
    Enterprise,
    EnterpriseStatus,
    EnterpriseProblem,
    AuditEntry,
    DataVersion,
)

# The tables whose writes leave the data version alone: no figure, list or chart reads them, and
# they are written on every login or API call (tokens' last use, a display link's), or by the mail
# loop (the outbox, the channels' rate-limit slots).
UNVERSIONED = (User, ApiToken, Outbox, ChannelSlot, DisplayLink, AuditEntry, DataVersion)


# What API tokens made before tokens had a name and an expiry are called.
OLD_TOKEN_NAME = "命令行创建"


def create_tables(token_days=DEFAULTS["api"]["token_days"]):
    """Create every table that does not exist yet, and bring older tables to the models (safe to run again).

    API tokens made before tokens expired get a name and ``token_days`` more days (``[api] token_days``),
    so that the scripts using them keep working while their authors make named ones. The managed
    lists, new to a database that predates them, start with the counties, industry chains and
    departments its rows already use.
    """
    with db.connection_context(), _one_setup_at_a_time():
        lists_new = not db.table_exists(ListEntry._meta.table_name)
        migrate_outbox_channel()
        # Tables first, indexes after the columns are migrated: an older table gets the column an index needs.
        # Each statement its own transaction: a process starting beside running writers (a second
        # scheduler, an import) must not hold one table's lock while it waits for the next.
        for model in MODELS:
            model._schema.create_table(safe=True)
        existing_tokens = {
            ApiToken.name: OLD_TOKEN_NAME,
            ApiToken.expires_at: utc_now().replace(microsecond=0) + dt.timedelta(days=token_days),
        }
        changed = migrate_columns(MODELS, existing_tokens)
        for model in MODELS:
            model._schema.create_indexes(safe=True)
        if ("project", "milestone_due") in changed:
            refresh_next_milestones()
        if lists_new:
            seed_lists()
        guard_audit_log()
        version_writes()


# Any fixed number: the key of PostgreSQL's advisory lock that queues the processes setting up the tables.
SETUP_LOCK = 0x73657475


@contextmanager
def _one_setup_at_a_time():
    """Have the processes starting together (web workers, two schedulers, an import) set up one after the other.

    On PostgreSQL two of them replacing the same function fail with "tuple concurrently updated",
    and both see a trigger missing and make it, the second failing. The lock is the session's, not a
    transaction's: each step still commits on its own (see create_tables), and the writers already
    running never take it, so nobody waits on a table lock while holding it but the setup itself.
    SQLite's write lock already queues them.
    """
    if isinstance(db.obj, SqliteDatabase):
        yield
        return
    db.execute_sql("SELECT pg_advisory_lock(%s)", (SETUP_LOCK,))
    try:
        yield
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


# What the database itself refuses of the audit log: any UPDATE, and a DELETE of an entry younger than the
# legal minimum (the retention rule only removes older ones; a trigger cannot read the configured keep_days).
APPEND_ONLY = "audit_entry is append-only: entries cannot be changed, nor removed before they are {days} days old"

SQLITE_GUARDS = (
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry BEGIN SELECT RAISE(ABORT, '{message}'); END",
    "DROP TRIGGER IF EXISTS audit_entry_no_early_delete",
    "CREATE TRIGGER audit_entry_no_early_delete BEFORE DELETE ON audit_entry "
    "WHEN OLD.at > datetime('now', '-{days} days') "
    "BEGIN SELECT RAISE(ABORT, '{message}'); END",
)

POSTGRES_GUARDS = (
    "CREATE OR REPLACE FUNCTION audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP = 'UPDATE' OR OLD.at > (now() AT TIME ZONE 'UTC') - interval '{days} days' THEN "
    "RAISE EXCEPTION '{message}'; "
    "END IF; "
    "RETURN OLD; "
    "END $$",
    "DROP TRIGGER IF EXISTS audit_entry_guard ON audit_entry",
    "CREATE TRIGGER audit_entry_guard BEFORE UPDATE OR DELETE ON audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_guard()",
)


def guard_audit_log():
    """Have the database refuse to change an audit entry, or to remove one early (safe to run again).

    A database superuser can still drop the triggers: the hash chain is what
    shows such a change (see README, "Audit log").
    """
    statements = SQLITE_GUARDS if isinstance(db.obj, SqliteDatabase) else POSTGRES_GUARDS
    message = APPEND_ONLY.format(days=MIN_AUDIT_KEEP_DAYS)
    with db.atomic():
        for statement in statements:
            db.execute_sql(statement.format(days=MIN_AUDIT_KEEP_DAYS, message=message))


def migrate_outbox_channel():
    """Give an outbox of the email-only versions its channel column, ahead of the unique index that names it.

    create_tables() would otherwise index (run, kind, channel, recipient) before migrate_columns adds the
    column; the old unique index over (run, kind, recipient) goes, since a phone or a robot's name
    may equal nothing of an email address but the key is now the four together.
    """
    from playhouse.migrate import SchemaMigrator, migrate

    table = Outbox._meta.table_name
    if not db.table_exists(table) or "channel" in {c.name for c in db.get_columns(table)}:
        return
    migrator = SchemaMigrator.from_database(db.obj)
    with _foreign_keys_off(), db.atomic():
        migrate(
            migrator.add_column(table, "channel", Outbox.channel),
            migrator.drop_index(table, "outbox_run_id_kind_recipient"),
        )


SQLITE_VERSIONING = (
    'CREATE TRIGGER IF NOT EXISTS data_version_{table}_{op} AFTER {op} ON "{table}" '
    "BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END"
)

# PostgreSQL writers must not queue on the version's row for their whole transaction: each write
# statement notes its transaction (once), and the version is raised by a deferred trigger at
# COMMIT, the last lock a transaction takes (so no two writers can wait on each other through it).
POSTGRES_VERSIONING = (
    "CREATE TABLE IF NOT EXISTS data_version_bump (txid BIGINT PRIMARY KEY)",
    "CREATE OR REPLACE FUNCTION data_version_note() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN INSERT INTO data_version_bump (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; "
    "DELETE FROM data_version_bump WHERE txid = NEW.txid; RETURN NULL; END $$",
)
POSTGRES_BUMP_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT ON data_version_bump "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()"
)
POSTGRES_TABLE_VERSIONING = (
    'CREATE TRIGGER data_version AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
    "FOR EACH STATEMENT EXECUTE FUNCTION data_version_note()"
)


def version_writes():
    """Have every write to the figures' tables raise the data version in its transaction (safe to run again).

    Only the triggers missing are made, each in a transaction of its own: making a trigger locks
    its table against writers, and a process starting while others write (a second scheduler,
    an import) must neither wait on every table at once nor deadlock with them.
    """
    sqlite = isinstance(db.obj, SqliteDatabase)
    with db.atomic():
        if not DataVersion.select().where(DataVersion.id == 1).exists():
            DataVersion.insert(id=1, version=0).execute()
    tables = [model._meta.table_name for model in MODELS if model not in UNVERSIONED]
    if sqlite:
        for table in tables:
            for op in ("INSERT", "UPDATE", "DELETE"):
                db.execute_sql(SQLITE_VERSIONING.format(table=table, op=op))
        return
    for statement in POSTGRES_VERSIONING:
        db.execute_sql(statement)
    present = {
        (relation, name)
        for relation, name in db.execute_sql(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = to_regnamespace(current_schema())::oid AND t.tgname LIKE 'data_version%%'"
        ).fetchall()
    }
    if ("data_version_bump", "data_version_bump") not in present:
        db.execute_sql(POSTGRES_BUMP_TRIGGER)
    for table in tables:
        if (table, "data_version") not in present:
            db.execute_sql(POSTGRES_TABLE_VERSIONING.format(table=table))


def migrate_columns(models, fill=None):
    """Bring the tables of a database made by an older version to the models, keeping every row.

    Adds the columns a table lacks (new fields are nullable or have a
    default, so existing rows get a value; a required field without a default
    gives its existing rows the value ``fill`` maps it to), lets NULL into the columns a
    newer version made optional, and turns the integer 万元 of older versions
    into money columns (NUMERIC(15,2)). Returns the (table, column) pairs changed.
    """
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db.obj)
    operations, changed = [], []
    for model in models:
        table = model._meta.table_name
        present = {column.name: column for column in db.get_columns(table)}
        for field in model._meta.sorted_fields:
            column = present.get(field.column_name)
            if column is None:
                steps = [migrator.add_column(table, field.column_name, _filled(field, fill or {}))]
            else:
                steps = []
                if field.null and not column.null:
                    steps.append(migrator.drop_not_null(table, field.column_name))
                if _whole_amounts(field, column):
                    steps.append(migrator.alter_column_type(table, field.column_name, field))
            if steps:
                operations += steps
                changed.append((table, field.column_name))
    if operations:
        with _foreign_keys_off(), db.atomic():
            migrate(*operations)
    return changed


def _filled(field, fill):
    """``field``, or a copy whose default is the value its existing rows get: added nullable, filled, then required."""
    if field not in fill:
        return field
    copy = field.clone()
    copy.default = fill[field]
    return copy


def _whole_amounts(field, column):
    """Whether a money column is still the integer column of an older version, to be made NUMERIC(15,2).

    Only on PostgreSQL, whose integer column would refuse cents. On SQLite an
    INTEGER column has the same affinity as DECIMAL in all but CAST (both NUMERIC,
    https://sqlite.org/datatype3.html#affinity_name_examples): 0.01 written to it is
    stored as the REAL 0.01, exactly as in a DECIMAL column, and MoneyField reads
    both the same. Rebuilding every table with money, the projects' included,
    would change no value it stores.
    """
    if isinstance(db.obj, SqliteDatabase) or not isinstance(field, MoneyField):
        return False
    return column.data_type.lower() in ("smallint", "integer", "bigint")


@contextmanager
def _foreign_keys_off():
    """On SQLite, changing a column rebuilds its table: dropping the old one must not cascade to the rows referring to it.

    The pragma only takes effect outside a transaction; the check after it
    makes sure the rebuilt tables still satisfy every reference.
    """
    if not isinstance(db.obj, SqliteDatabase):
        yield
        return
    db.pragma("foreign_keys", 0)
    try:
        yield
        if db.execute_sql("PRAGMA foreign_key_check").fetchall():
            raise RuntimeError("migrating the columns broke a foreign key")
    finally:
        db.pragma("foreign_keys", 1)
