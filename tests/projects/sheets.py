"""Project lists laid out as offices keep them, for the import and export tests."""

import io
import zlib

from openpyxl import Workbook

HEADER = ["序号", "项目编号", "项目名称", "县（区）", "建设性质", "项目单位", "责任人", "联系电话"]
HEADER += ["市级包抓领导", "包抓部门", "投资（万元）", None, "开工时限"]
SUBHEADER = [None] * 10 + ["总投资", "年度计划投资", None]
COLUMNS = ["code", "name", "county", "kind", "project_unit", "responsible_person", "responsible_phone"]
COLUMNS += ["lead_official", "lead_department", "total_investment", "annual_plan_investment", "start_deadline"]
WIDTH = len(HEADER)


def phone_of(code):
    """A mobile number of the project's own, as a list states it: 139 and eight digits from the code."""
    return f"139{zlib.crc32(code.encode()) % 10**8:08d}"


def row(code, **values):
    """One project row of the office sheet, after its 序号 cell."""
    fields = {
        "code": code,
        "name": f"{code}项目",
        "county": "东城区",
        "kind": "新建",
        "project_unit": f"{code}公司",
        "responsible_person": f"{code}负责人",
        "responsible_phone": phone_of(code),
        "lead_official": "王建国",
        "lead_department": "市发展改革委",
        "total_investment": 10_000,
        "annual_plan_investment": 2_000,
        "start_deadline": "2026年3月底前",
        **values,
    }
    return [fields[c] for c in COLUMNS]


def office_book(sections):
    """The list as offices keep it: a merged title, a units row, a two-row header,
    a merged section row per industry chain, the projects, and a totals row."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年X市重点项目包抓清单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=WIDTH)
    sheet.append([None] * (WIDTH - 1) + ["单位：万元"])
    sheet.append(HEADER)
    sheet.append(SUBHEADER)
    for column in range(1, WIDTH + 1):
        if column not in (11, 12):
            sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    sheet.merge_cells("K3:L3")
    number = 0
    for heading, rows in sections.items():
        sheet.append([heading])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=WIDTH)
        for cells in rows:
            number += 1
            sheet.append([number, *cells])
    sheet.append(["合计", *[None] * 9, f"=SUM(K6:K{sheet.max_row})", None, None])
    return book


def xlsx(book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer
