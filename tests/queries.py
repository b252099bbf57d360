"""Recording the SQL a block of code runs, for tests that keep queries out of loops over projects."""

import contextlib

from tracker.core.db import db


@contextlib.contextmanager
def recorded_queries():
    """Yield the list of SQL statements the database runs inside the block, in order, as sent.

    Wraps the bound database's ``execute_sql``: every peewee query goes through it, so
    nothing is left out, and the queries still run for real.
    """
    statements = []
    database = db.obj
    run = database.execute_sql

    def execute_sql(sql, *args, **kwargs):
        statements.append(sql)
        return run(sql, *args, **kwargs)

    database.execute_sql = execute_sql
    try:
        yield statements
    finally:
        # The wrapper is an attribute of this one object: removing it restores the class's method.
        del database.execute_sql


def selects(statements):
    """The statements among ``statements`` that read (SELECT), leaving writes aside."""
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
