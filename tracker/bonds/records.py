"""Keeping the bond records: batches, a project's entry in a batch, its spending, and the applications.

The callers (pages, API) check access first and run these inside ``db.atomic()``;
what the records refuse is a BondError naming the form field it concerns."""

from peewee import IntegrityError

from tracker.bonds.models import APPLICATION_STATES, BondApplication, BondBatch, BondEntry, BondSpending, batch_name
from tracker.core.db import db
from tracker.core.money import money, money_sum


class BondError(ValueError):
    """A bond record that cannot be saved, with the field it concerns (None: the whole form)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def save_batch(batch, year, number, listed_on):
    """Create (``batch`` None) or change a batch; two batches of a year cannot share a number."""
    batch = batch or BondBatch()
    batch.year, batch.number, batch.listed_on = year, number, listed_on
    return _saved(batch, f"{batch_name(year, number)}已存在", "number")


def _saved(row, taken, field):
    """Save ``row``; a BondError saying ``taken`` on ``field`` when a unique key refuses it."""
    try:
        with db.atomic():
            row.save()
    except IntegrityError as e:
        raise BondError(taken, field) from e
    return row


def _spent(entry):
    return entry.spendings.select(money_sum(BondSpending.amount)).scalar() or 0


def save_entry(entry, batch, project, amount, issued_on):
    """Create (``entry`` None) or change a project's entry in ``batch``; one entry per project and batch."""
    if entry is not None:
        first = entry.spendings.order_by(BondSpending.spent_on).first()
        spent = _spent(entry)
        if first and (issued_on is None or issued_on > first.spent_on):
            raise BondError(f"已有 {first.spent_on} 的支出记录，发行日期不能晚于它", "issued_on")
        if amount < spent:
            raise BondError(f"已支出 {money(spent)}，债券金额不能少于已支出", "amount")
    entry = entry or BondEntry(batch=batch, project=project)
    entry.amount, entry.issued_on = amount, issued_on
    return _saved(entry, f"该项目已列入{batch.name}", "project")


def record_spending(entry, spent_on, amount, note=""):
    """A dated spending of ``entry``'s money: after its issue, and no more than is left."""
    if entry.issued_on is None:
        raise BondError("债券资金尚未发行到位，不能登记支出", "spent_on")
    if spent_on < entry.issued_on:
        raise BondError(f"支出日期不能早于发行日期 {entry.issued_on}", "spent_on")
    spent = _spent(entry)
    if spent + amount > entry.amount:
        raise BondError(f"支出合计不能超过债券金额：剩余 {money(entry.amount - spent)}", "amount")
    return BondSpending.create(entry=entry, spent_on=spent_on, amount=amount, note=note)


def save_application(application, batch, project, amount, status, submitted_on, decided_on):
    """Create (``application`` None) or change an application (申报) for ``batch``, its dates agreeing with its status."""
    if status not in APPLICATION_STATES:
        raise BondError("申报状态应为：" + "、".join(APPLICATION_STATES.values()), "status")
    if status != "preparing" and submitted_on is None:
        raise BondError("已申报的项目请填写申报日期", "submitted_on")
    if status in ("approved", "rejected") and decided_on is None:
        raise BondError("请填写入选结果的日期", "decided_on")
    if submitted_on and decided_on and decided_on < submitted_on:
        raise BondError("结果日期不能早于申报日期", "decided_on")
    application = application or BondApplication(batch=batch, project=project)
    application.amount, application.status = amount, status
    application.submitted_on = submitted_on if status != "preparing" else None
    application.decided_on = decided_on if status in ("approved", "rejected") else None
    return _saved(application, f"该项目已申报{batch.name}", "project")
