"""Making, opening and revoking display links; only hashes are stored, every change is audited."""

import datetime as dt

from tracker.accounts.credentials import PREFIX_LENGTH, new_secret, secret_hash
from tracker.audit.log import record
from tracker.core.db import db
from tracker.core.weeks import utc_now
from tracker.screen.models import DisplayLink


def new_display_link(name, user, actor):
    """Make a link for the display ``name`` on behalf of ``user``; return its token (shown once) and its row."""
    token = new_secret()
    with db.atomic():
        row = DisplayLink.create(
            name=name, prefix=token[:PREFIX_LENGTH], token_hash=secret_hash(token), created_by=user
        )
        record("display_link_created", actor, **_detail(row))
    return token, row


def display_link_for(token):
    """The working link of ``token``, or None (unknown or revoked); notes its use at most hourly."""
    row = DisplayLink.get_or_none((DisplayLink.token_hash == secret_hash(token)) & DisplayLink.revoked_at.is_null())
    if row is not None:
        now = utc_now()
        stale = DisplayLink.last_used_at.is_null() | (DisplayLink.last_used_at < now - dt.timedelta(hours=1))
        DisplayLink.update(last_used_at=now).where((DisplayLink.id == row.id) & stale).execute()
    return row


def revoke_display_link(row, user, actor):
    """Revoke ``row`` by ``user``: the display shows a 404 from its next refresh. False if it was revoked already."""
    with db.atomic():
        changed = (
            DisplayLink.update(revoked_at=utc_now().replace(microsecond=0), revoked_by=user)
            .where((DisplayLink.id == row.id) & DisplayLink.revoked_at.is_null())
            .execute()
        )
        if changed:
            record("display_link_revoked", actor, **_detail(row))
    return bool(changed)


def _detail(row):
    """What the audit log keeps of a link: never the token, nor its hash."""
    return {"display_link_id": row.id, "prefix": row.prefix, "name": row.name}
