"""Exponential back-off of an account's password checks after wrong passwords, kept in the database.

After ``FREE_FAILURES`` wrong passwords in a row the account waits 1 minute before the next password
is checked, then 2, 4, 8 … minutes after each further wrong one (at most ``MAX_WAIT``). A right
password resets the count. Every web worker sees the same count, and it survives restarts.
"""

import datetime as dt
import math

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.core.weeks import utc_now

FREE_FAILURES = 5

MAX_WAIT = dt.timedelta(hours=1)


def wait_for(user, now=None):
    """How long the account must still wait before a password is checked (a timedelta), or None."""
    now = now or utc_now()
    if user.login_blocked_until and user.login_blocked_until > now:
        return user.login_blocked_until - now
    return None


def record_failure(user, now=None):
    """Count a wrong password for ``user``; from the ``FREE_FAILURES``-th on, start the next wait."""
    now = now or utc_now()
    with db.atomic():
        User.update(failed_logins=User.failed_logins + 1).where(User.id == user.id).execute()
        failures = User.select(User.failed_logins).where(User.id == user.id).scalar()
        if failures >= FREE_FAILURES:
            wait = min(dt.timedelta(minutes=2 ** min(failures - FREE_FAILURES, 10)), MAX_WAIT)
            User.update(login_blocked_until=now + wait).where(User.id == user.id).execute()


def record_success(user):
    """A right password: the count starts again."""
    User.update(failed_logins=0, login_blocked_until=None).where(User.id == user.id).execute()


def wait_message(wait):
    """The wait in words, rounded up to whole minutes."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"该账号连续输错密码次数过多，请 {minutes} 分钟后再试"
