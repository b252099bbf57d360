"""Importing the list of enterprises above designated size (规上工业企业名单): read, plan, preview, apply.

Real lists have title rows, sections (一、东城区（20户）), totals rows (合计), notes, merged cells, and
often no credit codes. The sheets are streamed by tracker.projects.sheet_reading (merges filled, hidden
sheets skipped) and headers matched the way it matches them (header_key); a section naming a listed
county gives that county to the rows under it that lack one. Each row is matched to a listed enterprise
by its credit code, else by its name (name_key). The county and the department in charge must be on the
managed lists (a near spelling, 南湖 for 南湖县, takes the listed name). One bad row and nothing is written;
the confirmation writes the whole plan in one transaction, if it is still the plan the preview showed."""

import hashlib
import re
from dataclasses import dataclass, field

from tracker.core.db import db
from tracker.core.xlsx import cell_text
from tracker.enterprises.models import Enterprise
from tracker.projects.list_names import near_duplicate
from tracker.projects.sheet_reading import (
    HEADER_SCAN_ROWS,
    NOTE,
    SECTION_LEVELS,
    TOTAL,
    SheetError,
    filled_rows,
    header_key,
    name_key,
    visible_sheets,
)

FIELDS = ("name", "credit_code", "county", "industry_chain", "department", "contact", "phone")


LABELS = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "county": "县区",
    "industry_chain": "行业/产业链",
    "department": "行业主管部门",
    "contact": "联系人",
    "phone": "联系电话",
}


# Header spellings, after header_key; "serial" is the 序号 column.
ALIASES = {
    "serial": ("序号",),
    "name": ("企业名称", "单位名称", "企业", "名称", "企业全称"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "county": ("县区", "所在县区", "县(区)", "区县", "属地", "所属县区"),
    "industry_chain": ("产业链", "所属产业链", "行业", "所属行业", "行业类别"),
    "department": ("行业主管部门", "主管部门", "责任部门", "包抓部门"),
    "contact": ("联系人", "企业联系人"),
    "phone": ("联系电话", "电话", "手机", "联系方式"),
}
HEADER_KEYS = {header_key(alias): key for key, aliases in ALIASES.items() for alias in aliases}


CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")


@dataclass
class RosterRow:
    sheet: str
    number: int
    values: dict


@dataclass
class Roster:
    """What was read: the rows, and what a preview should say (skipped sheets, rows read as sections)."""

    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)


@dataclass
class Planned:
    row: RosterRow
    enterprise: Enterprise | None
    changes: dict  # field -> (old, new)


@dataclass
class RosterPlan:
    roster: Roster
    planned: list

    @property
    def created(self):
        return [p for p in self.planned if p.enterprise is None]

    @property
    def changed(self):
        return [p for p in self.planned if p.enterprise is not None and p.changes]

    @property
    def fingerprint(self):
        """A digest of what the plan writes: the confirmation applies the plan the office saw, or none."""
        digest = hashlib.sha256()
        for p in self.planned:
            digest.update(repr((p.row.number, p.enterprise and p.enterprise.id, sorted(p.changes.items()))).encode())
        return digest.hexdigest()[:32]


def read_roster(fileobj):
    """Every enterprise row of the visible sheets of the .xlsx in ``fileobj``; SheetError if none has a header."""
    roster = Roster()
    for sheet, ranges in visible_sheets(fileobj, roster.notes):
        _read_sheet(sheet, ranges, roster)
    if not roster.rows:
        raise SheetError([f"找不到企业名单：表头应包含{LABELS['name']}列，其下至少一行企业", *roster.notes])
    return roster


def _read_sheet(sheet, ranges, roster):
    columns, section_county = None, ""
    for number, cells, copies in filled_rows(sheet, ranges):
        if columns is None:
            if number > HEADER_SCAN_ROWS:
                roster.notes.append(f"《{sheet.title}》：找不到表头行")
                return
            keys = {HEADER_KEYS.get(header_key(v)): c for c, v in reversed(list(enumerate(cells)))}
            if "name" in keys:
                columns = {key: c for key, c in keys.items() if key}
            continue
        texts = [cell_text(v) for c, v in enumerate(cells) if c not in copies and cell_text(v)]
        values = {key: cell_text(cells[c]) for key, c in columns.items() if c < len(cells)}
        first = re.sub(r"\s+", "", texts[0])
        serial = values.pop("serial", "")
        if TOTAL.match(first) or NOTE.match(first):
            continue
        heading = next((m for p in SECTION_LEVELS if (m := p.fullmatch(first))), None)
        if heading and not serial.isdigit() and len(set(texts)) == 1:
            section = re.sub(r"[(（].*$", "", heading["name"]).strip()
            section_county = _listed("county", section) or ""
            roster.notes.append(f"《{sheet.title}》第{number}行：分组“{first}”")
            continue
        if section_county and not values.get("county"):
            values["county"] = section_county
        roster.rows.append(RosterRow(sheet.title, number, values))


