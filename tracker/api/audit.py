"""The API's audit log (审计日志): read and filtered by the office and the inspector, never written."""

import datetime as dt
import zoneinfo

from flask import current_app, g

from tracker.api.base import bp, errors, page_of
from tracker.api.schemas import AuditPageSchema, AuditQuerySchema
from tracker.audit.log import chain_state, search
from tracker.web.access import can, refuse

PAGING = ("page", "per_page")


@bp.get("/audit")
@bp.arguments(AuditQuerySchema, location="query", error_status_code=400)
@bp.response(200, AuditPageSchema)
@errors(400, 403)
def list_audit(args):
    """审计日志：最新的在前，可按事件、操作人、来源地址和日期筛选，分页；chain_ok 表示哈希链是否完整（领导小组办公室、纪委监委）"""
    if not can(g.api_user, "see_audit"):
        refuse("see_audit", "只有领导小组办公室和纪委监委可以查看审计日志")
    timezone = current_app.config["TRACKER"]["city"]["timezone"]
    zone = zoneinfo.ZoneInfo(timezone)
    paging = {key: args.pop(key) for key in PAGING}
    page = page_of(search(args, timezone), paging)
    page["items"] = [
        {
            **{key: getattr(entry, key) for key in ("id", "at", "actor", "actor_id", "address", "event")},
            "at_local": entry.at.replace(tzinfo=dt.UTC).astimezone(zone),
            "detail": entry.details,
        }
        for entry in page["items"]
    ]
    broken = chain_state().broken
    return {**page, "chain_ok": broken is None, "broken": broken}
