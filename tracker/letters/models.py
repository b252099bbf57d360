"""Letters and visits (来信来访): complaints and reports (投诉举报) sent down to the city, or received
by it, and transferred to a department or a county to answer within a deadline (限时办结).

Every change of a letter is an event with its time (registered, transferred, reply, reminder,
closed, reopened), and the letter's state on any date is read from the events up to that date.
So how many letters were closed, or overdue, on 1 November is the same answer tomorrow as today."""

import datetime as dt

from peewee import JOIN, Case, CharField, DateField, DateTimeField, ForeignKeyField, TextField, fn

from tracker.accounts.models import User
from tracker.core.db import BaseModel, newest_event
from tracker.core.weeks import utc_now

# Where the letter came from: transferred by the province, by the city, or received here (本级).
LETTER_LEVELS = {"provincial": "省级", "city": "市级", "local": "本级"}

CHANNELS = {"letter": "来信", "call": "来电", "visit": "来访", "online": "网络"}

# 已转办: waiting for the unit's reply; 已答复: replied, waiting for the inspector to close it (办结).
LETTER_STATES = {"transferred": "已转办", "replied": "已答复", "closed": "已办结"}

# Only a letter the unit has not answered is overdue: once replied, the closing is the inspector's.
UNANSWERED = ("transferred",)

# The unit a letter goes to is a department (as User.department names it) or a county.
UNIT_KINDS = {"department": "部门", "county": "县区"}

EVENT_KINDS = {
    "registered": "登记转办",
    "transferred": "改转办",
    "reply": "答复",
    "reminder": "催办",
    "closed": "办结",
    "reopened": "回头看重新办理",
}


class Letter(BaseModel):
    """One letter, call or visit; its current state, with the dated events behind it."""

    level = CharField(index=True)
    channel = CharField()
    received_on = DateField()
    transferred_on = DateField()
    summary = TextField()
    # The complainant (信访人) is protected: only the office and the inspector see who it is.
    complainant_name = CharField(default="")
    complainant_phone = CharField(default="")
    unit_kind = CharField()
    unit = CharField(index=True)
    person_in_charge = CharField()
    deadline = DateField()
    status = CharField(default="transferred", index=True)
    reply = TextField(default="")
    replied_on = DateField(null=True)
    registered_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    registered_at = DateTimeField(default=utc_now, index=True)

    def overdue_on(self, day):
        return self.status in UNANSWERED and self.deadline < day


class LetterEvent(BaseModel):
    """A dated change of a letter: the state, unit and deadline it left behind, and any words."""

    letter = ForeignKeyField(Letter, backref="events", on_delete="CASCADE")
    at = DateTimeField(default=utc_now, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField()
    text = TextField(default="")
    status = CharField()
    unit = CharField()
    deadline = DateField()

    class Meta:
        table_name = "letter_event"
        indexes = ((("letter", "at"), False),)

    @classmethod
    def of(cls, letter):
        """The letter's events, oldest first, with their users."""
        return cls.select(cls, User).join(User, JOIN.LEFT_OUTER).where(cls.letter == letter).order_by(cls.at, cls.id)


def letters_as_of(day, visible=None):
    """Letters registered by the end of ``day`` (of ``visible``, a query over Letter, if given), each with
    ``state`` and ``due`` as they stood then."""
    end = dt.datetime.combine(day, dt.time.max)
    query = visible if visible is not None else Letter.select()
    return query.join(LetterEvent, JOIN.INNER, on=newest_event(Letter, LetterEvent, end)).where(
        Letter.registered_at <= end
    )


def overdue_then(day):
    """Unanswered on ``day`` and past the deadline it had then (over letters_as_of's join)."""
    return LetterEvent.status.in_(UNANSWERED) & (LetterEvent.deadline < day)


def overdue_letters_as_of(day):
    """The letters unanswered past their deadline on ``day``, longest overdue first, each with the ``due``
    date and the ``then_unit`` it had then."""
    return list(
        letters_as_of(day)
        .select(Letter, LetterEvent.deadline.alias("due"), LetterEvent.unit.alias("then_unit"))
        .where(overdue_then(day))
        .order_by(LetterEvent.deadline, Letter.id)
        .objects()
    )


def letter_counts(day, visible=None):
    """The seed's figures on ``day``: total, by level, closed (答复办结), overdue; one GROUP BY."""
    closed = fn.SUM(Case(None, [(LetterEvent.status == "closed", 1)], 0))
    overdue = fn.SUM(Case(None, [(overdue_then(day), 1)], 0))
    rows = (
        letters_as_of(day, visible)
        .select(Letter.level, fn.COUNT(Letter.id), closed, overdue)
        .group_by(Letter.level)
        .tuples()
    )
    counts = {"total": 0, "by_level": dict.fromkeys(LETTER_LEVELS, 0), "closed": 0, "overdue": 0}
    for level, total, closed_n, overdue_n in rows:
        counts["by_level"][level] = total
        counts["total"] += total
        counts["closed"] += int(closed_n or 0)
        counts["overdue"] += int(overdue_n or 0)
    return counts
