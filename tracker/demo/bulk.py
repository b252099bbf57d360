"""Writing the demo's millions of rows in bulk: the tables' indexes, foreign keys and version triggers set aside meanwhile."""

from contextlib import contextmanager

from peewee import SqliteDatabase

from tracker.core.cache import DataVersion
from tracker.core.db import db
from tracker.schema import SQLITE_VERSIONING

# SQLite's page cache while a bulk load runs (KiB, as its negative cache_size): the indexes rebuilt
# after the load are sorted in memory rather than through the disk.
BULK_CACHE_KIB = 256 * 1024


@contextmanager
def indexes_after(models):
    """Write millions of rows into ``models`` (empty tables) inside a transaction: their indexes are built after.

    A row inserted into a table with indexes updates each of them at a random place; at the
    province demo's 2.5 million reports that cost most of the load. So the tables' indexes (not
    their primary keys) go for the load and are built again from the sorted rows after it. On
    PostgreSQL their foreign keys go too: a row written in the transaction that made it has its
    references checked one by one at each write (the demo writes a snapshot row, then judges it),
    where adding the key back checks all rows in one join.
    """
    sqlite = isinstance(db.obj, SqliteDatabase)
    if sqlite:
        cache_size = db.pragma("cache_size")
        db.pragma("cache_size", -BULK_CACHE_KIB)
        foreign_keys = []
    else:
        foreign_keys = _drop_foreign_keys(models)
    for model in models:
        model._schema.drop_indexes(safe=True)
    try:
        yield
    finally:
        for model in models:
            model._schema.create_indexes(safe=True)
        for table, name, definition in foreign_keys:
            db.execute_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for model in models:
            # The planner's statistics of the rows just written: the UPDATEs that follow (the demo judges
            # every closed week's snapshot) would otherwise be planned as over empty tables.
            db.execute_sql(f'ANALYZE "{model._meta.table_name}"')
        if sqlite:
            db.pragma("cache_size", cache_size)


def _drop_foreign_keys(models):
    """Drop the foreign keys of ``models``' tables (PostgreSQL); return (table, name, definition) to add them back."""
    tables = [model._meta.table_name for model in models]
    keys = db.execute_sql(
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid "
        "WHERE k.contype = 'f' AND c.relnamespace = to_regnamespace(current_schema())::oid AND c.relname = ANY(%s)",
        (tables,),
    ).fetchall()
    for table, name, _ in keys:
        db.execute_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    return keys


@contextmanager
def versioned_once(models):
    """Raise the data version once for all the writes to ``models`` inside a transaction, not once per row.

    SQLite's data-version triggers run for every row written: at the province demo's millions of
    rows written and then judged week by week, that was a fifth of the load. They pause, and the
    version is raised once at the end, in the same transaction, so no cache outlives the writes.
    (PostgreSQL's triggers run once per statement already.)
    """
    sqlite = isinstance(db.obj, SqliteDatabase)
    if sqlite:
        for model in models:
            for op in ("INSERT", "UPDATE", "DELETE"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "data_version_{model._meta.table_name}_{op}"')
    try:
        yield
    finally:
        if sqlite:
            for model in models:
                for op in ("INSERT", "UPDATE", "DELETE"):
                    db.execute_sql(SQLITE_VERSIONING.format(table=model._meta.table_name, op=op))
    DataVersion.update(version=DataVersion.version + 1).where(DataVersion.id == 1).execute()