def _listed(kind, name):
    entry = near_duplicate(kind, name) if name else None
    return entry.name if entry is not None else None


def plan_roster(roster):
    """The RosterPlan of ``roster`` against the enterprises listed now; SheetError naming every bad row."""
    by_code = {e.credit_code: e for e in Enterprise.select() if e.credit_code}
    by_name = {name_key(e.name): e for e in Enterprise.select()}
    planned, problems, seen = [], [], {}
    for row in roster.rows:
        values, messages = _checked(row.values)
        key = values.get("credit_code") or name_key(values.get("name", ""))
        if key in seen:
            messages.append(f"与第{seen[key]}行是同一家企业")
        seen.setdefault(key, row.number)
        problems += [f"《{row.sheet}》第{row.number}行：{m}" for m in messages]
        enterprise = by_code.get(values.get("credit_code")) or by_name.get(name_key(values.get("name", "")))
        row = RosterRow(row.sheet, row.number, values)
        changes = {}
        if enterprise is not None:
            changes = {
                f: (getattr(enterprise, f) or "", v) for f, v in values.items() if v and v != getattr(enterprise, f)
            }
        planned.append(Planned(row, enterprise, changes))
    if problems:
        raise SheetError(problems)
    return RosterPlan(roster, planned)


def _checked(read):
    """The row's values, county and department as listed, and what is wrong with them (in Chinese)."""
    values = {f: read.get(f, "").strip() for f in FIELDS if read.get(f, "").strip()}
    messages = [] if values.get("name") else [f"缺少{LABELS['name']}"]
    code = values.get("credit_code", "").upper()
    if code:
        values["credit_code"] = code
        if not CREDIT_CODE.fullmatch(code):
            messages.append(f"{LABELS['credit_code']}应为 18 位，收到“{code}”")
    for name, kind in (("county", "county"), ("department", "department")):
        given = values.get(name)
        if not given:
            messages.append(f"缺少{LABELS[name]}")
        elif (listed := _listed(kind, given)) is None:
            messages.append(f"{LABELS[name]}“{given}”不在名单中（名单由领导小组办公室维护）")
        else:
            values[name] = listed
    return values, messages


def apply_roster(plan, today):
    """Write the plan in one transaction: new enterprises listed from ``today``; return (created, updated)."""
    with db.atomic():
        for p in plan.created:
            Enterprise.create(**p.row.values, listed_on=today)
        for p in plan.changed:
            Enterprise.update({f: new for f, (_, new) in p.changes.items()}).where(
                Enterprise.id == p.enterprise.id
            ).execute()
    return len(plan.created), len(plan.changed)


class PlanChanged(Exception):
    """The enterprises changed since the preview; ``plan`` is the new one."""

    def __init__(self, plan):
        super().__init__("预览之后企业名单已被他人修改，请核对新的预览后再次确认")
        self.plan = plan


def confirm_roster(staging, staged, fingerprint, today):
    """Apply the staged roster if its plan is still the one previewed; return the plan and (created, updated)."""
    plan = plan_roster(staged.reading)
    if plan.fingerprint != fingerprint:
        raise PlanChanged(plan)
    counts = apply_roster(plan, today)
    staging.discard(staged)
    return plan, counts


EXPORT_HEADER = ("序号", *LABELS.values(), "复工复产状态", "状态日期")


def export_roster(rows, day):
    """The enterprises of ``rows`` (Enterprise.with_status(day), each with ``status`` and ``on``) as .xlsx bytes;
    the import reads it back."""
    from tracker.core import xlsx
    from tracker.enterprises.models import RESUMPTION_STATES

    body = [
        (n, *(getattr(e, f) or "" for f in FIELDS), RESUMPTION_STATES[e.status], e.on or "")
        for n, e in enumerate(rows, start=1)
    ]
    book = xlsx.new_workbook(write_only=True)
    sheet = book.create_sheet("规上工业企业")
    xlsx.fit_columns(sheet, [EXPORT_HEADER, *body])
    xlsx.freeze_panes(sheet, below_row=2, right_of_column=2)
    xlsx.append_title(sheet, f"规模以上工业企业复工复产情况（截至 {day.isoformat()}）")
    xlsx.append_header(sheet, EXPORT_HEADER)
    for row in body:
        xlsx.append_row(sheet, row)
    return xlsx.to_bytes(book)
