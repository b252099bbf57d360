"""The database object, bound from config at start-up, never at import time."""

from pathlib import Path

from peewee import DatabaseProxy, SqliteDatabase
from playhouse.db_url import connect as connect_url

db = DatabaseProxy()

# WAL lets readers go on while one writer writes; the busy timeout makes a
# second writer wait instead of failing at once.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    "cache_size": -32_000,
}


def open_database(url):
    """Return an unconnected peewee database for a sqlite:// or postgresql:// URL."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE: every db.atomic() takes the write lock when it begins, so two
        # writers queue on the busy timeout instead of deadlocking mid-transaction.
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    return connect_url(url.replace("postgres://", "postgresql://", 1))


def bind_database(url):
    """Point the module-level proxy at the configured database and return it."""
    database = open_database(url)
    db.initialize(database)
    return database


def is_sqlite():
    return isinstance(db.obj, SqliteDatabase)


def all_models():
    """Every table of the app, in an order that satisfies foreign keys."""
    from . import consultations, models, notices, outbox, problems, runs, snapshots, supervision

    return [
        *models.MODELS,
        runs.CycleRun,
        outbox.Outbox,
        snapshots.ProjectSnapshot,
        snapshots.WeekTotals,
        snapshots.WeekFunds,
        consultations.AgendaItem,
        consultations.Decision,
        problems.Problem,
        problems.ProblemEvent,
        supervision.SupervisionOrder,
        notices.CriticismNotice,
        notices.NoticeEntry,
    ]


def create_tables():
    """Create every table that does not exist yet, and every column a newer version added (safe to run again)."""
    from .lights import refresh_next_milestones

    with db.connection_context():
        db.create_tables(all_models(), safe=True)
        if ("project", "milestone_due") in add_missing_columns(all_models()):
            refresh_next_milestones()


def add_missing_columns(models):
    """Add the columns a table lacks: a database made by an older version keeps its rows and gains the new fields.

    New fields are nullable or have a default, so existing rows get a value.
    Returns the (table, column) pairs added.
    """
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db.obj)
    added = []
    for model in models:
        table = model._meta.table_name
        present = {column.name for column in db.get_columns(table)}
        missing = [field for field in model._meta.sorted_fields if field.column_name not in present]
        if missing:
            with db.atomic():
                migrate(*(migrator.add_column(table, field.column_name, field) for field in missing))
            added += [(table, field.column_name) for field in missing]
    return added


class NumberTaken(Exception):
    """Every attempt at the next number of the year met another writer's."""


def with_next_number(model, year, write, attempts=5):
    """Call ``write(seq)`` in a transaction with the next free number of ``year`` and return its result.

    ``model`` has ``year`` and ``seq`` columns, unique together. Two writers
    that pick the same number meet at that unique index: the loser takes the
    next one.
    """
    from peewee import IntegrityError, fn

    for _ in range(attempts):
        seq = (model.select(fn.MAX(model.seq)).where(model.year == year).scalar() or 0) + 1
        try:
            with db.atomic():
                return write(seq)
        except IntegrityError:
            continue
    raise NumberTaken()
