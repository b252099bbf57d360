"""The API's outbox (发送记录): every message the cycles and orders queued, what became of it, and queueing a
failed one again (领导小组办公室). Resending goes through the outbox's own claim, so it is still sent once."""

from flask import g
from flask_smorest import abort
from marshmallow import fields, validate

from tracker.api.base import bp, errors, page_of, page_schema
from tracker.api.schemas import PagingSchema, Schema, UtcDateTime, choice
from tracker.cycles.runs import RUN_KINDS
from tracker.mail.outbox import KINDS, OUTBOX_STATES, Outbox, resend
from tracker.web.access import can, refuse
from tracker.web.listing import MAX_ROW_ID

REFUSAL = "只有领导小组办公室可以查看发送记录和重新发送"


class DeliveryQuerySchema(PagingSchema):
    run = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ROW_ID, error="run 应为调度运行的 id"),
        error_messages={"invalid": "run 应为调度运行的 id"},
        metadata={"description": "只看某次调度运行的"},
    )
    state = choice("发送状态", OUTBOX_STATES)


class DeliverySchema(Schema):
    id = fields.Integer()
    run = fields.Function(
        lambda row: {"id": row.run.id, "cycle": row.run.cycle, "period": row.run.period},
        metadata={"description": "所属调度运行：id、周期（" + "、".join(RUN_KINDS) + "）和期次"},
    )
    kind = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in KINDS.items())})
    recipient = fields.String(metadata={"description": "收件地址"})
    recipient_name = fields.String()
    subject = fields.String()
    state = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in OUTBOX_STATES.items())})
    attempts = fields.Integer(metadata={"description": "已尝试发送次数"})
    last_error = fields.String(metadata={"description": "最近一次失败的原因"})
    created_at = UtcDateTime()
    sent_at = UtcDateTime(allow_none=True)


DeliveryPageSchema = page_schema(DeliverySchema)


def _allowed():
    if not can(g.api_user, "see_mail"):
        refuse("see_mail", REFUSAL)


def _row(delivery_id):
    row = Outbox.listing().where(Outbox.id == delivery_id).first()
    if row is None:
        abort(404, message="没有这条发送记录")
    return row


@bp.get("/deliveries")
@bp.arguments(DeliveryQuerySchema, location="query", error_status_code=400)
@bp.response(200, DeliveryPageSchema)
@errors(400, 403)
def list_deliveries(args):
    """发送记录：各周期和督办排队的每封消息及其状态，最新的在前，可按调度运行和状态筛选，分页（领导小组办公室）"""
    _allowed()
    query = Outbox.listing(run_id=args.pop("run", None), state=args.pop("state", None))
    return page_of(query, args)


@bp.get("/deliveries/<int:delivery_id>")
@bp.response(200, DeliverySchema)
@errors(403, 404)
def show_delivery(delivery_id):
    """一条发送记录（领导小组办公室）"""
    _allowed()
    return _row(delivery_id)


@bp.post("/deliveries/<int:delivery_id>/resend")
@bp.response(200, DeliverySchema)
@errors(403, 404, 409)
def resend_delivery(delivery_id):
    """重新发送（领导小组办公室）：已失败或已发送的消息重新排队，下一轮发送；仍在排队或正在发送的 409"""
    _allowed()
    row = _row(delivery_id)
    if not resend(row):
        abort(409, message="这封邮件已在排队或正在发送，无需重新发送")
    return _row(delivery_id)
