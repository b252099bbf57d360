"""Project lists shaped like the ones governments publish, for the reading tests.

Each builder imitates a kind of list seen in the wild (the attachment of a
prefecture's notice, a district's list with its leaders, a workbook with one
sheet per 建设性质, a province's long list), not the service's own template."""

import datetime as dt

from openpyxl import Workbook
from openpyxl.worksheet.cell_range import CellRange


def prefecture_list():
    """A prefecture's list of major projects (附件1): attachment label, title, compiler row with
    单位：万元 far right, 合计 first with a count and a wrong sum, three section levels with counts,
    serials restarting in each group, placeholders, a legend marker and mixed brackets."""
    book = Workbook()
    sheet = book.active
    sheet.title = "附件1"
    sheet.append(["附件1"])
    sheet.append(["2024年全市重大项目清单"])
    sheet.merge_cells("A2:H2")
    sheet.append(["编制单位：市发展和改革委员会", None, None, None, None, None, "单位：万元"])
    sheet.append(["序号", "项目名称", "建设单位", "建设地点", "建设规模及内容", "总投资", "责任单位", "备注"])
    sheet.append(["5个", "合计", None, None, None, 115283.85, None, None])  # the rows sum to 115283.86
    sheet.merge_cells("B5:E5")
    sheet.append(["一、基础设施（3个）"])
    sheet.merge_cells("A6:H6")
    sheet.append(["（一）交通"])
    sheet.append(["——铁路"])
    sheet.append(
        [1, "西安至延安高铁★", "中铁建设公司、市城投集团", "新城区", "线路全长 300 公里", 113934.98, "市交通局", None]
    )
    sheet.append([2, "城际铁路（二期)", "市城投集团", "—", "/", "148.35", "市交通局", "待定"])
    sheet.append(["——公路"])
    sheet.append([1, "G210 改建工程", "市公路局", "东城区", "改建 20 公里", "1,200.5", "暂无", None])
    sheet.append(["二、产业发展", 3])  # stated 3, one project follows
    sheet.append([1, "新材料产业园", "高新公司", "高新区", "标准化厂房", 0.03, "市工信局", None])
    sheet.append(["注：本表项目排名不分先后。"])
    return book


def district_list_with_leaders():
    """A district's list with its leaders: amounts in 亿元 in the header, 牵头区领导 with two names
    in one cell and merged down over two projects, 建设起止年限 2023-2025, national codes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "重点项目"
    sheet.append(["2024年区级重点项目计划表"])
    header = ["序号", "项目名称", "项目代码", "建设性质", "建设起止年限", "建设规模及内容"]
    header += ["总投资（亿元）", "年度计划投资(亿元)", "牵头区领导", "责任单位", "项目单位"]
    sheet.append(header)
    sheet.append([1, "智慧园区", "20236101004801012345", "新开工", "2023-2025", "园区 10 万平方米"])
    sheet.append([2, "污水处理厂", "2022-610100-48-01-000001", "续建", "2022年至2024年", "日处理 5 万吨"])
    sheet.append([3, "体育中心", "2024-6101", "竣工投产", "2021—2024年", "场馆 3 座"])
    sheet.append([4, "物流港", None, "预备", "2024年10月", "仓储 20 万平方米"])
    amounts = [(0.35, 0.1), (12.3456, 2), ("1.2", "0.5"), (3, "500吨")]
    leaders = ["王建国、李敏", None, "张强（副区长）", "刘洋"]
    for number, ((total, plan), leader) in enumerate(zip(amounts, leaders, strict=True), start=3):
        sheet.cell(number, 7, total)
        sheet.cell(number, 8, plan)
        sheet.cell(number, 9, leader)
        sheet.cell(number, 10, "区发改局")
        sheet.cell(number, 11, f"项目单位{number}")
    sheet.merge_cells("I3:I4")  # one leader cell for the first two projects
    return book


def workbook_per_stage():
    """A workbook with one sheet per 建设性质, a hidden sheet feeding drop-down lists, a notes sheet
    without a header, and a header cell broken over two lines (总\\n投资)."""
    book = Workbook()
    book.active.title = "填报说明"
    book.active.append(["请按附表格式填写，金额单位为万元。"])
    for title, names in (
        ("新开工项目", ["光伏电站", "数据中心"]),
        ("续建项目", ["高速公路"]),
        ("预备项目", ["储能站"]),
    ):
        sheet = book.create_sheet(title)
        sheet.append(["序号", "项目名称", "县（区）", "总\n投资（万元）", "开复工时限"])
        for number, name in enumerate(names, start=1):
            sheet.append([number, name, "东城区", 1000 * number + 0.5, dt.datetime(2026, 3, 31)])
    options = book.create_sheet("下拉选项")
    options.append(["项目名称", "总投资", "县区"])
    options.sheet_state = "hidden"
    return book


def list_with_two_row_header():
    """A list whose header spans two rows: 2024年计划投资 over 小计 / 省级补助 / 社会资本, the other
    header cells merged down; a closing 合计 whose sum is a broken reference, a #REF! in a project row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "项目表"
    sheet.append(["序号", "项目名称", "总投资", "2024年计划投资", None, None, "开工时间", "竣工时间"])
    sheet.append([None, None, None, "小计", "省级补助", "社会资本", None, None])
    for column in "ABCGH":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells("D1:F1")
    sheet.append([1, "水厂", 800, 300.25, 100, 200.25, "2024年3月", "2025.6"])
    sheet.append([2, "泵站", "#REF!", 100, 50, 50, dt.datetime(2024, 5, 1), "明年"])
    sheet.append(["合计", None, "#REF!", 400.25, None, None, None, None])
    return book


def province_list(rows):
    """A province's long list: ``rows`` projects under a section per thousand, 15 columns, each
    leader cell merged down over two projects."""
    book = Workbook()
    sheet = book.active
    sheet.title = "省级重点项目"
    sheet.append(["附件"])
    sheet.append(["2024年省级重点建设项目名单"])
    sheet.append([None] * 13 + ["单位：万元"])
    header = ["序号", "项目名称", "项目单位", "建设地点", "项目代码", "建设性质", "建设起止年限", "建设规模及内容"]
    header += ["总投资", "2024年计划投资", "市级联系领导", "责任单位", "项目级别", "备注", "联系电话"]
    sheet.append(header)
    # Added straight to the set: merge_cells checks every earlier range, too slow for thousands.
    merges = sheet.merged_cells.ranges
    row = sheet.max_row
    for number in range(1, rows + 1):
        if number % 1000 == 1:
            row += 1
            sheet.append([f"{NUMERALS[number // 1000 % 10]}、第{number // 1000 + 1}批（1000个）"])
            merges.add(CellRange(min_col=1, min_row=row, max_col=15, max_row=row))
        row += 1
        sheet.append(
            [
                number % 1000 or 1000,
                f"项目{number}",
                f"公司{number}",
                "某县",
                f"2024-610100-48-01-{number:06d}",
                "续建" if number % 2 else "新开工",
                "2023-2026",
                "建设内容若干",
                number + 0.25,
                "12.5",
                f"领导{number}" if number % 2 else None,
                "省发展改革委",
                "省级",
                None,
                "13900000000",
            ]
        )
        if number % 2:
            merges.add(CellRange(min_col=11, min_row=row, max_col=11, max_row=row + 1))
    return book


NUMERALS = "一二三四五六七八九十"
