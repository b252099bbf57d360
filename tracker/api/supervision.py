"""The API's supervision orders (督办): listed and read within one's reach; issued, reminded (催办) and
closed by the inspector and the office; answered by the unit, the department or the office."""

from flask import current_app, g
from flask_smorest import abort
from marshmallow import fields

from tracker.api.base import bp, errors, overdue_flag, page_of, page_schema, reachable
from tracker.api.schemas import MAX_NAME, PagingSchema, Schema, ZuluDateTime, choice, date, text
from tracker.core.db import db
from tracker.problems.models import Problem
from tracker.supervision.models import ORDER_STATES, OrderReminder, SupervisionOrder
from tracker.supervision.orders import (
    SupervisionError,
    close_order,
    issue_order,
    order_list,
    queue_order_mail,
    remind_order,
    reply_to_order,
)
from tracker.web.access import can, refuse, visible_orders, visible_project
from tracker.web.audit import audit
from tracker.web.listing import today

REFUSALS = {
    "see": "只能查看本人项目、本县区或本部门的督办",
    "supervise": "只有纪委监委和领导小组办公室可以下发和办结督办",
    "remind_orders": "只有纪委监委和领导小组办公室可以催办",
    "answer_order": "只有项目责任人、责任部门和领导小组办公室可以回复督办",
}


class OrderQuerySchema(PagingSchema):
    status = choice("督办状态", ORDER_STATES)
    overdue = overdue_flag("只看已过回复时限仍未回复的")


class OrderInSchema(Schema):
    project = text("项目编号", MAX_NAME, required=True)
    problem = fields.Integer(
        strict=True,
        error_messages={"invalid": "问题应为问题台账中的问题编号（整数）"},
        metadata={"description": "督办该项目问题台账中的一个问题（可选）：问题的 id"},
    )
    reason = text("督办事由", required=True)
    demand = text("督办要求（需要做什么）")
    reply_deadline = date("回复时限（晚于今天）", required=True)


class OrderReplyInSchema(Schema):
    reply = text("办理情况回复", required=True)


class ReminderSchema(Schema):
    seq = fields.Integer(metadata={"description": "第几次催办"})
    sent_at = ZuluDateTime()


class OrderSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "督办编号，如 督办〔2026〕3号"})
    project = fields.Function(lambda o: {"code": o.project.code, "name": o.project.name})
    problem = fields.Integer(attribute="problem_id", allow_none=True, metadata={"description": "督办的问题 id"})
    reason = fields.String()
    demand = fields.String()
    reply_deadline = fields.Date()
    unit = fields.String(metadata={"description": "项目单位"})
    department = fields.String(metadata={"description": "责任部门"})
    status = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in ORDER_STATES.items())})
    issued_at = ZuluDateTime()
    reply = fields.String()
    replied_at = ZuluDateTime(allow_none=True)
    late = fields.Boolean(metadata={"description": "超过回复时限后才回复"})
    closed_at = ZuluDateTime(allow_none=True)


class OrderDetailSchema(OrderSchema):
    reminders = fields.Function(
        lambda o: ReminderSchema(many=True).dump(o.reminders.order_by(OrderReminder.seq)),
        metadata={"description": "催办记录"},
    )


OrderPageSchema = page_schema(OrderSchema)


def _order(order_id, action="see"):
    """The order if the API user may take ``action`` on it: 404 when there is none, else 403."""
    order = visible_orders(g.api_user).where(SupervisionOrder.id == order_id).first()
    exists = order is not None or SupervisionOrder.get_or_none(SupervisionOrder.id == order_id) is not None
    return reachable(order, exists, action, REFUSALS, "督办不存在")


@bp.get("/orders")
@bp.arguments(OrderQuerySchema, location="query", error_status_code=400)
@bp.response(200, OrderPageSchema)
@errors(400)
def list_orders(args):
    """督办：最新的在前，可按状态和是否逾期筛选，分页；项目责任人和县区办公室只看到其项目的，责任部门只看到交给本部门的"""
    paging = {key: args.pop(key) for key in ("page", "per_page")}
    query = order_list(visible_orders(g.api_user), args.get("status"), args.get("overdue", False), today())
    return page_of(query, paging)


@bp.get("/orders/<int:order_id>")
@bp.response(200, OrderDetailSchema)
@errors(403, 404)
def show_order(order_id):
    """一份督办：事由、要求、回复时限、回复、催办记录"""
    return _order(order_id)


@bp.post("/orders")
@bp.arguments(OrderInSchema)
@bp.response(201, OrderDetailSchema)
@errors(400, 403, 404, 422)
def create_order(values):
    """下发督办（纪委监委、领导小组办公室）：针对一个项目或其一个问题；督办通知发送至项目单位和责任部门"""
    if not can(g.api_user, "supervise"):
        refuse("supervise", REFUSALS["supervise"])
    project = visible_project(g.api_user, values["project"])
    problem = None
    if "problem" in values:
        problem = Problem.get_or_none((Problem.id == values["problem"]) & (Problem.project == project))
        if problem is None:
            abort(404, message="该项目没有这个问题", field="problem")
    try:
        with db.atomic():
            order = issue_order(
                project,
                g.api_user.id,
                values["reason"],
                values.get("demand", ""),
                values["reply_deadline"],
                today(),
                problem,
            )
            queue_order_mail(order, current_app.config["TRACKER"])
            audit("order_issued", order=order.number, project=project.code)
    except SupervisionError as e:
        abort(422, message=str(e), field=e.field)
    return order


@bp.post("/orders/<int:order_id>/reply")
@bp.arguments(OrderReplyInSchema)
@bp.response(200, OrderDetailSchema)
@errors(400, 403, 404, 409, 422)
def reply_order(values, order_id):
    """回复督办（项目责任人、责任部门、领导小组办公室）；超过时限的回复记为逾期回复；已回复或已办结的 409"""
    order = _order(order_id, "answer_order")
    if not values["reply"].strip():
        abort(422, message="请填写回复内容", field="reply")
    try:
        return reply_to_order(order, g.api_user, values["reply"])
    except SupervisionError as e:
        abort(409, message=str(e))


@bp.post("/orders/<int:order_id>/reminders")
@bp.response(201, OrderDetailSchema)
@errors(403, 404, 409)
def remind(order_id):
    """催办一份逾期未回复的督办（纪委监委、领导小组办公室），每 24 小时至多一次；不到时候或已回复的 409"""
    order = _order(order_id, "remind_orders")
    try:
        with db.atomic():
            remind_order(order, g.api_user, current_app.config["TRACKER"])
            audit("order_reminded", order=order.number, project=order.project.code)
    except SupervisionError as e:
        abort(409, message=str(e))
    return order


@bp.post("/orders/<int:order_id>/closure")
@bp.response(200, OrderDetailSchema)
@errors(403, 404, 409)
def close(order_id):
    """办结督办（纪委监委、领导小组办公室）：只有已回复的督办可以办结（否则 409）"""
    order = _order(order_id, "supervise")
    try:
        with db.atomic():
            closed = close_order(order, g.api_user)
            audit("order_closed", order=order.number, project=order.project.code)
    except SupervisionError as e:
        abort(409, message=str(e))
    return closed
