"""Drafting a quarter's 红旗 and 蜗牛 lists from the rules, and publishing them for good.

Taking an entry off (with a written reason), putting it back and discarding a draft are
the notices' own functions (tracker.notices.drafting), which work on any reviewed list."""

from tracker.core.db import db
from tracker.core.weeks import utc_now
from tracker.honours.models import HonourEntry, HonourList
from tracker.honours.rules import honours, quarter_of
from tracker.notices.drafting import NoticeError, check_changed, insert_entries


def draft_honours(quarter, config, user):
    """A new draft of ``quarter``'s lists (replacing an earlier draft of it); NoticeError once it is published."""
    period = quarter_of(quarter)
    if period.week is None:
        raise NoticeError(f"{quarter} 尚无周调度快照，无法生成红旗蜗牛名单", "quarter")
    found = honours(period, config["honours"], config["lagging"]["overdue_days"])
    with db.atomic():
        existing = HonourList.get_or_none(HonourList.quarter == quarter)
        if existing is not None and existing.is_published:
            raise NoticeError(HonourList.PUBLISHED, "quarter")
        if existing is not None:
            HonourList.delete().where((HonourList.id == existing.id) & (HonourList.state == "draft")).execute()
        honour_list = HonourList.create(quarter=quarter, week=period.week, created_by=user)
        for kind, projects in found.items():
            insert_entries(HonourEntry, projects, honour_list=honour_list, kind=kind, each=lambda p: {"score": p.score})
    return honour_list


def publish_honours(honour_list, user, day, now=None):
    """Date the lists ``day`` and freeze them; return them as published."""
    changed = (
        HonourList.update(state="published", published_on=day, published_at=now or utc_now(), published_by=user)
        .where((HonourList.id == honour_list.id) & (HonourList.state == "draft"))
        .execute()
    )
    check_changed(changed, HonourList.PUBLISHED)
    return HonourList.get_by_id(honour_list.id)
