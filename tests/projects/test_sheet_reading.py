"""Reading the project lists governments publish: every project row, nothing else, values as the list means them."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from real_lists import (
    district_list_with_leaders,
    list_with_two_row_header,
    prefecture_list,
    province_list,
    workbook_per_stage,
)
from sheets import xlsx

from tracker.projects.sheet_reading import SheetError, name_key, read_project_list
from tracker.projects.sheet_values import parse_amount, parse_partial_date, parse_period


def by_name(reading):
    return {row.values["name"]: row for row in reading.rows}


def test_a_prefecture_list_reads_every_project_under_its_sections():
    reading = read_project_list(xlsx(prefecture_list()))

    rows = by_name(reading)
    assert [row.number for row in reading.rows] == [9, 10, 12, 14]
    assert {name: row.values["category"] for name, row in rows.items()} == {
        "西安至延安高铁★": "基础设施 / 交通 / 铁路",
        "城际铁路（二期)": "基础设施 / 交通 / 铁路",
        "G210 改建工程": "基础设施 / 交通 / 公路",
        "新材料产业园": "产业发展",
    }
    [layout] = reading.sheets
    assert (layout.name, layout.header_rows, layout.unit) == ("附件1", (4, 4), "万元")
    assert layout.sections == [
        ("基础设施", 3, 3),
        ("基础设施 / 交通", None, 3),
        ("基础设施 / 交通 / 铁路", None, 2),
        ("基础设施 / 交通 / 公路", None, 1),
        ("产业发展", 3, 1),
    ]
    assert layout.ignored_columns == ["备注"]


def test_a_prefecture_list_reads_amounts_exactly_and_placeholders_as_empty():
    rows = by_name(read_project_list(xlsx(prefecture_list())))

    amounts = [row.values["total_investment"] for row in rows.values()]
    assert amounts == [Decimal("113934.98"), Decimal("148.35"), Decimal("1200.50"), Decimal("0.03")]
    intercity = rows["城际铁路（二期)"].values
    assert (intercity["location"], intercity["scale_and_content"]) == ("", "")
    assert rows["G210 改建工程"].values["lead_department"] == ""
    assert rows["西安至延安高铁★"].values["project_unit"] == "中铁建设公司、市城投集团"
    assert "lead_official" not in intercity and "code" not in intercity  # columns the list does not have
    assert all(not row.problems for row in rows.values())


def test_a_wrong_total_and_a_wrong_count_are_warnings_with_both_figures():
    reading = read_project_list(xlsx(prefecture_list()))
    assert reading.warnings == [
        "《附件1》第13行：“产业发展”注明 3 个项目，实际读到 1 个",
        "《附件1》第5行：合计注明 5 个项目，实际读到 4 个",
        "《附件1》第5行：合计的总投资 115283.85 万元与各行之和 115283.86 万元不符",
    ]


def test_legend_markers_stay_in_the_name_but_not_in_its_key():
    rows = by_name(read_project_list(xlsx(prefecture_list())))
    assert "西安至延安高铁★" in rows
    assert name_key("西安至延安高铁★") == name_key("西安至延安 高铁")
    assert name_key("城际铁路（二期)") == name_key("城际铁路(二期）") == "城际铁路(二期)"
    assert name_key("AB：路，C") == "ab:路,c"


def test_a_district_list_reads_yi_yuan_leaders_periods_and_stages():
    reading = read_project_list(xlsx(district_list_with_leaders()))

    rows = by_name(reading)
    park, plant, stadium, port = (rows[n] for n in ("智慧园区", "污水处理厂", "体育中心", "物流港"))
    assert reading.sheets[0].unit == "亿元"
    assert [park.values["total_investment"], park.values["annual_plan_investment"]] == [
        Decimal("3500.00"),
        Decimal("1000.00"),
    ]
    assert plant.values["total_investment"] == Decimal("123456.00")
    assert (park.values["planned_start"], park.values["planned_completion"]) == ("2023", "2025")
    assert (plant.values["planned_start"], plant.values["planned_completion"]) == ("2022", "2024")
    assert (stadium.values["planned_start"], stadium.values["planned_completion"]) == ("2021", "2024")
    assert port.values["planned_start"] == port.values["planned_completion"] == "2024-10"
    assert [(r.values["stage"], r.values["kind"]) for r in (park, plant, stadium, port)] == [
        ("new_start", "new"),
        ("continuing", "continuing"),
        ("completing", "continuing"),
        ("preparatory", "new"),
    ]


def test_two_leaders_in_one_cell_and_a_leader_cell_merged_down():
    reading = read_project_list(xlsx(district_list_with_leaders()))

    rows = by_name(reading)
    assert rows["智慧园区"].leaders == ["王建国", "李敏"]
    assert rows["智慧园区"].values["lead_official"] == "王建国"
    assert rows["污水处理厂"].values["lead_official"] == "王建国"  # the merged cell covers it
    assert rows["体育中心"].leaders == ["张强"]
    assert "《重点项目》第3行：包抓领导有两位（王建国、李敏），以王建国为包抓领导" in reading.warnings


def test_national_codes_are_normalised_and_a_bad_one_is_a_row_problem():
    rows = by_name(read_project_list(xlsx(district_list_with_leaders())))

    assert rows["智慧园区"].values["national_code"] == "2023-610100-48-01-012345"
    assert rows["污水处理厂"].values["national_code"] == "2022-610100-48-01-000001"
    assert rows["体育中心"].values["national_code"] == "2024-6101"
    assert rows["体育中心"].problems == [
        "项目代码应为 24 位国家项目代码（如 2023-610100-48-01-012345），收到“2024-6101”"
    ]
    assert rows["物流港"].values["national_code"] == ""


def test_a_quantity_in_a_money_column_is_not_read_as_money():
    reading = read_project_list(xlsx(district_list_with_leaders()))
    assert by_name(reading)["物流港"].values["annual_plan_investment"] is None
    assert "《重点项目》第6行：年度计划投资“500吨”是数量而非金额，未读入" in reading.warnings


def test_a_workbook_per_stage_reads_every_sheet_with_its_stage_and_skips_the_rest():
    reading = read_project_list(xlsx(workbook_per_stage()))

    assert [(row.sheet, row.values["name"], row.values["stage"], row.values["kind"]) for row in reading.rows] == [
        ("新开工项目", "光伏电站", "new_start", "new"),
        ("新开工项目", "数据中心", "new_start", "new"),
        ("续建项目", "高速公路", "continuing", "continuing"),
        ("预备项目", "储能站", "preparatory", "new"),
    ]
    assert reading.skipped_sheets == ["《填报说明》：找不到表头行", "《下拉选项》：隐藏的工作表"]
    assert reading.rows[1].values["total_investment"] == Decimal("2000.50")
    assert reading.rows[0].values["start_deadline"] == dt.date(2026, 3, 31)
    assert reading.sheets[0].columns["total_investment"] == "总\n投资（万元）"


def test_a_two_row_header_reads_the_group_subtotal_as_the_annual_plan():
    reading = read_project_list(xlsx(list_with_two_row_header()))

    [layout] = reading.sheets
    assert layout.header_rows == (1, 2)
    assert layout.columns["annual_plan_investment"] == "2024年计划投资 / 小计"
    assert layout.ignored_columns == ["2024年计划投资 / 省级补助", "2024年计划投资 / 社会资本"]
    water, pump = reading.rows
    assert water.values["annual_plan_investment"] == Decimal("300.25")
    assert (water.values["planned_start"], water.values["planned_completion"]) == ("2024-03", "2025-06")
    assert pump.values["planned_start"] == "2024-05-01"
    assert pump.values["total_investment"] == "#REF!"
    assert pump.problems == [
        "总投资应为数字（万元），收到“#REF!”",
        "计划竣工时间应为年份或年月（如 2023-2025、2024年10月），收到“明年”",
    ]


def test_a_broken_reference_in_a_total_is_a_warning_not_an_error():
    reading = read_project_list(xlsx(list_with_two_row_header()))
    assert reading.warnings == ["《项目表》第5行：合计行的总投资为 #REF!，未核对"]


def test_a_file_without_any_project_header_is_refused():
    book = workbook_per_stage()
    for title in ("新开工项目", "续建项目", "预备项目"):
        del book[title]
    with pytest.raises(SheetError) as caught:
        read_project_list(xlsx(book))
    assert caught.value.problems[0] == "找不到表头行：表头应包含项目名称、总投资等列"


def test_a_province_list_of_thirty_thousand_rows_is_read_whole():
    buffer = io.BytesIO()
    province_list(30_000).save(buffer)
    buffer.seek(0)

    reading = read_project_list(buffer)

    assert len(reading.rows) == 30_000
    assert reading.warnings == []
    last = reading.rows[-1]
    assert (last.values["name"], last.values["category"]) == ("项目30000", "第30批")
    assert last.values["total_investment"] == Decimal("30000.25")
    assert last.values["lead_official"] == "领导29999"  # merged down from the row above
    assert (last.values["stage"], last.values["level"]) == ("new_start", "provincial")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2023", "2023"),
        (2023, "2023"),
        ("2024年10月", "2024-10"),
        ("2024.10", "2024-10"),
        ("2024-10-15", "2024-10-15"),
        (dt.datetime(2024, 10, 15), "2024-10-15"),
        (45580, "2024-10-15"),
        ("2026年3月底前", "2026-03"),
        ("明年", "明年"),
        ("—", None),
    ],
)
def test_planned_dates_read_as_partial_iso_text(cell, expected):
    assert parse_partial_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2023-2025", ("2023", "2025")),
        ("2023年至2025年", ("2023", "2025")),
        ("2023—2025年", ("2023", "2025")),
        ("2023.3-2025.12", ("2023-03", "2025-12")),
        ("三年", ("三年", "三年")),
    ],
)
def test_construction_periods_read_as_start_and_completion(cell, expected):
    assert parse_period(cell) == expected


def test_amounts_round_half_up_to_the_cent_and_convert_yi_yuan():
    assert parse_amount(12.345) == Decimal("12.35")
    assert parse_amount("0.35", 10_000) == Decimal("3500.00")
    assert parse_amount("3.5亿元") == Decimal("35000.00")
    assert parse_amount("113,934.98") == Decimal("113934.98")
    assert parse_amount("待定") is None
