"""The API's 红旗 and 蜗牛 lists of a quarter and the 加减分 of departments and counties."""

from flask import current_app, g
from flask_smorest import abort

from tracker.api.base import bp, errors
from tracker.api.schemas import HonoursSchema, QuarterQuerySchema, ScoresSchema
from tracker.core.periods import just_ended
from tracker.core.weeks import local_now
from tracker.honours.models import HonourList
from tracker.scores.points import quarter_scores
from tracker.web.access import can, sees_breakdown

ENTRY_FIELDS = ("code", "name", "project_unit", "lead_official", "lead_department", "county", "score", "reasons")


def _quarter(args):
    config = current_app.config["TRACKER"]
    return args.get("quarter") or just_ended("quarterly", local_now(config["city"]["timezone"]).date())


@bp.get("/honours")
@bp.arguments(QuarterQuerySchema, location="query", error_status_code=400)
@bp.response(200, HonoursSchema)
@errors(400, 404)
def show_honours(args):
    """红旗和蜗牛项目：某季度已发布的名单（审核人还能看到草稿），每个项目附依据"""
    quarter = _quarter(args)
    honour_list = HonourList.get_or_none(HonourList.quarter == quarter)
    if honour_list is None or not can(g.api_user, "see", honour_list):
        abort(404, message=f"{quarter} 没有已发布的红旗蜗牛名单")
    listed = honour_list.listed_by_kind()
    return {
        "quarter": quarter,
        "published_at": honour_list.published_at,
        **{kind: [{k: getattr(e, k) for k in ENTRY_FIELDS} for e in entries] for kind, entries in listed.items()},
    }


@bp.get("/scores")
@bp.arguments(QuarterQuerySchema, location="query", error_status_code=400)
@bp.response(200, ScoresSchema)
@errors(400, 403)
def show_scores(args):
    """部门和县区加减分：某季度每个单位的得分和每一分的依据"""
    if not can(g.api_user, "see_scores"):
        abort(403, message="项目责任人不能查看加减分")
    quarter = _quarter(args)
    units = [
        {**unit, "breakdown": unit["breakdown"] if sees_breakdown(g.api_user, unit) else None}
        for unit in quarter_scores(quarter, current_app.config["TRACKER"])
    ]
    return {"quarter": quarter, "units": units}
