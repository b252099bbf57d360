"""Importing the project list (包抓清单) from the sheet offices keep.

sheet_reading reads the sheet (any published layout) into parsed rows; every
row is checked with registry.check_project before anything is written, then
the whole list is written through registry.save_projects, in one transaction.
sheet_export writes a list that imports back unchanged. No Flask here: the web
view, the command line and the tests share import_project_list."""

from decimal import ROUND_HALF_UP, Decimal

from peewee import IntegrityError

from tracker.accounts.models import LeadOfficial
from tracker.projects.registry import FIELD_LABELS, PROJECT_FIELDS, Entry, check_project, save_projects
from tracker.projects.sheet_reading import SheetError, read_project_list
from tracker.projects.sheet_values import AMOUNT_FIELDS

# Fields read from numbers, dates or words: sheet_reading reports a cell it could not read.
TYPED_FIELDS = ("kind", *AMOUNT_FIELDS, "start_deadline")


def import_project_list(fileobj, user, config):
    """Import the project list in ``fileobj`` (.xlsx) and return a registry.SaveResult.

    Projects are matched by code: known codes are updated (and restored if
    archived), new codes created. Raises SheetError naming every bad row;
    then nothing is written.
    """
    rows = read_project_list(fileobj).rows
    if not rows:
        raise SheetError(["表中没有项目行"])
    officials = {name for (name,) in LeadOfficial.select(LeadOfficial.name).tuples()}
    problems = _problems(rows, officials)
    if problems:
        raise SheetError(problems)
    try:
        return save_projects([Entry(_values(row), row.planned) for row in rows], user, config["milestones"])
    except IntegrityError as e:
        # Someone changed the list between our check and our write (a code, a leader, an account).
        raise SheetError(["导入期间清单数据被他人同时修改，未导入任何数据，请重新导入"]) from e


def _values(row):
    """The registry's fields of a read row: a column the sheet lacks is empty, a kind new, money whole 万元."""
    values = {f: row.values.get(f, "") for f in PROJECT_FIELDS}
    values["kind"] = row.values.get("kind") or "new"
    values["start_deadline"] = row.values.get("start_deadline")
    for f in AMOUNT_FIELDS:
        amount = row.values.get(f)
        values[f] = int(amount.quantize(Decimal(1), ROUND_HALF_UP)) if isinstance(amount, Decimal) else amount
    return values


def _problems(rows, officials):
    """Every problem of every row, each as “第7行：开工时限不能为空”."""
    first_row_of = {}
    problems = []
    for row in rows:
        values = _values(row)
        code = values["code"]
        first = first_row_of.setdefault(code, row.number) if code else row.number
        errors = check_project(values, officials)
        # A typed cell that could not be read is among the reading's problems already.
        unread = {f for f in TYPED_FIELDS if isinstance(row.values.get(f), str) and f in errors}
        messages = [*row.problems]
        messages += [_message(f, errors[f]) for f in sorted(errors.keys() - unread, key=_field_order)]
        if first != row.number:
            messages.append(f"项目编号 {code} 与第{first}行重复")
        problems += [f"第{row.number}行：{m}" for m in messages]
    return problems


def _field_order(name):
    return PROJECT_FIELDS.index(name) if name in PROJECT_FIELDS else len(PROJECT_FIELDS)


def _message(name, message):
    # check_project's short messages (“不能为空”) need the column as their subject.
    if message.startswith(("不能", "应为")):
        message = FIELD_LABELS.get(name, name) + message
    return message
