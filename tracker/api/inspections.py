"""The API's inspection rounds (督查): the rounds with their counts, and one round with its groups, the units
they visited and the findings with their state on the ledger and their 回头看 (office, leader, inspector)."""

from flask import g
from flask_smorest import abort
from marshmallow import fields

from tracker.api.base import bp, errors, page_of, page_schema
from tracker.api.schemas import PagingSchema, Schema, ZuluDateTime
from tracker.inspections.models import (
    BULLETIN_STATES,
    RECHECK_RESULTS,
    Finding,
    InspectionGroup,
    InspectionRound,
    InspectionVisit,
)
from tracker.problems.models import PROBLEM_STATES
from tracker.web.access import can, refuse
from tracker.web.listing import today

REFUSAL = "只有领导小组办公室、市级领导和纪委监委可以查看督查"


class CountsSchema(Schema):
    groups = fields.Integer(attribute="group_count", metadata={"description": "督查组数"})
    units_visited = fields.Integer(attribute="visit_count", metadata={"description": "督查单位数"})
    findings = fields.Integer(attribute="finding_count", metadata={"description": "发现问题数"})
    rectified = fields.Function(lambda r: r.rectified or 0, metadata={"description": "已整改（已解决、已销号）"})
    pending = fields.Function(lambda r: r.pending or 0, metadata={"description": "待整改"})
    overdue = fields.Function(lambda r: r.overdue or 0, metadata={"description": "逾期未整改"})


class RoundSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    notice_title = fields.String(metadata={"description": "下发的督查通知"})
    starts_on = fields.Date()
    ends_on = fields.Date()
    counts = fields.Function(lambda r: CountsSchema().dump(r))


class GroupSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    leader = fields.String()
    members = fields.String()


class VisitSchema(Schema):
    id = fields.Integer()
    group = fields.Integer(attribute="group_id")
    unit = fields.String()
    county = fields.String()
    visited_on = fields.Date()
    methods = fields.Function(lambda v: v.methods.split("、") if v.methods else [])
    project = fields.Function(lambda v: v.project.code if v.project_id else None, metadata={"description": "项目编号"})


class FindingSchema(Schema):
    id = fields.Integer()
    problem = fields.Integer(attribute="problem_id", metadata={"description": "问题台账中的问题 id"})
    group = fields.Integer(attribute="group_id")
    visit = fields.Integer(attribute="visit_id")
    about = fields.Function(lambda f: f.problem.about, metadata={"description": "单位，或项目编号和名称"})
    description = fields.Function(lambda f: f.problem.description)
    department = fields.Function(lambda f: f.problem.department, metadata={"description": "责任部门"})
    deadline = fields.Function(lambda f: f.problem.deadline.isoformat(), metadata={"description": "整改期限"})
    status = fields.Function(
        lambda f: f.problem.status,
        metadata={"description": "、".join(f"{k}（{v}）" for k, v in PROBLEM_STATES.items())},
    )
    recheck = fields.String(
        allow_none=True,
        metadata={"description": "回头看：" + "、".join(f"{k}（{v}）" for k, v in RECHECK_RESULTS.items())},
    )
    recheck_note = fields.String()
    rechecked_at = ZuluDateTime(allow_none=True)


class BulletinSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    number = fields.String(allow_none=True, metadata={"description": "文号，发布时编定"})
    state = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in BULLETIN_STATES.items())})
    published_on = fields.Date(allow_none=True)


class RoundDetailSchema(Schema):
    round = fields.Nested(RoundSchema)
    groups = fields.List(fields.Nested(GroupSchema))
    visits = fields.List(fields.Nested(VisitSchema))
    findings = fields.List(fields.Nested(FindingSchema))
    bulletin = fields.Nested(BulletinSchema, allow_none=True, metadata={"description": "督查通报（草稿或已发布）"})


RoundPageSchema = page_schema(RoundSchema)


def _allowed():
    if not can(g.api_user, "see_inspections"):
        refuse("see_inspections", REFUSAL)


@bp.get("/inspections")
@bp.arguments(PagingSchema, location="query", error_status_code=400)
@bp.response(200, RoundPageSchema)
@errors(400, 403)
def list_rounds(paging):
    """督查轮次：最新的在前，每轮的督查组、督查单位、发现问题、已整改、待整改和逾期数"""
    _allowed()
    return page_of(InspectionRound.with_counts(today()), paging)


@bp.get("/inspections/<int:round_id>")
@bp.response(200, RoundDetailSchema)
@errors(403, 404)
def show_round(round_id):
    """一轮督查：督查组、督查单位（日期、方式、涉及项目）、发现的问题及其整改状态和回头看、督查通报"""
    _allowed()
    inspection_round = InspectionRound.with_counts(today()).where(InspectionRound.id == round_id).first()
    if inspection_round is None:
        abort(404, message="督查不存在")
    return {
        "round": inspection_round,
        "groups": list(inspection_round.groups.order_by(InspectionGroup.id)),
        "visits": list(InspectionVisit.of_round(inspection_round)),
        "findings": list(Finding.of_round(inspection_round)),
        "bulletin": inspection_round.bulletins.first(),
    }
