"""季考核通报, 半年盘点 and 年终总评 as .xlsx: the city's figures for the period, then each department's, ranked.

Written through tracker.core.xlsx (formula escaping, widths, print setup)."""

from tracker.core import xlsx
from tracker.promotion.figures import AMOUNTS, COUNTS, LABELS
from tracker.promotion.periods import period_kind, period_title

# What each kind of period's workbook is called in the office.
REVIEWS = {"monthly": "月跟进调度", "quarterly": "季考核通报", "half": "半年盘点", "year": "年终总评"}
COLUMNS = (*COUNTS, *AMOUNTS, "funds_last_year", "funds_target", "funds_percent")


def review_title(label):
    """招商引资2026年第4季度考核通报 …: the workbook's and the page's heading."""
    return f"招商引资{period_title(label)}{REVIEWS[period_kind(label)]}"


def review_workbook(label, city, departments, target):
    """The period's review: title, the city's row, then one row per department in rank order."""
    book = xlsx.new_workbook()
    sheet = book.active
    sheet.title = REVIEWS[period_kind(label)]
    header = ["名次", "部门", *(LABELS[name] for name in COLUMNS)]
    xlsx.append_title(sheet, review_title(label), across=len(header))
    note = f"统计期间 {city['first']} 至 {city['last']}；到位资金目标为上年同期增长 {target:g}%"
    xlsx.append_row(sheet, [note])
    xlsx.append_header(sheet, header)
    rows = [["", "全市合计", *(_cell(city[name]) for name in COLUMNS)]]
    rows += [[row["rank"], row["department"], *(_cell(row[name]) for name in COLUMNS)] for row in departments]
    for values in rows:
        xlsx.append_row(sheet, values)
    xlsx.fit_columns(sheet, [header, *rows])
    xlsx.freeze_panes(sheet, 3, 2)
    xlsx.print_setup(sheet, (3, 3))
    return xlsx.to_bytes(book)


def _cell(value):
    # No target (nothing arrived a year before) leaves the share blank rather than 0.
    return "" if value is None else value
