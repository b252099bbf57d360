"""Issuing, answering and closing supervision orders (督办), and mailing an order to those who must answer."""

from tracker.accounts.models import User
from tracker.core.db import NumberTaken, with_next_number
from tracker.core.weeks import utc_now
from tracker.supervision.models import SupervisionOrder


class SupervisionError(ValueError):
    """The order cannot be issued or changed as asked; the message says why, in Chinese."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def issue_order(project, user, reason, demand, reply_deadline, problem=None, now=None):
    """Issue the next numbered order of the year; the caller queues its mail in the same transaction."""
    now = now or utc_now()
    reason, demand = (reason or "").strip(), (demand or "").strip()
    if not reason:
        raise SupervisionError("请写明督办事由", "reason")
    if reply_deadline <= now.date():
        raise SupervisionError("回复时限应晚于今天", "reply_deadline")
    if problem is not None and problem.project_id != project.id:
        raise SupervisionError("督办的问题不属于该项目", "problem")

    def write(seq):
        return SupervisionOrder.create(
            year=now.year,
            seq=seq,
            project=project,
            problem=problem,
            reason=reason,
            demand=demand,
            reply_deadline=reply_deadline,
            unit=project.project_unit,
            department=problem.department if problem else project.lead_department,
            issued_by=user,
            issued_at=now,
        )

    try:
        return with_next_number(SupervisionOrder, now.year, write)
    except NumberTaken as e:
        raise SupervisionError("督办编号分配冲突，请稍后重试") from e


def reply_to_order(order, user, text, now=None):
    """Record the reply; one after the deadline is kept, and marked late."""
    text = (text or "").strip()
    if not text:
        raise SupervisionError("请填写回复内容", "reply")
    changed = (
        SupervisionOrder.update(reply=text, replied_by=user, replied_at=now or utc_now(), status="replied")
        .where((SupervisionOrder.id == order.id) & (SupervisionOrder.status == "issued"))
        .execute()
    )
    if changed != 1:
        raise SupervisionError("该督办已回复或已办结")
    return SupervisionOrder.get_by_id(order.id)


def close_order(order, user, now=None):
    """Close (办结) a replied order."""
    changed = (
        SupervisionOrder.update(status="closed", closed_by=user, closed_at=now or utc_now())
        .where((SupervisionOrder.id == order.id) & (SupervisionOrder.status == "replied"))
        .execute()
    )
    if changed != 1:
        raise SupervisionError("只有已回复的督办可以办结")
    return SupervisionOrder.get_by_id(order.id)


def queue_order_mail(order, config, now=None):
    """Queue the order's email to the project's unit and the department, once, through the outbox.

    The order's mail is a run of its own (cycle "supervision", period 2026-3),
    so the office follows and re-sends it on the mail page like any cycle's.
    """
    from tracker.cycles.runs import CycleRun, worker_id
    from tracker.mail.compose import make_message
    from tracker.mail.outbox import enqueue

    now = now or utc_now()
    run, _ = CycleRun.get_or_create(
        cycle="supervision",
        period=order.period,
        defaults={"state": "sending", "claimed_by": worker_id(), "lease_until": now, "started_at": now},
    )
    context = {"order": order, "project": order.project, "base_url": config["web"]["base_url"]}
    for name, address in _order_recipients(order):
        message = make_message("supervision-order", (name, address), {**context, "recipient": {"name": name}}, config)
        enqueue(run, "supervision_order", address, name, message)
    return run


def _order_recipients(order):
    """(name, address) of the project's responsible person, the department's active users and the office."""
    project = order.project
    recipients = {}
    contact = project.contact_email
    if contact:
        recipients[contact] = f"{project.project_unit} {project.responsible_person}"
    department = (User.role == "department") & (User.department == order.department)
    users = User.select().where(
        (department | (User.role == "office")) & (User.active == True) & (User.email != "")  # noqa: E712
    )
    for user in users.order_by(User.role, User.id):
        recipients.setdefault(user.email, f"{user.department or '领导小组办公室'} {user.label}")
    return [(name, address) for address, name in recipients.items()]
