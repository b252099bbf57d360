"""The one module that names every table: creating them, and bringing older databases to the models."""

from contextlib import contextmanager

from peewee import SqliteDatabase

from tracker.accounts.models import ApiToken, LeadOfficial, User
from tracker.audit.models import AuditEntry
from tracker.core.db import db
from tracker.core.money import MoneyField
from tracker.cycles.consultations import AgendaItem, Decision
from tracker.cycles.runs import CycleRun
from tracker.cycles.snapshots import ProjectSnapshot, WeekFunds, WeekTotals
from tracker.honours.models import HonourEntry, HonourList
from tracker.mail.outbox import Outbox
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.problems.models import Problem, ProblemEvent
from tracker.projects.lights import refresh_next_milestones
from tracker.projects.models import (
    Change,
    FundsSecured,
    Milestone,
    ProgressReport,
    Project,
    ProjectImport,
    ReportFunds,
)
from tracker.supervision.models import OrderReminder, SupervisionOrder

# Every table of the app, in an order that satisfies foreign keys.
MODELS = (
    LeadOfficial,
    User,
    ApiToken,
    Project,
    Milestone,
    ProgressReport,
    ReportFunds,
    FundsSecured,
    Change,
    ProjectImport,
    CycleRun,
    Outbox,
    ProjectSnapshot,
    WeekTotals,
    WeekFunds,
    AgendaItem,
    Decision,
    Problem,
    ProblemEvent,
    SupervisionOrder,
    OrderReminder,
    CriticismNotice,
    NoticeEntry,
    HonourList,
    HonourEntry,
    AuditEntry,
)


def create_tables():
    """Create every table that does not exist yet, and bring older tables to the models (safe to run again)."""

    with db.connection_context():
        db.create_tables(MODELS, safe=True)
        changed = migrate_columns(MODELS)
        if ("project", "milestone_due") in changed:
            refresh_next_milestones()


def migrate_columns(models):
    """Bring the tables of a database made by an older version to the models, keeping every row.

    Adds the columns a table lacks (new fields are nullable or have a
    default, so existing rows get a value), lets NULL into the columns a
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
                steps = [migrator.add_column(table, field.column_name, field)]
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
