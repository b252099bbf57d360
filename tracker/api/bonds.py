"""The API's special bonds (专项债券): figures by batch on a day, and a batch's projects, within the user's reach."""

from flask import current_app, g
from flask_smorest import abort
from marshmallow import fields

from tracker.api.base import bp, errors
from tracker.api.schemas import Amount, Schema, list_day
from tracker.bonds.models import (
    APPLICATION_STATES,
    BondBatch,
    application_counts,
    batch_applications,
    batch_entries,
    batch_figures,
)
from tracker.web.access import project_scope
from tracker.web.listing import today


class BondDaySchema(Schema):
    date = list_day(metadata={"description": "统计日期（发行、支出截至当天），默认今天"})


class BatchSchema(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "批次，如 2026年第一批专项债券"})
    year = fields.Integer()
    number = fields.Integer(metadata={"description": "第几批"})
    listed_on = fields.Date(allow_none=True, metadata={"description": "列入清单日期"})


class StatusCountSchema(Schema):
    count = fields.Integer()
    amount = Amount(metadata={"description": "申报金额（万元）"})


STATUS_DESCRIPTION = "申报项目数和金额，按状态：" + "、".join(f"{k}（{v}）" for k, v in APPLICATION_STATES.items())


class BatchFiguresSchema(Schema):
    batch = fields.Nested(BatchSchema)
    projects = fields.Integer(metadata={"description": "列入的项目数"})
    amount = Amount(metadata={"description": "债券金额（万元）"})
    issued = Amount(metadata={"description": "截至统计日期已发行到位（万元）"})
    spent = Amount(metadata={"description": "截至统计日期已支出（万元）"})
    unspent = Amount(metadata={"description": "已发行未支出（万元）"})
    spend_rate = fields.Float(metadata={"description": "支出率：已支出 / 已发行（%）"})
    idle = Amount(metadata={"description": "闲置资金：发行满 [bonds] idle_days 天仍大部分未支出的未支出部分（万元）"})
    idle_projects = fields.Integer(metadata={"description": "资金闲置的项目数"})
    applications_by_status = fields.Dict(
        keys=fields.String(), values=fields.Nested(StatusCountSchema), metadata={"description": STATUS_DESCRIPTION}
    )


class BondsSchema(Schema):
    date = fields.Date()
    batches = fields.List(fields.Nested(BatchFiguresSchema))


class EntrySchema(Schema):
    project = fields.Function(lambda e: {"code": e.project.code, "name": e.project.name, "county": e.project.county})
    amount = Amount(metadata={"description": "债券金额（万元）"})
    issued_on = fields.Date(allow_none=True, metadata={"description": "发行/到位日期"})
    spent = Amount(metadata={"description": "截至统计日期已支出（万元）"})
    spend_rate = fields.Float(allow_none=True, metadata={"description": "支出率（%），未发行为 null"})
    idle = fields.Boolean(metadata={"description": "资金闲置（专项债资金闲置）"})


class ApplicationSchema(Schema):
    project = fields.Function(lambda a: {"code": a.project.code, "name": a.project.name})
    amount = Amount(metadata={"description": "申报金额（万元）"})
    status = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in APPLICATION_STATES.items())})
    submitted_on = fields.Date(allow_none=True)
    decided_on = fields.Date(allow_none=True)


class BatchDetailSchema(BatchFiguresSchema):
    date = fields.Date()
    entries = fields.List(fields.Nested(EntrySchema))
    applications = fields.List(fields.Nested(ApplicationSchema), metadata={"description": "申报该批次的项目"})


def _figures(day, batch=None):
    settings = current_app.config["TRACKER"]["bonds"]
    scope = project_scope(g.api_user)
    counts = application_counts(scope)
    rows = batch_figures(day, settings["idle_days"], settings["idle_share"], scope, batch)
    for row in rows:
        applications = counts.get(row["batch"].id, {})
        row["applications_by_status"] = {s: {"count": c, "amount": a} for s, (c, a) in applications.items()}
    return rows


@bp.get("/bonds")
@bp.arguments(BondDaySchema, location="query", error_status_code=400)
@bp.response(200, BondsSchema)
@errors(400)
def list_bonds(args):
    """专项债券各批次：项目数、金额、已发行、已支出、支出率、闲置资金、申报情况；项目责任人和县区办公室只统计其项目"""
    day = args.get("date") or today()
    return {"date": day, "batches": _figures(day)}


@bp.get("/bonds/<int:batch_id>")
@bp.arguments(BondDaySchema, location="query", error_status_code=400)
@bp.response(200, BatchDetailSchema)
@errors(400, 404)
def show_bonds(args, batch_id):
    """一批专项债券：统计和列入的项目（金额、发行日期、已支出、是否闲置），以及申报该批次的项目"""
    batch = BondBatch.get_or_none(BondBatch.id == batch_id)
    if batch is None:
        abort(404, message="专项债券批次不存在")
    day = args.get("date") or today()
    scope = project_scope(g.api_user)
    entries = batch_entries(batch, day, current_app.config["TRACKER"]["bonds"], scope)
    return {
        **_figures(day, batch)[0],
        "date": day,
        "entries": list(entries),
        "applications": list(batch_applications(batch, scope)),
    }
