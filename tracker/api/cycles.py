"""The API's cycle runs (周调度, 月会商, 季分析 and their mail) and the decisions of the monthly consultation
(会商决定) with their follow-through (落实情况): what the runs pages show and record."""

from flask import g
from flask_smorest import abort
from marshmallow import fields

from tracker.api.base import bp, errors, page_of, page_schema
from tracker.api.schemas import MAX_NAME, PagingSchema, Schema, UtcDateTime, choice, date, text
from tracker.core.db import db
from tracker.cycles.consultations import (
    AGENDA_KINDS,
    OUTCOMES,
    AgendaItem,
    Decision,
    agenda_with_decisions,
    decisions_due,
    record_decision,
    record_outcome,
)
from tracker.cycles.runs import RUN_KINDS, STATES, CycleRun
from tracker.projects.models import ListEntry
from tracker.web.access import can, refuse
from tracker.web.listing import today

REFUSALS = {
    "see_runs": "只有领导小组办公室、市级领导和纪委监委可以查看调度运行",
    "record_decisions": "只有领导小组办公室可以记录会商决定和落实情况",
}


class RunQuerySchema(PagingSchema):
    cycle = choice("周期", RUN_KINDS)


class DecisionInSchema(Schema):
    action = text("决定事项", required=True)
    assignee = text("责任单位/责任人", MAX_NAME, required=True)
    department = text("责任部门（部门名单中的；由部门负责时填写，逾期计入该部门加减分）", MAX_NAME)
    due_on = date("完成时限", required=True)


class FollowThroughInSchema(Schema):
    outcome = choice("落实情况", OUTCOMES, required=True)
    note = text("说明", 2000)
    on = date("情况日期", required=True)


class RunSchema(Schema):
    id = fields.Integer()
    cycle = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in RUN_KINDS.items())})
    period = fields.String(metadata={"description": "周期，如 2026-W47、2026-11、2026-Q3"})
    state = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in STATES.items())})
    attempts = fields.Integer()
    started_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)
    error = fields.String()


class DecisionSchema(Schema):
    id = fields.Integer()
    item = fields.Integer(attribute="item_id", metadata={"description": "议题 id"})
    action = fields.String()
    assignee = fields.String()
    department = fields.String()
    owner = fields.String(metadata={"description": "由谁负责（部门和责任人）"})
    due_on = fields.Date()
    recorded_at = fields.Date()
    outcome = fields.String(
        allow_none=True,
        metadata={"description": "、".join(f"{k}（{v}）" for k, v in OUTCOMES.items()) + "；未记录为 null"},
    )
    outcome_note = fields.String()
    outcome_on = fields.Date(allow_none=True)


class AgendaItemSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in AGENDA_KINDS.items())})
    title = fields.String()
    detail = fields.String()
    project = fields.String(allow_none=True, metadata={"description": "项目编号（问题或项目的议题）"})
    decisions = fields.List(fields.Nested(DecisionSchema))


class DecisionsSchema(Schema):
    agenda = fields.List(fields.Nested(AgendaItemSchema), metadata={"description": "本次会商的议题及其决定"})
    due = fields.List(
        fields.Nested(DecisionSchema), metadata={"description": "以往会商中到本月底到期、本次会商须过问落实情况的决定"}
    )


class RunDetailSchema(RunSchema, DecisionsSchema):
    data = fields.Dict(metadata={"description": "运行所得：周调度的数字、月会商的议程、季分析的分析"})


RunPageSchema = page_schema(RunSchema)


def _allowed(action):
    if not can(g.api_user, action):
        refuse(action, REFUSALS[action])


def _run(run_id, cycle=None):
    run = CycleRun.get_or_none(CycleRun.id == run_id)
    if run is None or cycle not in (None, run.cycle):
        abort(404, message="没有这次运行" if cycle is None else "没有这次月会商")
    return run


def _decisions(run):
    if run.cycle != "monthly":
        return {"agenda": [], "due": []}
    agenda = [
        {
            **{k: getattr(item, k) for k in ("id", "kind", "title", "detail")},
            "project": item.project.code if item.project_id else None,
            "decisions": decisions,
        }
        for item, decisions in agenda_with_decisions(run)
    ]
    return {"agenda": agenda, "due": list(decisions_due(run.period))}


@bp.get("/runs")
@bp.arguments(RunQuerySchema, location="query", error_status_code=400)
@bp.response(200, RunPageSchema)
@errors(400, 403)
def list_runs(args):
    """调度运行：周调度、月会商、季分析及填报提醒、督办通知、周报退回的邮件，最新的在前，分页（领导小组办公室、市级领导、纪委监委）"""
    _allowed("see_runs")
    query = CycleRun.select().order_by(CycleRun.started_at.desc(), CycleRun.id.desc())
    if "cycle" in args:
        query = query.where(CycleRun.cycle == args.pop("cycle"))
    return page_of(query, args)


@bp.get("/runs/<int:run_id>")
@bp.response(200, RunDetailSchema)
@errors(403, 404)
def show_run(run_id):
    """一次运行：其所得数据；月会商另有议题、决定和须过问落实情况的以往决定"""
    _allowed("see_runs")
    run = _run(run_id)
    return {**{k: getattr(run, k) for k in RunSchema._declared_fields}, "data": run.data, **_decisions(run)}


@bp.get("/runs/<int:run_id>/decisions")
@bp.response(200, DecisionsSchema)
@errors(403, 404)
def list_decisions(run_id):
    """一次月会商的决定：按议题列出本次的决定，及以往会商中须本次过问落实情况的决定"""
    _allowed("see_runs")
    return _decisions(_run(run_id, "monthly"))


@bp.post("/runs/<int:run_id>/agenda/<int:item_id>/decisions")
@bp.arguments(DecisionInSchema)
@bp.response(201, DecisionSchema)
@errors(400, 403, 404, 422)
def create_decision(values, run_id, item_id):
    """记录会商决定（领导小组办公室）：针对一个议题，写明做什么、由谁负责、何时完成"""
    _allowed("record_decisions")
    item = AgendaItem.get_or_none((AgendaItem.id == item_id) & (AgendaItem.run == run_id))
    if item is None:
        abort(404, message="这次会商没有这个议题")
    action, assignee = values["action"].strip(), values["assignee"].strip()
    department = (values.get("department") or "").strip()
    for name, value, message in (("action", action, "请填写决定事项"), ("assignee", assignee, "请填写由谁负责")):
        if not value:
            abort(422, message=message, field=name)
    if department and department not in ListEntry.names("department"):
        abort(422, message=f"责任部门“{department}”不在部门名单中，请从名单中选择", field="department")
    with db.atomic():
        return record_decision(item, action, assignee, values["due_on"], g.api_user.id, today(), department=department)


@bp.post("/runs/<int:run_id>/decisions/<int:decision_id>/follow-through")
@bp.arguments(FollowThroughInSchema)
@bp.response(200, DecisionSchema)
@errors(400, 403, 404, 422)
def record_follow_through(values, run_id, decision_id):
    """记录落实情况（领导小组办公室）：在过问它的那次月会商上，记一项到期决定已落实、部分落实或未落实"""
    _allowed("record_decisions")
    run = _run(run_id, "monthly")
    decision = decisions_due(run.period).where(Decision.id == decision_id).first()
    if decision is None:
        abort(404, message="这次会商没有须过问的这项决定")
    record_outcome(decision, values["outcome"], (values.get("note") or "").strip(), values["on"], g.api_user.id)
    return Decision.get_by_id(decision.id)
