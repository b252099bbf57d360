"""A batch's list in and out of Excel: importing the projects and amounts the NDRC lists, exporting its figures.

An import reads the first sheet: a header row naming 项目名称 or 项目代码, 金额 and
发行日期 (optional), then a row per project, matched by its code (ours or the national
one) or else its exact name. Every row is checked before anything is written: one bad
row and nothing is imported, every row's fault listed in Chinese."""

from collections import Counter
from dataclasses import dataclass

from tracker.bonds.models import BondEntry, entries_as_of
from tracker.bonds.records import BondError, save_entry
from tracker.core import xlsx
from tracker.core.money import percent, to_money
from tracker.projects.models import Project
from tracker.projects.sheet_values import parse_amount, parse_date, text_value

MAX_ROWS = 5_000
HEADER_SCAN_ROWS = 10

# column: the header words that name it (the first found in a header cell wins)
COLUMNS = {
    "code": ("项目代码", "项目编号", "代码"),
    "name": ("项目名称", "名称"),
    "amount": ("金额", "额度", "债券资金"),
    "issued_on": ("发行日期", "到位日期", "发行时间"),
}


class BondImportError(Exception):
    """The workbook cannot be imported; ``messages`` lists why, row by row."""

    def __init__(self, messages):
        super().__init__("；".join(messages))
        self.messages = messages


@dataclass
class _Row:
    number: int  # as Excel numbers it
    code: str
    name: str
    amount: object
    issued_on: object


def import_entries(batch, fileobj):
    """Add or update ``batch``'s entries from the workbook; returns how many rows were imported.

    Call it inside ``db.atomic()``: a row refused while saving rolls back every row.
    """
    try:
        grid = xlsx.read_rows(fileobj, MAX_ROWS)
    except xlsx.WorkbookError as e:
        raise BondImportError([str(e)]) from e
    rows = _read(grid)
    projects, errors = _match(rows)
    errors += _check(rows)
    if errors:
        raise BondImportError(errors)
    existing = {e.project_id: e for e in BondEntry.select().where(BondEntry.batch == batch)}
    for row in rows:
        project = projects[row.number]
        try:
            save_entry(existing.get(project.id), batch, project, row.amount, row.issued_on)
        except BondError as e:
            errors.append(f"第 {row.number} 行：{e}")
    if errors:
        raise BondImportError(errors)
    return len(rows)


def _header(grid):
    for index, cells in enumerate(grid[:HEADER_SCAN_ROWS]):
        found = {}
        for c, value in enumerate(cells):
            text = text_value(value).replace(" ", "")
            column = next((key for key, words in COLUMNS.items() if any(w in text for w in words)), None)
            if column and column not in found:
                found[column] = c, "亿元" in text
        if "amount" in found and ("code" in found or "name" in found):
            return index, found
    raise BondImportError(["找不到表头行：表头应包含“项目名称”或“项目代码”，以及“金额”（可选“发行日期”）"])


def _read(grid):
    index, columns = _header(grid)

    def cell(cells, key):
        return cells[columns[key][0]] if key in columns and columns[key][0] < len(cells) else None

    rows = []
    for number, cells in enumerate(grid[index + 1 :], start=index + 2):
        if not any(text_value(v) for v in cells):
            continue
        factor = 10_000 if columns["amount"][1] else 1
        rows.append(
            _Row(
                number,
                text_value(cell(cells, "code")),
                text_value(cell(cells, "name")),
                parse_amount(cell(cells, "amount"), factor),
                parse_date(cell(cells, "issued_on")),
            )
        )
    if not rows:
        raise BondImportError(["表格中没有项目行"])
    return rows


def _match(rows):
    """{row number: Project} by code (ours or the national one), else by exact name; one query for every row."""
    codes = {r.code for r in rows if r.code}
    names = {r.name for r in rows if r.name}
    candidates = list(
        Project.select().where(Project.code.in_(codes) | Project.national_code.in_(codes) | Project.name.in_(names))
    )
    by_code = {p.code: p for p in candidates} | {p.national_code: p for p in candidates if p.national_code}
    by_name = {}
    for project in candidates:
        by_name.setdefault(project.name, []).append(project)
    projects, errors = {}, []
    for row in rows:
        if row.code:
            project = by_code.get(row.code)
            if project is None:
                errors.append(f"第 {row.number} 行：找不到项目代码“{row.code}”")
                continue
        elif not row.name:
            errors.append(f"第 {row.number} 行：请填写项目名称或项目代码")
            continue
        elif len(by_name.get(row.name, [])) != 1:
            fault = "对应多个项目，请填写项目代码" if by_name.get(row.name) else "找不到该项目"
            errors.append(f"第 {row.number} 行：项目名称“{row.name}”{fault}")
            continue
        else:
            project = by_name[row.name][0]
        projects[row.number] = project
    twice = [p for p, n in Counter(p.id for p in projects.values()).items() if n > 1]
    for number, project in projects.items():
        if project.id in twice:
            errors.append(f"第 {number} 行：项目“{project.name}”在表中出现多次")
    return projects, errors


def _check(rows):
    errors = []
    for row in rows:
        if row.amount is None:
            errors.append(f"第 {row.number} 行：请填写金额（万元）")
        elif isinstance(row.amount, str) or row.amount <= 0:
            errors.append(f"第 {row.number} 行：金额“{row.amount}”应为大于 0 的数（万元）")
        if isinstance(row.issued_on, str):
            errors.append(f"第 {row.number} 行：发行日期“{row.issued_on}”应为日期，如 2026-03-15")
    return errors


EXPORT_HEADER = [
    "项目代码",
    "项目名称",
    "县区",
    "债券金额（万元）",
    "发行日期",
    "已支出（万元）",
    "支出率（%）",
    "资金闲置",
]


def export_batch(batch, figures, day, idle_days, idle_share, condition=True):
    """The workbook of ``batch``'s projects as of ``day`` and its ``figures`` (a row of batch_figures), as bytes."""
    entries = (
        entries_as_of(day, idle_days, idle_share).where((BondEntry.batch == batch) & condition).order_by(Project.code)
    )
    body = [
        [
            e.project.code,
            e.project.name,
            e.project.county,
            e.amount,
            e.issued_on,
            to_money(e.spent),
            percent(to_money(e.spent), e.amount if e.issued_on else 0),
            "是" if e.idle else "",
        ]
        for e in entries
    ]
    total = [
        "合计",
        f"{figures['projects']} 个项目",
        "",
        figures["amount"],
        "",
        figures["spent"],
        figures["spend_rate"],
    ]
    book = xlsx.new_workbook()
    sheet = book.active
    sheet.title = "专项债券"
    xlsx.append_title(sheet, f"{batch.name}项目资金支出情况（截至 {day:%Y-%m-%d}）", across=len(EXPORT_HEADER))
    xlsx.append_header(sheet, EXPORT_HEADER)
    for row in body:
        xlsx.append_row(sheet, row)
    xlsx.append_row(sheet, total, bold=True)
    xlsx.fit_columns(sheet, [EXPORT_HEADER, *body])
    xlsx.freeze_panes(sheet, 2)
    xlsx.print_setup(sheet, header_rows=(2, 2))
    return xlsx.to_bytes(book)
