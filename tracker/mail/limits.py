"""Rate limits per channel target (a robot, a phone): at most N messages in any window of W seconds.

A target has N slots, each remembering when it was last used; a send takes a slot used more than
a window ago, with a conditional UPDATE (one row changed = this process has it), so any number of
schedulers, on SQLite or PostgreSQL, share one limit without a lock. Every slot in use within the
window means the message waits until the oldest one frees."""

import datetime as dt

from peewee import CharField, DateTimeField, IntegerField

from tracker.core.db import BaseModel

# A slot never used counts as used long ago.
NEVER = dt.datetime(2000, 1, 1)


class ChannelSlot(BaseModel):
    channel = CharField()
    target = CharField()
    number = IntegerField()
    used_at = DateTimeField(default=NEVER)

    class Meta:
        table_name = "channel_slot"
        indexes = ((("channel", "target", "number"), True),)

    @classmethod
    def of(cls, channel, target, limit):
        return cls.select().where((cls.channel == channel) & (cls.target == target) & (cls.number < limit))


def take_slot(channel, target, limit, now, window):
    """Take one of ``target``'s ``limit`` slots at ``now``; return None when taken, else when one frees."""
    free_before = now - window
    ChannelSlot.insert_many(
        [{"channel": channel, "target": target, "number": n} for n in range(limit)]
    ).on_conflict_ignore().execute()
    while True:
        slot = ChannelSlot.of(channel, target, limit).where(ChannelSlot.used_at <= free_before).first()
        if slot is None:
            oldest = ChannelSlot.of(channel, target, limit).order_by(ChannelSlot.used_at).first()
            return oldest.used_at + window
        won = (
            ChannelSlot.update(used_at=now)
            .where((ChannelSlot.id == slot.id) & (ChannelSlot.used_at <= free_before))
            .execute()
        )
        if won == 1:
            return None
