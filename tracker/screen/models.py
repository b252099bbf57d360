"""Display links (大屏链接): read-only addresses of the big screen, for a meeting room's display."""

from peewee import CharField, DateTimeField, ForeignKeyField

from tracker.accounts.models import User
from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now


class DisplayLink(BaseModel):
    """A link ``/screen/<token>`` the office made for a display named ``name`` (三楼会议室).

    Only the token's SHA-256 is kept, as for API tokens, and its first characters (``prefix``) to
    tell links apart. It opens the big screen without a login until it is revoked.
    """

    name = CharField(max_length=100)
    prefix = CharField()
    token_hash = CharField(unique=True)
    created_at = DateTimeField(default=utc_now)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL", index=False)
    # Written at most hourly (links.display_link_for): which displays are still in use.
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL", index=False)

    class Meta:
        table_name = "display_link"

    @classmethod
    def listed(cls):
        """Every link, the working ones first, newest first."""
        return cls.select().order_by(cls.revoked_at.is_null(False), cls.created_at.desc(), cls.id.desc())
