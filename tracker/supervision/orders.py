"""Issuing, answering, reminding (催办) and closing supervision orders (督办), and mailing those who must answer."""

import datetime as dt
import zoneinfo

from peewee import IntegrityError

from tracker.accounts.models import User
from tracker.core.db import NumberTaken, db, with_next_number
from tracker.core.weeks import city_date, utc_now
from tracker.supervision.models import REMINDER_INTERVAL, OrderReminder, SupervisionOrder


class SupervisionError(ValueError):
    """The order cannot be issued or changed as asked; the message says why, in Chinese."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def issue_order(project, user, reason, demand, reply_deadline, today, problem=None, now=None):
    """Issue the next numbered order of the year of ``today``, the city's date; the caller queues its mail in
    the same transaction."""
    now = now or utc_now()
    reason, demand = (reason or "").strip(), (demand or "").strip()
    if not reason:
        raise SupervisionError("请写明督办事由", "reason")
    if reply_deadline <= today:
        raise SupervisionError("回复时限应晚于今天", "reply_deadline")
    if problem is not None and problem.project_id != project.id:
        raise SupervisionError("督办的问题不属于该项目", "problem")

    def write(seq):
        return SupervisionOrder.create(
            year=today.year,
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
        return with_next_number(SupervisionOrder, today.year, write)
    except NumberTaken as e:
        raise SupervisionError("督办编号分配冲突，请稍后重试") from e


def order_list(visible, status, overdue, day):
    """``visible`` (a query over SupervisionOrder) in ``status`` if given, only those unanswered past
    their deadline on ``day`` if ``overdue``; newest first."""
    query = visible.order_by(SupervisionOrder.issued_at.desc(), SupervisionOrder.id.desc())
    if status is not None:
        query = query.where(SupervisionOrder.status == status)
    if overdue:
        query = query.where(SupervisionOrder.replied_at.is_null() & (SupervisionOrder.reply_deadline < day))
    return query


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


def remind_order(order, user, config, now=None):
    """催办: mail a reminder on an overdue, unanswered order, at most once per REMINDER_INTERVAL; return it.

    Raises SupervisionError saying why not. The reminder is numbered per
    order inside the transaction that queues its mail: two clicks at once
    meet at the unique (order, seq) and only one is sent.
    """
    now = now or utc_now()
    today = city_date(now, config["city"]["timezone"])
    if order.status != "issued":
        raise SupervisionError("该督办已回复或已办结，无需催办")
    if not order.overdue_on(today):
        raise SupervisionError(f"尚未超过回复时限（{order.reply_deadline:%Y年%-m月%-d日}），无需催办")
    last = order.reminders.order_by(OrderReminder.seq.desc()).first()
    if last is not None and now - last.sent_at < REMINDER_INTERVAL:
        zone = zoneinfo.ZoneInfo(config["city"]["timezone"])
        sent, again = (
            t.replace(tzinfo=dt.UTC).astimezone(zone) for t in (last.sent_at, last.sent_at + REMINDER_INTERVAL)
        )
        raise SupervisionError(f"已于 {sent:%-m月%-d日 %H:%M} 催办，{again:%-m月%-d日 %H:%M} 后才能再次催办")
    try:
        with db.atomic():
            reminder = OrderReminder.create(order=order, seq=(last.seq if last else 0) + 1, sent_by=user, sent_at=now)
            _queue_mail(order, config, now, "supervision-reminder", "supervision_reminder", reminder.period, today)
    except IntegrityError as e:
        raise SupervisionError("刚刚已有人催办，请勿重复催办") from e
    return reminder


def queue_order_mail(order, config, now=None):
    """Queue the order's email to the project's unit and the department, once, through the outbox.

    The order's mail is a run of its own (cycle "supervision", period 2026-3),
    so the office follows and re-sends it on the mail page like any cycle's;
    each reminder (催办) is another (period 2026-3-2).
    """
    now = now or utc_now()
    today = city_date(now, config["city"]["timezone"])
    return _queue_mail(order, config, now, "supervision-order", "supervision_order", order.period, today)


def _queue_mail(order, config, now, template, kind, period, today):
    from tracker.cycles.runs import CycleRun, worker_id
    from tracker.mail.compose import make_message
    from tracker.mail.outbox import enqueue

    run, _ = CycleRun.get_or_create(
        cycle="supervision",
        period=period,
        defaults={"state": "sending", "claimed_by": worker_id(), "lease_until": now, "started_at": now},
    )
    context = {
        "order": order,
        "project": order.project,
        "base_url": config["web"]["base_url"],
        "days_overdue": (today - order.reply_deadline).days,
    }
    for name, address in _order_recipients(order):
        message = make_message(template, (name, address), {**context, "recipient": {"name": name}}, config)
        enqueue(run, kind, address, name, message)
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
