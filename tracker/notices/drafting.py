"""Drafting a notice from a day's lagging list, taking entries off with a reason, and publishing it for good."""

import json

from tracker.core.db import NumberTaken, db, with_next_number
from tracker.core.weeks import utc_now
from tracker.lagging.rules import lagging_list, lagging_rules, ranking
from tracker.notices.models import CriticismNotice, NoticeEntry

MIN_REASON = 5  # characters: "不合适" is no reason anyone can check


class NoticeError(ValueError):
    """The notice cannot change as asked; the message says why, in Chinese, and ``field`` what is at fault."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NoticePublished(NoticeError):
    """A published list (a notice, a quarter's 红旗 and 蜗牛) refuses every change."""

    def __init__(self, message="通报已发布，不能再修改"):
        super().__init__(message)


def draft_notice(day, config, user, title=None):
    """A new draft carrying the lagging list of ``day`` and the ranking beside it."""
    result = lagging_list(day, lagging_rules(config))
    if result.week is None:
        raise NoticeError(f"{day:%Y-%m-%d} 之前还没有已结束并存档的周调度，无法生成滞后项目名单", "date")
    title = (title or "").strip() or f"关于{day.year}年{day.month}月重点项目推进滞后情况的通报"
    with db.atomic():
        notice = CriticismNotice.create(
            title=title,
            as_of=day,
            week=result.week,
            issuer=config["notices"]["issuer"],
            preamble=config["notices"]["preamble"],
            ranking_data=json.dumps(ranking(result, config["lagging"]["overdue_days"]), ensure_ascii=False),
            created_by=user,
        )
        insert_entries(NoticeEntry, result.projects, notice=notice)
    return notice


def insert_entries(model, projects, each=None, **fixed):
    """Write ``projects`` (LaggingProject-like: attributes and reasons) as the entries of a reviewed list, in order.

    ``fixed`` holds what every row shares (the list it belongs to, a 红旗/蜗牛 list's kind), ``each``
    what a model adds of each project's own (a score).
    """
    rows = [
        {**fixed, **(each(entry) if each else {}), **model.columns_of(position, entry)}
        for position, entry in enumerate(projects, start=1)
    ]
    if rows:
        model.insert_many(rows).execute()


def edit_notice(notice, title, preamble):
    title = (title or "").strip()
    if not title:
        raise NoticeError("请填写通报标题", "title")
    changed = (
        CriticismNotice.update(title=title, preamble=(preamble or "").strip())
        .where((CriticismNotice.id == notice.id) & (CriticismNotice.state == "draft"))
        .execute()
    )
    check_changed(changed)


def remove_entry(entry, user, reason, now=None):
    """Take an entry off a draft (a notice's or any ReviewedList's); the written reason is kept for the inspector."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise NoticeError(f"移出名单须写明理由（至少 {MIN_REASON} 个字）", "reason")
    _set_removed(entry, removed=True, removal_reason=reason, removed_by=user, removed_at=now or utc_now())


def restore_entry(entry):
    """Put a removed entry back on a draft."""
    _set_removed(entry, removed=False, removal_reason="", removed_by=None, removed_at=None)


def _set_removed(entry, **fields):
    model = type(entry)
    parent = getattr(model, model.LIST)
    drafts = parent.rel_model.select(parent.rel_model.id).where(parent.rel_model.state == "draft")
    changed = model.update(**fields).where((model.id == entry.id) & parent.in_(drafts)).execute()
    check_changed(changed, parent.rel_model.PUBLISHED)


def delete_draft(reviewed):
    """Discard a draft notice (or any ReviewedList draft) with its entries."""
    model = type(reviewed)
    with db.atomic():
        changed = model.delete().where((model.id == reviewed.id) & (model.state == "draft")).execute()
    check_changed(changed, model.PUBLISHED)


def publish_notice(notice, user, config, day, now=None):
    """Number the notice (next of ``day``'s year), date it ``day`` and freeze it; return it as published."""
    return publish_numbered(CriticismNotice, notice.id, config["notices"]["number_prefix"], user, day, now)


def publish_numbered(model, row_id, prefix, user, day, now=None):
    """Publish the draft ``row_id`` of ``model`` (a notice, a 督查通报: state, year, seq, number, published_*):
    numbered ``prefix``〔year〕seq号, the next of ``day``'s year, dated ``day``, frozen; return it as published.

    A draft published meanwhile raises NoticePublished in the model's words (``model.PUBLISHED``)."""

    def write(seq):
        changed = (
            model.update(
                state="published",
                year=day.year,
                seq=seq,
                number=f"{prefix}〔{day.year}〕{seq}号",
                published_on=day,
                published_at=now or utc_now(),
                published_by=user,
            )
            .where((model.id == row_id) & (model.state == "draft"))
            .execute()
        )
        check_changed(changed, model.PUBLISHED)

    try:
        with_next_number(model, day.year, write)
    except NumberTaken as e:
        raise NoticeError("通报编号分配冲突，请稍后重试") from e
    return model.get_by_id(row_id)


def check_changed(changed, message=None):
    """One row changed, or the list was published meanwhile: say so in the list's own words."""
    if changed != 1:
        raise NoticePublished(*([message] if message else []))


def notice_document(notice, kind, settings=None):
    """The notice as .xlsx or .docx bytes, laid out by workbook.py or documents.py.

    ``settings`` is the config's [notices]: the .docx takes its 整改要求 and 抄送 from there."""
    from tracker.notices.documents import notice_docx
    from tracker.notices.workbook import notice_workbook

    content = {
        **{key: settings[key] for key in ("rectification", "rectification_days", "copy_to") if settings},
        "title": notice.title,
        "number": notice.number or "（草稿，未编号）",
        "issuer": notice.issuer,
        "date": notice.published_on or notice.as_of,
        "as_of": notice.as_of,
        "preamble": notice.preamble,
        "entries": [
            {
                "code": entry.code,
                "name": entry.name,
                "project_unit": entry.project_unit,
                "lead_department": entry.lead_department,
                "lead_official": entry.lead_official,
                "reasons": entry.reasons,
            }
            for entry in notice.listed()
        ],
        "ranking": {
            "departments": notice.ranking.get("lead_department", []),
            "counties": notice.ranking.get("county", []),
        },
    }
    render = notice_workbook if kind == "xlsx" else notice_docx
    return render(content)
