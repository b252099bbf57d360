"""The data version, and the per-process cache of what is computed from the data (figures, lists, charts).

Every write to a table the figures read bumps ``data_version`` in the same transaction (triggers,
made by tracker.schema), so a value computed after reading version V holds every write up to V:
kept under a key that starts with V, it is never served once a later write committed. Writes to
tables no figure reads (sessions, tokens, the audit log, the outbox) leave the version alone.

The cache lives in each process (a gunicorn worker, the scheduler): nothing to run beside the
service, and two processes agree because both read the one version from the database.
"""

import threading
from collections import OrderedDict

from peewee import BigIntegerField

from tracker.core.db import BaseModel, db

# Entries per process: the figures of every reach and filter asked for since the last write, and charts.
CACHE_ENTRIES = 512


class DataVersion(BaseModel):
    """The one row whose ``version`` every write to the figures' tables raises (tracker.schema's triggers)."""

    version = BigIntegerField(default=0)

    class Meta:
        table_name = "data_version"


def data_version():
    """The version of the data as committed now (one primary-key read); None in a database without it."""
    row = db.execute_sql("SELECT version FROM data_version WHERE id = 1").fetchone()
    return row[0] if row else None


class VersionedCache:
    """A size-bounded LRU of values computed from the data, keyed by (data version, what, …).

    Values are shared between the requests of a process: callers must not change what they get.
    """

    def __init__(self, entries=CACHE_ENTRIES):
        self.entries = entries
        self._values = OrderedDict()
        self._lock = threading.Lock()
        self._version = None

    def get(self, version, key, compute):
        """The value of ``key`` at ``version``, computed by ``compute()`` when absent.

        ``version`` must have been read before ``compute`` reads the data: the value then holds
        every write up to it (and perhaps later ones), never less.
        """
        if version is None:
            return compute()
        full_key = (version, *key)
        with self._lock:
            if version != self._version:
                # Entries of another version are never asked for again (a restored backup may even go back).
                self._values.clear()
                self._version = version
            if full_key in self._values:
                self._values.move_to_end(full_key)
                return self._values[full_key]
        value = compute()
        with self._lock:
            if version == self._version:
                self._values[full_key] = value
                while len(self._values) > self.entries:
                    self._values.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._values.clear()
            self._version = None


# The process's cache: module state, but only of derived values, emptied whenever the version moves.
cache = VersionedCache()
