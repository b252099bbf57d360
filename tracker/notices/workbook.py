"""通报批评 as an .xlsx list: sheet 通报, one row per project with its reasons, and sheet 红黑榜, the ranking.

It takes the notice as the plain dict notice_docx takes (drafting.notice_document
builds it) and returns the file's bytes. Every value goes in through
tracker.core.xlsx, so a project named "=1+1" stays text."""

from tracker.core import xlsx
from tracker.notices.documents import RANKING_HEADER, RANKING_KEYS, chinese_date

SHEET_HEADER = ("序号", "项目编号", "项目名称", "项目单位", "包抓部门", "包抓领导", "滞后原因", "具体情况")


# Long names and details wrap within this width, so that a printed page stays readable.
WIDEST = 40


RANKINGS = (("departments", "部门"), ("counties", "县区"))


def notice_workbook(notice):
    """The notice as an .xlsx: sheet 通报 (one row per project, its reasons on separate lines) and sheet 红黑榜."""
    book = xlsx.new_workbook()
    _list_sheet(book.active, notice)
    _ranking_sheet(book.create_sheet("红黑榜"), notice["ranking"])
    return xlsx.to_bytes(book)


def _list_sheet(sheet, notice):
    sheet.title = "通报"
    width = len(SHEET_HEADER)
    xlsx.append_title(sheet, notice["title"], across=width)
    above = [
        ["文号", notice["number"]],
        ["发布日期", chinese_date(notice["date"]), "统计截至", chinese_date(notice["as_of"])],
    ]
    for values in [*above, []]:
        xlsx.append_row(sheet, values)
    xlsx.append_header(sheet, SHEET_HEADER)
    header = sheet.max_row
    rows = [_entry_row(index, entry) for index, entry in enumerate(notice["entries"], start=1)]
    for values in rows:
        xlsx.append_row(sheet, values, wrap=True)
    if not rows:
        xlsx.append_row(sheet, ["本期无项目列入通报。"])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
    xlsx.fit_columns(sheet, [*above, SHEET_HEADER, *rows], most=WIDEST)
    xlsx.fit_row_heights(sheet, header + 1)
    xlsx.freeze_panes(sheet, below_row=header)
    xlsx.print_setup(sheet, header_rows=(header, header))


def _entry_row(index, entry):
    reasons = entry["reasons"]
    numbered = len(reasons) > 1  # "1. …" lines up each reason with its detail
    labels = [_numbered(i, r["label"], numbered) for i, r in enumerate(reasons, start=1)]
    details = [_numbered(i, r["detail"], numbered) for i, r in enumerate(reasons, start=1)]
    row = [index, entry["code"], entry["name"], entry["project_unit"], entry["lead_department"]]
    return row + [entry["lead_official"], "\n".join(labels), "\n".join(details)]


def _numbered(index, text, numbered):
    return f"{index}. {text}" if numbered else text


def _ranking_sheet(sheet, ranking):
    shown = [RANKING_HEADER]
    for index, (key, label) in enumerate(RANKINGS):
        if index:
            xlsx.append_row(sheet, [])
        xlsx.append_row(sheet, [label], bold=True)
        xlsx.append_header(sheet, RANKING_HEADER)
        rows = [[row[k] for k in RANKING_KEYS] for row in ranking[key]] or [["无"]]
        for values in rows:
            xlsx.append_row(sheet, values)
        shown += rows
    xlsx.fit_columns(sheet, shown, most=WIDEST)
    xlsx.print_setup(sheet)
