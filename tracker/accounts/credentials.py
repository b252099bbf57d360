"""Passwords and API tokens: only hashes are stored."""

import datetime as dt
import hashlib
import secrets
import zoneinfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

from tracker.accounts.models import ApiToken, User
from tracker.audit.log import record
from tracker.core.db import Prepared, db
from tracker.core.limits import MAX_PASSWORD
from tracker.core.weeks import utc_now

# argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): memory-hard, so stolen hashes are costly to crack.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Checked when an account is unknown, inactive or has no password, so that it answers as slowly as a real one.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

MIN_LENGTH = 10

PASSWORD_TOO_LONG = f"密码不能超过 {MAX_PASSWORD} 位"

# The most common passwords of leaked lists (Chinese and international), at least 10 characters long:
# shorter ones are refused by their length already.
COMMON_PASSWORDS = frozenset(
    [
        "1234567890",
        "0123456789",
        "12345678910",
        "1234567891",
        "0987654321",
        "1111111111",
        "0000000000",
        "1122334455",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "q1w2e3r4t5",
        "a123456789",
        "abc1234567",
        "abcd123456",
        "abcdefghij",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "woaini1314",
        "woaini5201314",
        "5201314520",
        "1314520520",
        "asdfghjkl1",
        "asdfghjkl;",
        "zxcvbnm123",
        "1234qwer!@#$",
        "admin12345",
        "admin123456",
        "administrator",
        "p@ssw0rd123",
        "welcome123",
        "football12",
        "sunshine12",
        "princess12",
        "88888888888",
        "66666666666",
        "9876543210",
        "147258369a",
        "1234567890a",
        "aa123456789",
        "zhang123456",
        "wang123456",
    ]
)


def hash_password(password):
    """The argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password(user, password):
    """Whether ``password`` is the password of ``user`` (None: an unknown account), taking as long either way.

    A hash of an older scheme (werkzeug's scrypt) or older argon2 parameters is replaced by a
    current one when the password is right.
    """
    stored = user.password_hash if user is not None and user.active else None
    if not stored:
        _verify(_DUMMY_HASH, password)
        return False
    if stored.startswith("$argon2"):
        if not _verify(stored, password):
            return False
        if not _hasher.check_needs_rehash(stored):
            return True
    elif not check_password_hash(stored, password):
        return False
    User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return True


def _verify(stored, password):
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password, user=None, username=""):
    """Why ``password`` is too weak for the account (``user``, or a new one named ``username``), or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if len(password) > MAX_PASSWORD:
        return PASSWORD_TOO_LONG
    lowered = password.lower()
    own = {username, user.username if user else "", user.phone if user else ""}
    if any(len(word) >= 4 and word.lower() in lowered for word in own):
        return "密码不能包含登录名或手机号"
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        return "密码过于常见，容易被猜中，请换一个"
    return None


# Characters of a token shown in lists: enough to tell a user's tokens apart, too few to guess the rest (43).
PREFIX_LENGTH = 6


class TokenRefused(Exception):
    """A token that was made but no longer works, expired or revoked; the message says which and when."""


# The validities offered, besides the configured default; none beyond [api] token_max_days.
VALIDITIES = (30, 90, 180, 365)


def token_validities(api):
    """The validities, in days, a token may be made with under ``api`` (config ``[api]``), shortest first."""
    return sorted({d for d in (*VALIDITIES, api["token_days"]) if d <= api["token_max_days"]} | {api["token_max_days"]})


def new_api_token(user, name, days, actor):
    """Make a token for ``user``, named ``name`` and valid ``days`` days; return it and its row.

    This is the only time the token exists in full: only its hash and its first
    characters are kept. The audit log records ``actor`` making it, in the same transaction.
    """
    token = new_secret()
    with db.atomic():
        row = ApiToken.create(
            user=user,
            name=name,
            prefix=token[:PREFIX_LENGTH],
            token_hash=secret_hash(token),
            expires_at=utc_now().replace(microsecond=0) + dt.timedelta(days=days),
        )
        record("token_created", actor, **_detail(row, user), expires_at=row.expires_at)
    return token, row


# How stale a token's recorded last use may be.
LAST_USE_EVERY = dt.timedelta(minutes=1)


# A token's row and its active account, by the token's hash.
TOKEN_OWNER = Prepared(
    lambda token_hash: (
        ApiToken.select(ApiToken, User)
        .join(User, on=ApiToken.user)
        .where((ApiToken.token_hash == token_hash) & (User.active == True))  # noqa: E712
        .limit(1)
    )
)


def user_for_token(token, address="", timezone="UTC"):
    """The active account a bearer token acts as, or None when no such token was made (or its account is deactivated).

    Raises TokenRefused, saying when (in ``timezone``), for a token that expired or was revoked.
    Its last use and ``address`` are written at most once a minute (LAST_USE_EVERY): a write on
    every API call would queue the writers behind it, and even an UPDATE that changes no row
    takes SQLite's write lock, so the row read decides first.
    """
    row = TOKEN_OWNER.first(secret_hash(token))
    if row is None:
        return None
    now = utc_now()
    state = row.state(now)
    if state != "active":
        raise TokenRefused(_refusal(row, state, zoneinfo.ZoneInfo(timezone)))
    if row.last_used_at is None or row.last_used_at < now - LAST_USE_EVERY:
        # Conditional: of two requests that read the same old time, one writes.
        stale = ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < now - LAST_USE_EVERY)
        ApiToken.update(last_used_at=now, last_used_from=address[:255]).where((ApiToken.id == row.id) & stale).execute()
    return row.user


def _refusal(row, state, zone):
    def local(moment):
        return moment.replace(tzinfo=dt.UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    token = f"API 令牌“{row.name}”"
    if state == "expired":
        return f"{token}已于 {local(row.expires_at)} 过期，请在“API 令牌”页面新建一个"
    reason = f"（{row.revoke_reason}）" if row.revoke_reason else ""
    return f"{token}已于 {local(row.revoked_at)} 被吊销{reason}，请在“API 令牌”页面新建一个"


def revoke_tokens(condition, actor, by=None, reason=""):
    """Revoke the tokens matching ``condition`` not revoked yet, by the account ``by`` and for ``reason``; return them.

    Each is recorded in the audit log as revoked by ``actor``. A token revoked at the same
    moment by someone else is left to them, and recorded once.
    """
    revoked = []
    with db.atomic():
        now = utc_now().replace(microsecond=0)
        for row in ApiToken.listed().where(condition & ApiToken.revoked_at.is_null()):
            changed = (
                ApiToken.update(revoked_at=now, revoked_by=by, revoke_reason=reason)
                .where((ApiToken.id == row.id) & ApiToken.revoked_at.is_null())
                .execute()
            )
            if changed:
                record("token_revoked", actor, **_detail(row, row.user), reason=reason)
                revoked.append(row)
    return revoked


def _detail(row, user):
    """What the audit log keeps of a token: never the token, nor its hash."""
    return {"token_id": row.id, "prefix": row.prefix, "name": row.name, "account": user.username}


def new_secret():
    """A new bearer secret (an API token, a display link): 43 URL-safe characters, 256 random bits."""
    return secrets.token_urlsafe(32)


def secret_hash(token):
    """What is stored of a secret: its SHA-256, enough to find it again and useless to whoever reads it."""
    return hashlib.sha256(token.encode()).hexdigest()
