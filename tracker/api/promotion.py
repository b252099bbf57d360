"""The API's investment promotion (招商引资): a period's counts and amounts, and the leads."""

from flask import current_app, g
from marshmallow import ValidationError, fields

from tracker.api.base import bp, errors, page_of, page_schema
from tracker.api.schemas import MAX_NAME, Amount, PagingSchema, Schema, choice, text
from tracker.core.periods import PeriodError
from tracker.promotion.figures import period_figures
from tracker.promotion.models import STAGES, Lead
from tracker.promotion.periods import PERIOD_MESSAGE, period_kind, quarter_of
from tracker.web.access import can, refuse
from tracker.web.listing import today

REFUSAL = "项目责任人和县区办公室不能查看招商引资"


def valid_period(label):
    try:
        period_kind(label)
    except PeriodError as e:
        raise ValidationError(str(e)) from e


class PeriodQuerySchema(Schema):
    period = fields.String(
        validate=valid_period,
        metadata={"description": PERIOD_MESSAGE + "；默认本季度", "example": "2026-Q4"},
    )


class PromotionFiguresSchema(Schema):
    period = fields.String(metadata={"example": "2026-Q4"})
    first = fields.Date(metadata={"description": "期间第一天"})
    last = fields.Date(metadata={"description": "期间最后一天"})
    batches = fields.Integer(metadata={"description": "外出招商批次"})
    enterprises_contacted = fields.Integer(metadata={"description": "对接企业（本期新接触的招商项目）"})
    visits = fields.Integer(metadata={"description": "邀请来考察的企业（次）"})
    intentions = fields.Integer(metadata={"description": "本期达成合作意向的"})
    signed = fields.Integer(metadata={"description": "本期签约的"})
    landed = fields.Integer(metadata={"description": "本期落地的"})
    signed_investment = Amount(metadata={"description": "本期签约项目的计划投资（万元）"})
    landed_investment = Amount(metadata={"description": "本期落地项目的计划投资（万元）"})
    funds_in_place = Amount(metadata={"description": "本期到位资金（万元）"})
    funds_last_year = Amount(metadata={"description": "上年同期到位资金（万元）"})
    funds_target = Amount(metadata={"description": "到位资金目标：上年同期 ×（1 + [promotion] funds_growth_target%）"})
    funds_percent = fields.Float(
        allow_none=True, metadata={"description": "到位资金 / 目标（%）；上年同期为 0 时为 null"}
    )


class LeadQuerySchema(PagingSchema):
    stage = choice("阶段", STAGES)
    department = text("负责部门", MAX_NAME)


class LeadSchema(Schema):
    id = fields.Integer()
    enterprise = fields.String(metadata={"description": "企业名称"})
    name = fields.String(metadata={"description": "项目名称"})
    stage = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in STAGES.items())})
    industry_chain = fields.String()
    department = fields.String(metadata={"description": "负责部门"})
    county = fields.String(metadata={"description": "拟落地县区"})
    planned_investment = Amount(allow_none=True, metadata={"description": "计划投资（万元）；未填为 null"})
    project = fields.Function(
        lambda lead: lead.project.code if lead.project_id else None,
        metadata={"description": "转为的重点项目编号；未转为 null"},
    )


def _readers_only():
    if not can(g.api_user, "see_promotion"):
        refuse("see_promotion", REFUSAL)


@bp.get("/promotion")
@bp.arguments(PeriodQuerySchema, location="query", error_status_code=400)
@bp.response(200, PromotionFiguresSchema)
@errors(400, 403)
def show_promotion(args):
    """招商引资：某期间（月 2026-11、季度 2026-Q4、半年 2026-H1、年 2026）的批次、对接企业、来考察、意向、签约、落地和金额"""
    _readers_only()
    period = args.get("period") or quarter_of(today())
    return period_figures(period, current_app.config["TRACKER"]["promotion"]["funds_growth_target"])


@bp.get("/promotion/leads")
@bp.arguments(LeadQuerySchema, location="query", error_status_code=400)
@bp.response(200, page_schema(LeadSchema))
@errors(400, 403)
def list_leads(args):
    """招商项目：最新的在前，可按阶段和负责部门筛选，分页"""
    _readers_only()
    paging = {key: args.pop(key) for key in ("page", "per_page")}
    query = Lead.listed()
    if "stage" in args:
        query = query.where(Lead.stage == args["stage"])
    if "department" in args:
        query = query.where(Lead.department == args["department"])
    return page_of(query, paging)
