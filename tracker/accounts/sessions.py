"""When a signed-in session ends: the rules, on a plain dict (the Flask session in the web app).

A session records the account's session epoch and when it began and was last used. It ends when
the epoch has moved on (logout, a new password, a new role, deactivation), after
``idle_minutes`` without a request, and ``max_hours`` after it began, whatever happens.
"""

import time

EPOCH, STARTED, SEEN = "epoch", "started_at", "seen_at"

# The last-used time is written back at most this often, so that not every response rewrites the cookie.
SEEN_RESOLUTION_SECONDS = 60


def begin(session, user, now=None):
    """Mark ``session`` (already cleared and logged in) as begun now, in the account's current epoch."""
    now = time.time() if now is None else now
    session[EPOCH], session[STARTED], session[SEEN] = user.session_epoch, now, now


def is_current(session, user, idle_minutes, max_hours, now=None):
    """Whether ``session`` may still act for ``user``; if so, record that it was used now."""
    now = time.time() if now is None else now
    try:
        epoch, started, seen = session[EPOCH], float(session[STARTED]), float(session[SEEN])
    except (KeyError, TypeError, ValueError):
        return False  # a cookie from before sessions ended, or one tampered with
    if epoch != user.session_epoch or now - seen > idle_minutes * 60 or now - started > max_hours * 3600:
        return False
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        session[SEEN] = now
    return True
