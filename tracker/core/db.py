"""The database object, bound from config at start-up, never at import time, and the base of every table."""

from pathlib import Path

from peewee import (
    DatabaseProxy,
    Model,
    SqliteDatabase,
    fn,
)
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


class NumberTaken(Exception):
    """Every attempt at the next number of the year met another writer's."""


def with_next_number(model, year, write, attempts=5):
    """Call ``write(seq)`` in a transaction with the next free number of ``year`` and return its result.

    ``model`` has ``year`` and ``seq`` columns, unique together. Two writers
    that pick the same number meet at that unique index: the loser takes the
    next one.
    """
    from peewee import IntegrityError

    for _ in range(attempts):
        seq = (model.select(fn.MAX(model.seq)).where(model.year == year).scalar() or 0) + 1
        try:
            with db.atomic():
                return write(seq)
        except IntegrityError:
            continue
    raise NumberTaken()


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False
