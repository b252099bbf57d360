"""Passwords and API tokens: only hashes are stored."""

import datetime as dt
import hashlib
import secrets

from werkzeug.security import generate_password_hash

from tracker.accounts.models import ApiToken, User
from tracker.core.weeks import utc_now

# scrypt (werkzeug's default): slow and memory-hard, so stolen hashes are costly to crack.
hash_password = generate_password_hash


def new_api_token(user):
    """Create a token for ``user`` and return it; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    ApiToken.create(user=user, token_hash=_token_hash(token))
    return token


def user_for_token(token):
    """The active user a bearer token belongs to, or None."""
    row = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where((ApiToken.token_hash == _token_hash(token)) & (User.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    # Written at most hourly: a write on every API call would queue readers behind it.
    now = utc_now()
    stale = ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < now - dt.timedelta(hours=1))
    ApiToken.update(last_used_at=now).where((ApiToken.id == row.id) & stale).execute()
    return row.user


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()
