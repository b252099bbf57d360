"""Accounts (one per person, with a role), the lead officials (包抓领导) and API tokens."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from tracker.core.db import BaseModel
from tracker.core.weeks import utc_now

ROLES = {
    "office": "领导小组办公室",
    "leader": "包抓领导",
    "owner": "项目责任人",
    "inspector": "纪委监委",
    "department": "责任部门",
    "county": "县区办公室",
}


# The ways a message travels: a person chooses email and SMS; the robots of WeCom and DingTalk
# groups are configured, and each names the kinds of message it receives.
CHANNELS = {"email": "邮件", "sms": "短信", "wecom": "企业微信", "dingtalk": "钉钉"}
PERSONAL_CHANNELS = ("email", "sms")


def channel_names(channels):
    """A person's channels as the pages and the audit log name them: "邮件、短信", or "无"."""
    return "、".join(CHANNELS[channel] for channel in channels) or "无"


def _email_only():
    return ["email"]


class ChannelsField(CharField):
    """The channels a person chose, kept as "email,sms" and read as a list in CHANNELS' order."""

    def __init__(self, **kwargs):
        super().__init__(default=_email_only, **kwargs)

    def db_value(self, value):
        if isinstance(value, (list, tuple)):
            value = ",".join(channel for channel in CHANNELS if channel in value)
        return super().db_value(value)

    def python_value(self, value):
        return [channel for channel in (value or "").split(",") if channel]


class LeadOfficial(BaseModel):
    """市级包抓领导: the city leader answerable for a set of projects."""

    name = CharField(unique=True)
    title = CharField(default="")
    email = CharField(default="")
    phone = CharField(default="")
    channels = ChannelsField()

    class Meta:
        table_name = "lead_official"


class User(BaseModel):
    """An account; owners are the responsible persons of their projects."""

    username = CharField(unique=True)
    display_name = CharField(default="")
    role = CharField(index=True)
    email = CharField(default="")
    phone = CharField(default="")
    channels = ChannelsField()
    password_hash = CharField(null=True)
    lead_official = ForeignKeyField(LeadOfficial, null=True, backref="users", on_delete="SET NULL")
    department = CharField(default="")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utc_now)
    # A session carries the epoch it began in; raising it ends every session of the account.
    session_epoch = IntegerField(default=0)
    # Wrong passwords in a row, and until when the account's password is not checked (back-off).
    failed_logins = IntegerField(default=0)
    login_blocked_until = DateTimeField(null=True)

    class Meta:
        table_name = "account"  # "user" is reserved in PostgreSQL

    # The four attributes flask-login expects of a user object.
    is_anonymous = False

    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return str(self.id)

    @property
    def label(self):
        return self.display_name or self.username

    @property
    def counties(self):
        """The counties a county office account (县区办公室) answers for, in name order; read once per object."""
        if "_counties" not in self.__dict__:
            query = AccountCounty.select(AccountCounty.county).where(AccountCounty.user == self.id)
            self.__dict__["_counties"] = sorted(county for (county,) in query.tuples())
        return self.__dict__["_counties"]

    @classmethod
    def end_sessions(cls, user_id):
        """End every session of the account: after logout, a new password, a new role or deactivation."""
        return cls.update(session_epoch=cls.session_epoch + 1).where(cls.id == user_id).execute()


class ApiToken(BaseModel):
    """A bearer token for the API, named for what it is for; only its SHA-256 is stored.

    It acts as its account until ``expires_at`` or until it is revoked (``revoked_at``, by
    ``revoked_by`` or for ``revoke_reason``). ``prefix``, its first characters, is no secret:
    lists show it so that a user can tell their tokens apart.
    """

    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = CharField(max_length=100)
    prefix = CharField(default="")  # empty for tokens made before prefixes were kept
    token_hash = CharField(unique=True)
    created_at = DateTimeField(default=utc_now)
    expires_at = DateTimeField()
    # Written at most once a minute (see credentials.user_for_token), with the address of that request.
    last_used_at = DateTimeField(null=True)
    last_used_from = CharField(default="")
    revoked_at = DateTimeField(null=True)
    # Not indexed: create_tables(safe=True) would index the column before migrate_columns adds it to
    # an older table (PostgreSQL refuses; SQLite indexes the name as a string), and the table is small.
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL", index=False)
    revoke_reason = CharField(default="")

    class Meta:
        table_name = "api_token"

    def state(self, now):
        """ "active", "expired" or "revoked" at ``now`` (naive UTC); revoked wins over expired."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    @classmethod
    def listed(cls):
        """Tokens with their account, newest first; the caller narrows it to whose tokens it shows."""
        return cls.select(cls, User).join(User, on=cls.user).order_by(cls.created_at.desc(), cls.id.desc())

    @classmethod
    def working(cls):
        """The condition of tokens neither revoked nor expired."""
        return cls.revoked_at.is_null() & (cls.expires_at > utc_now())


class AccountCounty(BaseModel):
    """A county a county office account (县区办公室) answers for: it reaches that county's projects and reviews their reports."""

    user = ForeignKeyField(User, backref="county_rows", on_delete="CASCADE")
    county = CharField(index=True)

    class Meta:
        table_name = "account_county"
        indexes = ((("user", "county"), True),)

    @classmethod
    def reviewed(cls):
        """The counties that have an active county office account: their reports wait for its review."""
        return (
            cls.select(cls.county)
            .join(User)
            .where((User.active == True) & (User.role == "county"))  # noqa: E712 (peewee expression)
            .distinct()
        )

    @classmethod
    def set_counties(cls, user, counties):
        """Make ``counties`` the counties of ``user``'s account."""
        cls.delete().where(cls.user == user).execute()
        rows = [{"user": user, "county": county} for county in sorted(set(counties)) if county]
        if rows:
            cls.insert_many(rows).execute()
        user.__dict__.pop("_counties", None)
