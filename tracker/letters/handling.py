"""Registering, transferring, answering, reminding (催办), closing (办结) and re-checking (回头看) letters,
each change kept as a dated event; and the ledger's filters and export."""

import datetime as dt

from peewee import Case

from tracker.core.db import db
from tracker.core.weeks import utc_now
from tracker.letters.models import CHANNELS, LETTER_LEVELS, LETTER_STATES, UNANSWERED, UNIT_KINDS, Letter, LetterEvent
from tracker.projects.models import ListEntry

# The ledger's filters: the page's filter bar, the export and the API's query string.
FILTERS = ("level", "status", "unit", "overdue")


class LetterError(ValueError):
    """A letter cannot be registered or change as asked; the message says why (in Chinese)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def units():
    """{unit name: kind}: the managed departments (User.department's names) and counties a letter may go to."""
    return {name: kind for kind in UNIT_KINDS for name in ListEntry.names(kind)}


def register_letter(values, user, reply_days, today, now=None):
    """Register a letter and transfer it to its unit; its deadline is ``reply_days`` after the transfer
    unless ``values`` names one. ``today`` is the city's date (not UTC's: they differ until 08:00 in
    China), the transfer's when none is given. Returns the letter."""
    now = now or utc_now()
    summary = (values.get("summary") or "").strip()
    if not summary:
        raise LetterError("请填写信访事项摘要", "summary")
    if values.get("level") not in LETTER_LEVELS:
        raise LetterError("请选择来源级别", "level")
    if values.get("channel") not in CHANNELS:
        raise LetterError("请选择来信来访方式", "channel")
    unit_kind = _unit_kind(values.get("unit"))
    person = (values.get("person_in_charge") or "").strip()
    if not person:
        raise LetterError("请指定承办专人", "person_in_charge")
    transferred_on = values.get("transferred_on") or today
    if transferred_on < values["received_on"]:
        raise LetterError("转办日期不能早于收到日期", "transferred_on")
    deadline = values.get("deadline") or transferred_on + dt.timedelta(days=reply_days)
    with db.atomic():
        letter = Letter.create(
            level=values["level"],
            channel=values["channel"],
            received_on=values["received_on"],
            transferred_on=transferred_on,
            summary=summary,
            complainant_name=(values.get("complainant_name") or "").strip(),
            complainant_phone=(values.get("complainant_phone") or "").strip(),
            unit_kind=unit_kind,
            unit=values["unit"],
            person_in_charge=person,
            deadline=deadline,
            registered_by=user,
            registered_at=now,
        )
        _event(letter, "registered", user, summary, now)
    return letter


def _unit_kind(unit):
    kind = units().get(unit)
    if kind is None:
        raise LetterError("承办单位应为部门名单或县区名单中的名称", "unit")
    return kind


def transfer_letter(letter, user, unit, person, deadline, now=None):
    """改转办: send an unanswered letter to another unit (or person, or deadline)."""
    if letter.status not in UNANSWERED:
        raise LetterError("只有待答复的信访件可以改转办")
    letter.unit_kind, letter.unit = _unit_kind(unit), unit
    letter.person_in_charge = (person or "").strip() or letter.person_in_charge
    letter.deadline = deadline or letter.deadline
    return _change(letter, "transferred", user, f"转至 {unit}（{letter.person_in_charge}）", now)


def reply_to_letter(letter, user, text, today, now=None):
    """The unit's reply (答复) on ``today``, the city's date; one after the deadline is kept like any other."""
    text = (text or "").strip()
    if not text:
        raise LetterError("请填写答复内容", "text")
    if letter.status not in UNANSWERED:
        raise LetterError("该信访件已答复或已办结")
    letter.status, letter.reply, letter.replied_on = "replied", text, today
    return _change(letter, "reply", user, text, now)


def remind_letter(letter, user, day, now=None):
    """催办 an overdue letter: an event on its record."""
    if not letter.overdue_on(day):
        raise LetterError(f"未超过办结时限（{letter.deadline}）或已答复，无需催办")
    return _change(letter, "reminder", user, f"逾期 {(day - letter.deadline).days} 天，催办", now)


def close_letter(letter, user, now=None):
    """办结 a replied letter."""
    if letter.status != "replied":
        raise LetterError("只有已答复的信访件可以办结")
    letter.status = "closed"
    return _change(letter, "closed", user, "办结", now)


def reopen_letter(letter, user, reason, deadline, today, now=None):
    """回头看: a closed letter found not truly resolved goes back to its unit, with the reason and a new deadline."""
    reason = (reason or "").strip()
    if not reason:
        raise LetterError("请写明重新办理的理由", "reason")
    if letter.status != "closed":
        raise LetterError("只有已办结的信访件可以回头看重新办理")
    if deadline <= today:
        raise LetterError("新的办结时限应晚于今天", "deadline")
    letter.status, letter.deadline = "transferred", deadline
    return _change(letter, "reopened", user, reason, now)


def _change(letter, kind, user, text, now):
    with db.atomic():
        letter.save()
        _event(letter, kind, user, text, now or utc_now())
    return letter


def _event(letter, kind, user, text, at):
    LetterEvent.create(
        letter=letter,
        kind=kind,
        user=user,
        text=text,
        status=letter.status,
        unit=letter.unit,
        deadline=letter.deadline,
        at=at,
    )


def overdue(day):
    """Unanswered and past its deadline on ``day`` (the letter as it is now)."""
    return Letter.status.in_(UNANSWERED) & (Letter.deadline < day)


def ledger(visible, args, day):
    """``visible`` (a query over Letter) cut down by the FILTERS in ``args``: unanswered first, soonest due first.

    Raises LetterError on a level or status that names nothing.
    """
    condition = Letter.id.is_null(False)
    for name, choices, column in (("level", LETTER_LEVELS, Letter.level), ("status", LETTER_STATES, Letter.status)):
        if name in args:
            if args[name] not in choices:
                raise LetterError(f"未知的筛选条件 {args[name]}", name)
            condition &= column == args[name]
    if "unit" in args:
        condition &= Letter.unit == args["unit"]
    if args.get("overdue") in ("1", True):
        condition &= overdue(day)
    unanswered_first = Case(None, [(Letter.status.in_(UNANSWERED), 0)], 1)
    return visible.where(condition).order_by(unanswered_first, Letter.deadline, Letter.id)


# The export's columns: (header, value of a letter); the complainant's only for those who may see them.
COLUMNS = (
    ("来源级别", lambda x: LETTER_LEVELS[x.level]),
    ("方式", lambda x: CHANNELS[x.channel]),
    ("收到日期", lambda x: x.received_on),
    ("转办日期", lambda x: x.transferred_on),
    ("信访事项摘要", lambda x: x.summary),
    ("承办单位", lambda x: x.unit),
    ("承办专人", lambda x: x.person_in_charge),
    ("办结时限", lambda x: x.deadline),
    ("状态", lambda x: LETTER_STATES[x.status]),
    ("答复", lambda x: x.reply),
    ("答复日期", lambda x: x.replied_on),
)
COMPLAINANT_COLUMNS = (("信访人", lambda x: x.complainant_name), ("联系电话", lambda x: x.complainant_phone))


def ledger_workbook(letters, with_complainant, day):
    """The ledger (信访件台账) as .xlsx bytes: one row a letter, the complainant only ``with_complainant``."""
    from tracker.core import xlsx

    columns = (*COLUMNS, *COMPLAINANT_COLUMNS) if with_complainant else COLUMNS
    book = xlsx.new_workbook()
    sheet = book.active
    sheet.title = "信访件台账"
    xlsx.append_title(sheet, f"来信来访转办件台账（截至 {day}）", across=len(columns) + 1)
    header = ["序号", *(label for label, _ in columns)]
    xlsx.append_header(sheet, header)
    rows = [[n, *(value(letter) for _, value in columns)] for n, letter in enumerate(letters, 1)]
    for row in rows:
        xlsx.append_row(sheet, row, wrap=True)
    xlsx.fit_columns(sheet, [header, *rows])
    xlsx.freeze_panes(sheet, 2)
    return xlsx.to_bytes(book)
