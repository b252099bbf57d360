"""The API's lagging list (滞后项目), its ranking (红黑榜) and the notices of public criticism (通报批评)."""

from flask import current_app, g
from flask_smorest import abort

from tracker.api.base import bp, errors
from tracker.api.schemas import (
    DateQuerySchema,
    LaggingSchema,
    NoticeDraftSchema,
    NoticeEditSchema,
    NoticeListSchema,
    NoticeSchema,
    RankingSchema,
    RemovalSchema,
)
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.lagging.rules import lagging_list, lagging_rules, ranking
from tracker.notices.drafting import draft_notice, edit_notice, publish_notice, remove_entry
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.projects.models import Project
from tracker.web.access import can, project_scope, refuse, visible_notices
from tracker.web.audit import audit


def _day(args):
    config = current_app.config["TRACKER"]
    return args.get("date") or local_now(config["city"]["timezone"]).date()


def _lagging(args):
    result = lagging_list(_day(args), lagging_rules(current_app.config["TRACKER"]))
    if not can(g.api_user, "see_lagging"):  # an owner: the list of their own projects
        own = {code for (code,) in Project.select(Project.code).where(project_scope(g.api_user)).tuples()}
        result.projects = [p for p in result.projects if p.code in own]
    return result


@bp.get("/lagging")
@bp.arguments(DateQuerySchema, location="query", error_status_code=400)
@bp.response(200, LaggingSchema)
@errors(400)
def show_lagging(args):
    """滞后项目名单：某日（默认今天）按 config.toml [lagging] 规则列出的项目及每条原因和依据。

    名单依据该日前最后一个已结束周的调度快照和截至该日的问题、督办记录，此后的修改不改变该日名单。
    """
    result = _lagging(args)
    return {"day": result.day, "week": result.week, "projects": [p.as_dict() for p in result.projects]}


@bp.get("/lagging/ranking")
@bp.arguments(DateQuerySchema, location="query", error_status_code=400)
@bp.response(200, RankingSchema)
@errors(400, 403)
def show_ranking(args):
    """红黑榜：按包抓部门和县区统计滞后项目、逾期问题、缺报周报，最差在前"""
    if not can(g.api_user, "see_lagging"):
        refuse("see_lagging", "项目责任人不能查看全市排名")
    result = lagging_list(_day(args), lagging_rules(current_app.config["TRACKER"]))
    return {
        "date": result.day,
        "week": result.week,
        **ranking(result, current_app.config["TRACKER"]["lagging"]["overdue_days"]),
    }


def _notice_visible(notice_id):
    notice = CriticismNotice.get_or_none(CriticismNotice.id == notice_id)
    if notice is None or not can(g.api_user, "see", notice):
        abort(404, message="通报不存在")
    return notice


def _notice_body(notice):
    entries = notice.entries.order_by(NoticeEntry.position)
    if not can(g.api_user, "review_notices"):
        entries = entries.where(NoticeEntry.removed == False)  # noqa: E712
    rows = [{**_entry_fields(e), "reasons": e.reasons} for e in entries]
    return {**{k: getattr(notice, k) for k in NOTICE_FIELDS}, "entries": rows, "ranking": notice.ranking}


NOTICE_FIELDS = ("id", "state", "number", "title", "issuer", "as_of", "week", "preamble", "published_on")


ENTRY_FIELDS = ("id", "code", "name", "project_unit", "lead_official", "lead_department", "county", "removed")


def _entry_fields(entry):
    fields = {k: getattr(entry, k) for k in ENTRY_FIELDS}
    if can(g.api_user, "review_notices"):
        fields["removal_reason"] = entry.removal_reason
    return fields


def _drafter_only():
    if not can(g.api_user, "draft_notices"):
        refuse("draft_notices", "只有领导小组办公室可以起草和发布通报")


@bp.get("/notices")
@bp.response(200, NoticeListSchema)
@errors()
def list_notices():
    """通报：已发布的通报；领导小组办公室和纪委监委还能看到草稿"""
    query = CriticismNotice.select().order_by(CriticismNotice.created_at.desc(), CriticismNotice.id.desc())
    return {"items": list(visible_notices(g.api_user, query))}


@bp.post("/notices")
@bp.arguments(NoticeDraftSchema)
@bp.response(201, NoticeSchema)
@errors(400, 403, 422)
def create_notice(values):
    """起草通报：按某日的滞后项目名单生成草稿（领导小组办公室）"""
    _drafter_only()
    notice = draft_notice(values["date"], current_app.config["TRACKER"], g.api_user, values.get("title"))
    return _notice_body(notice)


@bp.get("/notices/<int:notice_id>")
@bp.response(200, NoticeSchema)
@errors(404)
def show_notice(notice_id):
    """一份通报及其项目、原因和红黑榜"""
    return _notice_body(_notice_visible(notice_id))


@bp.patch("/notices/<int:notice_id>")
@bp.arguments(NoticeEditSchema)
@bp.response(200, NoticeSchema)
@errors(400, 403, 404, 409, 422)
def change_notice(values, notice_id):
    """修改草稿的标题和导语；已发布的通报不能修改（409）"""
    _drafter_only()
    notice = _notice_visible(notice_id)
    edit_notice(notice, values["title"], values.get("preamble", notice.preamble))
    return _notice_body(CriticismNotice.get_by_id(notice.id))


@bp.post("/notices/<int:notice_id>/entries/<int:entry_id>/removal")
@bp.arguments(RemovalSchema)
@bp.response(200, NoticeSchema)
@errors(400, 403, 404, 409, 422)
def remove_notice_entry(values, notice_id, entry_id):
    """把一个项目移出草稿，须写明理由（存档，纪委监委可见）；已发布的通报不能修改（409）"""
    _drafter_only()
    notice = _notice_visible(notice_id)
    entry = NoticeEntry.get_or_none((NoticeEntry.id == entry_id) & (NoticeEntry.notice == notice))
    if entry is None:
        abort(404, message="通报中没有这个项目")
    with db.atomic():
        remove_entry(entry, g.api_user, values["reason"])
        audit("notice_entry_removed", notice=notice.id, project=entry.code, reason=values["reason"].strip())
    return _notice_body(notice)


@bp.post("/notices/<int:notice_id>/publication")
@bp.response(200, NoticeSchema)
@errors(403, 404, 409)
def publish(notice_id):
    """发布通报：编号、注明日期并公开，此后不能修改；已发布的再次发布得到 409"""
    _drafter_only()
    notice = _notice_visible(notice_id)
    config = current_app.config["TRACKER"]
    with db.atomic():
        notice = publish_notice(notice, g.api_user, config, local_now(config["city"]["timezone"]).date())
        audit("notice_published", notice=notice.id, number=notice.number, title=notice.title)
    return _notice_body(notice)
