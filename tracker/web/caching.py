"""Figures, lists and charts a request computes, served from the process's cache (tracker.core.cache).

The key is the data version (read once per request), what is computed, the reach of the user
asking (``access.reach_key``: an owner never gets the figures cached for the office), the city's
day (the lights and the lagging rules read it) and the caller's own key (filters, week …).
"""

import hashlib

from flask import g, request

from tracker.core.cache import cache, data_version
from tracker.web.access import reach_key
from tracker.web.listing import Page, today
from tracker.web.responses import png_response


def request_version():
    """The data version this request reads its cached values at (one query, the first time it is asked)."""
    if "data_version" not in g:
        g.data_version = data_version()
    return g.data_version


def cached(user, what, compute, *key):
    """``compute()``, or what it gave for the same ``what``, ``key`` and reach of ``user`` since the last write."""
    return cache.get(request_version(), (what, reach_key(user), today(), *key), compute)


def cached_page(user, what, query, *key, per_page=50):
    """The requested ``Page`` of ``query`` (its rows and count), from the cache; ``key`` names what made the query."""
    return cached(user, what, lambda: Page(query, per_page), request.args.get("page", ""), *key)


def cached_chart(user, what, draw, *key):
    """The PNG ``draw()`` gives, from the cache, with an ETag of the data version and the key.

    A browser asking again with If-None-Match gets 304 and no body until a write changes the version.
    """
    etag = hashlib.sha256(repr((request_version(), what, reach_key(user), key)).encode()).hexdigest()[:32]
    response = png_response(cached(user, what, draw, *key))
    response.set_etag(etag)
    return response.make_conditional(request)
