"""Supervision orders (督办) in the UI: the inspector issues them, units and departments reply, both follow up."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.core.db import db
from tracker.problems.models import Problem
from tracker.projects.models import Project
from tracker.supervision.forms import OrderReplyForm, SupervisionForm
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
from tracker.web.access import can, refuse, require, visible_orders
from tracker.web.audit import audit
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, id_arg, today

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


def _order(order_id):
    order = visible_orders(current_user).where(SupervisionOrder.id == order_id).first()
    if order is None:
        abort(404 if SupervisionOrder.get_or_none(SupervisionOrder.id == order_id) is None else 403)
    return order


@bp.get("/")
@login_required
def index():
    status = request.args.get("status", "")
    overdue = bool(request.args.get("overdue"))
    query = order_list(visible_orders(current_user), status if status in ORDER_STATES else None, overdue, today())
    return render_template(
        "supervision/index.html", page=Page(query), status=status, ORDER_STATES=ORDER_STATES, today=today()
    )


@bp.get("/<int:order_id>")
@login_required
def show(order_id):
    return _order_page(_order(order_id))


def _order_page(order, form=None, status=200):
    context = {
        "order": order,
        "form": form or OrderReplyForm(),
        "confirm": ConfirmForm(),
        "may_reply": order.status == "issued" and can(current_user, "answer_order", order),
        "may_close": order.status == "replied" and can(current_user, "supervise"),
        "may_remind": order.overdue_on(today()) and order.status == "issued" and can(current_user, "remind_orders"),
        "reminders": list(order.reminders.order_by(OrderReminder.seq)),
        "ORDER_STATES": ORDER_STATES,
        "today": today(),
    }
    return render_template("supervision/show.html", **context), status


@bp.route("/new", methods=["GET", "POST"])
@require("supervise")
def new():
    """Issue an order on a project (``?project=CODE``), or on one of its problems (``&problem=ID``)."""
    project = Project.get_or_none(Project.code == request.args.get("project", "")) or abort(404)
    problem = None
    if problem_id := id_arg("problem"):
        problem = Problem.get_or_none((Problem.id == problem_id) & (Problem.project == project)) or abort(404)
    form = SupervisionForm()
    if form.validate_on_submit():
        try:
            with db.atomic():
                order = issue_order(
                    project,
                    current_user.id,
                    form.reason.data,
                    form.demand.data,
                    form.reply_deadline.data,
                    today(),
                    problem,
                )
                queue_order_mail(order, current_app.config["TRACKER"])
                audit("order_issued", order=order.number, project=project.code)
        except SupervisionError as e:
            if e.field in form:
                form[e.field].errors.append(str(e))
            else:
                flash(str(e), "error")
        else:
            flash(f"已下发 {order.number}，督办通知将发送至项目单位和责任部门", "success")
            return redirect(url_for("supervision.show", order_id=order.id))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("supervision/new.html", form=form, project=project, problem=problem), status


@bp.post("/<int:order_id>/reply")
@login_required
def reply(order_id):
    order = _order(order_id)
    if not can(current_user, "answer_order", order):
        refuse("answer_order")
    form = OrderReplyForm()
    if not form.validate_on_submit():
        return _order_page(order, form, 422)
    try:
        replied = reply_to_order(order, current_user._get_current_object(), form.reply.data)
    except SupervisionError as e:
        flash(str(e), "error")
        return _order_page(order, form, 409)
    flash(f"已回复 {order.number}" + ("（已超过回复时限，记为逾期回复）" if replied.late else ""), "success")
    return redirect(url_for("supervision.show", order_id=order.id))


@bp.post("/<int:order_id>/remind")
@require("remind_orders")
def remind(order_id):
    """催办: mail the unit and the department again about an overdue order; refused, saying why, when not due."""
    order = _order(order_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.atomic():
            reminder = remind_order(order, current_user._get_current_object(), current_app.config["TRACKER"])
            audit("order_reminded", order=order.number, project=order.project.code)
    except SupervisionError as e:
        flash(str(e), "error")
        return _order_page(order, status=409)
    flash(f"已催办 {order.number}（第 {reminder.seq} 次），催办通知将发送至项目单位和责任部门", "success")
    return redirect(url_for("supervision.show", order_id=order.id))


@bp.post("/<int:order_id>/close")
@require("supervise")
def close(order_id):
    order = _order(order_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.atomic():
            close_order(order, current_user._get_current_object())
            audit("order_closed", order=order.number, project=order.project.code)
    except SupervisionError as e:
        flash(str(e), "error")
        return _order_page(order, status=409)
    flash(f"{order.number} 已办结", "success")
    return redirect(url_for("supervision.show", order_id=order.id))
