"""Notices of public criticism (通报批评): drafted from the lagging list, reviewed, published for good.

A draft copies the lagging list of its day, every entry with its reasons and
evidence, and the ranking beside it. The office may take an entry out only
with a written reason, which stays on the record for the inspector. Publishing
numbers the notice (X重项办〔2026〕12号) and freezes it: every change below is a
conditional write on ``state = 'draft'``, so a notice published a moment ago
cannot be changed by a request that read it as a draft.
"""

import json

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .db import NumberTaken, db, with_next_number
from .lagging import lagging_list, ranking
from .models import BaseModel, Project, User
from .weeks import utc_now

NOTICE_STATES = {"draft": "草稿", "published": "已发布"}
MIN_REASON = 5  # characters: "不合适" is no reason anyone can check


class NoticeError(ValueError):
    """The notice cannot change as asked; the message says why, in Chinese, and ``field`` what is at fault."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NoticePublished(NoticeError):
    def __init__(self):
        super().__init__("通报已发布，不能再修改")


class CriticismNotice(BaseModel):
    title = CharField()
    as_of = DateField()  # the day whose lagging list it carries
    week = CharField(max_length=8)  # the closed week that list reads
    preamble = TextField(default="")
    ranking_data = TextField(default="{}")
    state = CharField(default="draft", index=True)
    issuer = CharField(default="")
    year = IntegerField(null=True)
    seq = IntegerField(null=True)
    number = CharField(null=True)
    published_on = DateField(null=True)
    published_at = DateTimeField(null=True)
    published_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utc_now)

    class Meta:
        table_name = "criticism_notice"
        indexes = ((("year", "seq"), True),)

    @property
    def is_published(self):
        return self.state == "published"

    @property
    def ranking(self):
        return json.loads(self.ranking_data or "{}")

    @classmethod
    def published(cls):
        return cls.select().where(cls.state == "published").order_by(cls.published_on.desc(), cls.seq.desc())

    def listed(self):
        """The entries that stay on the notice, in order."""
        return self.entries.where(NoticeEntry.removed == False).order_by(NoticeEntry.position)  # noqa: E712

    def removed(self):
        return self.entries.where(NoticeEntry.removed == True).order_by(NoticeEntry.position)  # noqa: E712


class NoticeEntry(BaseModel):
    """A project on a notice, as the lagging list gave it on the notice's day."""

    notice = ForeignKeyField(CriticismNotice, backref="entries", on_delete="CASCADE")
    position = IntegerField()
    project = ForeignKeyField(Project, backref="notice_entries", on_delete="RESTRICT")
    code = CharField()
    name = CharField()
    project_unit = CharField()
    lead_official = CharField()
    lead_department = CharField()
    county = CharField()
    reasons_data = TextField()
    removed = BooleanField(default=False)
    removal_reason = TextField(default="")
    removed_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    removed_at = DateTimeField(null=True)

    class Meta:
        table_name = "notice_entry"
        indexes = ((("notice", "position"), True),)

    @property
    def reasons(self):
        return json.loads(self.reasons_data)


def draft_notice(day, config, user, title=None):
    """A new draft carrying the lagging list of ``day`` and the ranking beside it."""
    result = lagging_list(day, config["lagging"])
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
        rows = [
            {
                "notice": notice,
                "position": position,
                "project": entry.project_id,
                "code": entry.code,
                "name": entry.name,
                "project_unit": entry.project_unit,
                "lead_official": entry.lead_official,
                "lead_department": entry.lead_department,
                "county": entry.county,
                "reasons_data": json.dumps([r.as_dict() for r in entry.reasons], ensure_ascii=False),
            }
            for position, entry in enumerate(result.projects, start=1)
        ]
        if rows:
            NoticeEntry.insert_many(rows).execute()
    return notice


def edit_notice(notice, title, preamble):
    title = (title or "").strip()
    if not title:
        raise NoticeError("请填写通报标题", "title")
    changed = (
        CriticismNotice.update(title=title, preamble=(preamble or "").strip())
        .where((CriticismNotice.id == notice.id) & (CriticismNotice.state == "draft"))
        .execute()
    )
    _check_changed(changed)


def remove_entry(entry, user, reason, now=None):
    """Take an entry off a draft; the written reason is kept and shown to the inspector."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise NoticeError(f"移出名单须写明理由（至少 {MIN_REASON} 个字）", "reason")
    _set_removed(entry, removed=True, removal_reason=reason, removed_by=user, removed_at=now or utc_now())


def restore_entry(entry):
    """Put a removed entry back on a draft."""
    _set_removed(entry, removed=False, removal_reason="", removed_by=None, removed_at=None)


def _set_removed(entry, **fields):
    drafts = CriticismNotice.select(CriticismNotice.id).where(CriticismNotice.state == "draft")
    changed = (
        NoticeEntry.update(**fields).where((NoticeEntry.id == entry.id) & NoticeEntry.notice.in_(drafts)).execute()
    )
    _check_changed(changed)


def delete_draft(notice):
    with db.atomic():
        changed = (
            CriticismNotice.delete()
            .where((CriticismNotice.id == notice.id) & (CriticismNotice.state == "draft"))
            .execute()
        )
    _check_changed(changed)


def publish_notice(notice, user, config, day, now=None):
    """Number the notice (next of ``day``'s year), date it ``day`` and freeze it; return it as published."""
    prefix = config["notices"]["number_prefix"]

    def write(seq):
        changed = (
            CriticismNotice.update(
                state="published",
                year=day.year,
                seq=seq,
                number=f"{prefix}〔{day.year}〕{seq}号",
                published_on=day,
                published_at=now or utc_now(),
                published_by=user,
            )
            .where((CriticismNotice.id == notice.id) & (CriticismNotice.state == "draft"))
            .execute()
        )
        _check_changed(changed)

    try:
        with_next_number(CriticismNotice, day.year, write)
    except NumberTaken as e:
        raise NoticeError("通报编号分配冲突，请稍后重试") from e
    return CriticismNotice.get_by_id(notice.id)


def _check_changed(changed):
    if changed != 1:
        raise NoticePublished()


def notices_of_project(project):
    """The published notices that list ``project`` (entries not removed), newest first."""
    return (
        CriticismNotice.published()
        .join(NoticeEntry)
        .where((NoticeEntry.project == project) & (NoticeEntry.removed == False))  # noqa: E712
        .distinct()
    )


def notice_document(notice, kind):
    """The notice as .xlsx or .docx bytes, laid out by notice_documents."""
    from . import notice_documents

    content = {
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
    render = notice_documents.notice_workbook if kind == "xlsx" else notice_documents.notice_docx
    return render(content)
