"""The workbooks the service writes: text stays text, columns fit their content, headers print on every page."""

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from reporting import file

from tracker.accounts.models import LeadOfficial
from tracker.core import xlsx
from tracker.core.config import PROJECT_ROOT
from tracker.cycles.analysis import quarterly_analysis
from tracker.cycles.analysis_exports import analysis_workbook
from tracker.cycles.snapshots import take_snapshot
from tracker.notices.drafting import draft_notice, notice_document
from tracker.projects.models import Project
from tracker.projects.sheet_export import export_project_list

# Text a spreadsheet would run as a formula, as people paste it into names.
FORMULA_LIKE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "'=1+1"]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_a_spreadsheet_would_run_is_escaped_and_reads_back_as_written(text):
    escaped = xlsx.safe_value(text)
    assert escaped == "'" + text
    assert xlsx.cell_text(escaped) == text


@pytest.mark.parametrize("value", ["城东污水处理厂", "a=b", "13900000001", 12, 3.5, None])
def test_other_values_are_written_unchanged(value):
    assert xlsx.safe_value(value) == value


def test_characters_xml_cannot_hold_are_dropped():
    assert xlsx.safe_value("城东\x00污水\x1f处理厂\x0b") == "城东污水处理厂"


def test_a_number_typed_as_a_number_reads_back_without_its_decimal_point():
    assert [xlsx.cell_text(v) for v in (13900000001.0, 2.5, None, "  X  ")] == ["13900000001", "2.5", "", "X"]


def build(write_only):
    book = xlsx.new_workbook(write_only=write_only)
    sheet = book.create_sheet("清单")
    rows = [["编号", "项目名称", "总投资"], ["XM-1", "城东污水处理厂", 12_345_678], ["XM-2", "物流园\n二期", 5]]
    xlsx.fit_columns(sheet, rows)
    xlsx.freeze_panes(sheet, below_row=2, right_of_column=1)
    xlsx.print_setup(sheet, header_rows=(2, 2))
    xlsx.append_title(sheet, "=重点项目清单")
    xlsx.append_header(sheet, rows[0])
    for row in rows[1:]:
        xlsx.append_row(sheet, row, wrap=True)
    return load_workbook(io.BytesIO(xlsx.to_bytes(book)))["清单"]


@pytest.mark.parametrize("write_only", [False, True])
def test_columns_fit_their_widest_value_counting_chinese_characters_double(write_only):
    sheet = build(write_only)
    widths = [sheet.column_dimensions[column].width for column in "ABC"]
    # "XM-1" is 4 wide (at least 6); 城东污水处理厂, 7 characters, is 14; 12,345,678 is 10; 2 to spare.
    assert widths == [6, 16, 12]


@pytest.mark.parametrize("write_only", [False, True])
def test_the_header_stays_in_view_and_prints_on_every_a4_landscape_page(write_only):
    sheet = build(write_only)
    assert sheet.freeze_panes == "B3"
    assert sheet.print_title_rows == "$2:$2"
    assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (int(sheet.PAPERSIZE_A4), "landscape")
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert [cell.font.b for cell in sheet[2]] == [True] * 3
    assert sheet["A1"].value == "'=重点项目清单" and sheet["A1"].data_type == "s"


def test_a_width_is_never_wider_than_the_widest_allowed():
    book = xlsx.new_workbook()
    xlsx.fit_columns(book.active, [["长" * 100]])
    assert book.active.column_dimensions["A"].width == xlsx.WIDEST


def test_the_web_app_starts_without_loading_openpyxl(tmp_path):
    overrides = {"database": {"url": f"sqlite:///{tmp_path / 'tracker.db'}"}, "web": {"secret_key": "x" * 32}}
    script = (
        "import json, sys\n"
        "from tracker import create_app\n"
        f"create_app(overrides=json.loads({json.dumps(json.dumps(overrides))}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# Every workbook the service writes, with formula-like text where people type names ---------------

NAMES = {
    "name": "@SUM(A1)",
    "county": "=cmd|' /C calc'!A0",
    "industry_chain": "=1+1",
    "project_unit": "+1+1",
    "lead_official": "-2+3",
    "lead_department": '=HYPERLINK("http://x")',
}
DAY, WEEK = dt.date(2026, 11, 25), "2026-W47"


@pytest.fixture
def lagging_project(conn, config, make_project):
    """A project with the NAMES above, past its start deadline and not started in WEEK; the week closed."""
    LeadOfficial.create(name=NAMES["lead_official"], title="副市长", email="official@example.gov.cn")
    project = make_project(**NAMES)
    Project.update(start_deadline=dt.date(2026, 11, 1)).where(Project.id == project.id).execute()
    file(config, project, WEEK, status="not_started")
    take_snapshot(WEEK, config["warnings"])
    return project


def project_list(config):
    return export_project_list(Project.active())


def notice(config):
    return notice_document(draft_notice(DAY, config, None), "xlsx")


def quarterly_analysis_workbook(config):
    return analysis_workbook(quarterly_analysis("2026-Q4"))


# Each export, and the names it shows.
EXPORTS = {
    "project list": (project_list, tuple(NAMES)),
    "notice": (notice, ("name", "county", "project_unit", "lead_official", "lead_department")),
    "quarterly analysis": (quarterly_analysis_workbook, ("county", "industry_chain")),
}


@pytest.mark.parametrize("export", EXPORTS)
def test_no_workbook_turns_a_name_into_a_formula(lagging_project, config, export):
    write, fields = EXPORTS[export]
    book = load_workbook(io.BytesIO(write(config)))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"] == []
    # Shown as written, after the apostrophe that marks it as text (the list's import takes it off).
    shown = {cell.value for cell in cells}
    assert [NAMES[f] for f in fields if "'" + NAMES[f] not in shown] == []


def test_a_row_is_tall_enough_for_its_wrapped_lines():
    book = xlsx.new_workbook()
    sheet = book.active
    xlsx.append_row(sheet, ["1. 开工时限已过未开复工\n2. 连续缺报周报", "短"], wrap=True)
    xlsx.append_row(sheet, ["一行", "长" * 30], wrap=True)
    xlsx.append_row(sheet, ["不换行"])
    xlsx.fit_columns(sheet, [["x" * 24, "x" * 18]])  # 26 and 20 wide: room for 24 and 18
    xlsx.fit_row_heights(sheet, first_row=1)
    sheet = load_workbook(io.BytesIO(xlsx.to_bytes(book))).active
    # Two lines of 23 and 15 in 24; 60 wide in 18 is four lines; a row without wrapped text keeps the default height.
    assert [sheet.row_dimensions[row].height for row in (1, 2, 3)] == [2 * xlsx.LINE_HEIGHT, 4 * xlsx.LINE_HEIGHT, None]
