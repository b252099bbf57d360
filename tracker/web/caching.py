"""Figures, lists and charts a request computes, served from the process's cache (tracker.core.cache).

The key is the data version (read once per request), what is computed, the reach of the user
asking (``access.reach_key``: an owner never gets the figures cached for the office), the city's
day (the lights and the lagging rules read it) and the caller's own key (filters, week …).
"""

from flask import g

from tracker.core.cache import cache, data_version
from tracker.web.access import reach_key
from tracker.web.listing import today


def request_version():
    """The data version this request reads its cached values at (one query, the first time it is asked)."""
    if "data_version" not in g:
        g.data_version = data_version()
    return g.data_version


def cached(user, what, compute, *key):
    """``compute()``, or what it gave for the same ``what``, ``key`` and reach of ``user`` since the last write."""
    return cache.get(request_version(), (what, reach_key(user), today(), *key), compute)
