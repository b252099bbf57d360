"""The scale-out tests run on PostgreSQL only (skipped without TRACKER_TEST_PG): several processes write at once."""

import pytest

from tracker.core.db import bind_database, db
from tracker.schema import MODELS


@pytest.fixture
def database_url(pg_schema):
    yield pg_schema
    bind_database(pg_schema)
    tables = ", ".join(f'"{m._meta.table_name}"' for m in MODELS)
    db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    db.close()
