"""季分析: the quarter's figures by industry chain, county and funding source, against the quarter before."""

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from reporting import file

from tracker.core.config import DEFAULTS
from tracker.cycles.analysis import QuarterError, previous_quarter, quarter_bounds, quarterly_analysis
from tracker.cycles.analysis_exports import analysis_charts, analysis_pdf, analysis_workbook
from tracker.cycles.runs import from_json, to_json
from tracker.cycles.snapshots import take_snapshot
from tracker.projects.models import FUNDING_SOURCES

# Quarters ----------------------------------------------------------------------


def test_a_quarter_runs_from_its_first_to_its_last_day():
    assert quarter_bounds("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert quarter_bounds("2028-Q1") == (dt.date(2028, 1, 1), dt.date(2028, 3, 31))


def test_the_quarter_before_the_first_is_last_years_fourth():
    assert previous_quarter("2026-Q1") == "2025-Q4"
    assert previous_quarter("2026-Q4") == "2026-Q3"


@pytest.mark.parametrize("label", ["2026-Q5", "2026Q4", "2026-q4", "", None, "2026-W47"])
def test_a_malformed_quarter_is_refused_in_chinese(label):
    for parse in (quarter_bounds, previous_quarter, quarterly_analysis):
        with pytest.raises(QuarterError, match="季度格式应为 2026-Q4"):
            parse(label)


def test_a_quarter_error_is_a_value_error():
    assert issubclass(QuarterError, ValueError)


# A city of four projects over two quarters --------------------------------------
#
#   project  chain       county   Q3 (closing 2026-W40)            Q4 (closing 2026-W52)
#   p1       化工产业链   东城区   started 1,500 / 5,000, funds 500  started 4,000, funds +1,000 bank loans
#   p2       化工产业链   南湖县   not started 0 / 3,000             started 1,200, funds +300 special bonds
#   p3       文旅产业链   南湖县   no report                         suspended 200 / 2,000
#   p4       文旅产业链   东城区   (registered in Q4)                no report, 0 / 1,000
#
# 2026-W40 starts on Monday 28 September, so it closes Q3; 2027-W01 belongs to 2027-Q1.


@pytest.fixture
def city(conn, config, make_project):
    thresholds = DEFAULTS["warnings"]
    p1 = make_project(industry_chain="化工产业链", county="东城区", annual_plan_investment=5_000)
    p2 = make_project(industry_chain="化工产业链", county="南湖县", annual_plan_investment=3_000)
    p3 = make_project(industry_chain="文旅产业链", county="南湖县", annual_plan_investment=2_000)
    file(config, p1, "2026-W39", investment_completed=1_000, funds={"special_bonds": 500})
    take_snapshot("2026-W39", thresholds)
    file(config, p1, "2026-W40", investment_completed=1_500)
    file(config, p2, "2026-W40", status="not_started")
    take_snapshot("2026-W40", thresholds)

    p4 = make_project(industry_chain="文旅产业链", county="东城区", annual_plan_investment=1_000)
    take_snapshot("2026-W51", thresholds)
    file(config, p1, "2026-W52", investment_completed=4_000, funds={"bank_loans": 1_000})
    file(config, p2, "2026-W52", investment_completed=1_200, funds={"special_bonds": 300})
    file(config, p3, "2026-W52", status="suspended", investment_completed=200)
    take_snapshot("2026-W52", thresholds)
    take_snapshot("2027-W01", thresholds)
    return p1, p2, p3, p4


def figures(projects, under_way, rate, completed, plan, completed_percent, funds, missing):
    return {
        "projects": projects,
        "restart_rate": {"numerator": under_way, "denominator": projects, "percent": rate},
        "investment_completed": completed,
        "annual_plan_investment": plan,
        "investment_percent": completed_percent,
        "funds_secured_total": funds,
        "reports_missing": missing,
    }


def printed(f):
    """The figures the analysis tables print, out of a figures dict."""
    return {key: f[key] for key in figures(0, 0, 0, 0, 0, 0, 0, 0)}


def test_the_quarter_closes_on_its_last_snapshotted_week(city):
    analysis = quarterly_analysis("2026-Q4")
    assert (analysis["closing_week"], analysis["previous_closing_week"]) == ("2026-W52", "2026-W40")
    assert (analysis["first_day"], analysis["last_day"], analysis["notice"]) == ("2026-10-01", "2026-12-31", None)


def test_headline_figures_compare_the_quarter_with_the_previous(city):
    headline = quarterly_analysis("2026-Q4")["headline"]
    assert printed(headline["current"]) == figures(4, 2, 50.0, 5_400, 11_000, 49.1, 1_800, 1)
    assert printed(headline["previous"]) == figures(3, 1, 33.3, 1_500, 10_000, 15.0, 500, 1)
    assert headline["change"] == {
        "projects": 1,
        "under_way": 1,
        "restart_rate": 16.7,
        "investment_completed": 3_900,
        "annual_plan_investment": 1_000,
        "investment_percent": 34.1,
        "funds_secured": 1_300,
        "reports_missing": 0,
        # 序时进度 moves in points from one closing week to the next (tests/projects/test_monthly_plan.py: its arithmetic).
        **{
            key: round(
                headline["current"]["schedule_progress"][name] - headline["previous"]["schedule_progress"][name], 2
            )
            for key, name in (("schedule_plan_to_date", "plan_to_date"), ("schedule_difference", "difference_points"))
        },
    }


def test_breakdown_by_industry_chain(city):
    rows = {row["label"]: row for row in quarterly_analysis("2026-Q4")["by_industry_chain"]}
    assert set(rows) == {"化工产业链", "文旅产业链"}
    assert printed(rows["化工产业链"]["current"]) == figures(2, 2, 100.0, 5_200, 8_000, 65.0, 1_800, 0)
    assert printed(rows["化工产业链"]["previous"]) == figures(2, 1, 50.0, 1_500, 8_000, 18.8, 500, 0)
    assert printed(rows["文旅产业链"]["current"]) == figures(2, 0, 0.0, 200, 3_000, 6.7, 0, 1)
    assert printed(rows["文旅产业链"]["previous"]) == figures(1, 0, 0.0, 0, 2_000, 0.0, 0, 1)
    assert rows["化工产业链"]["change"]["restart_rate"] == 50.0
    assert rows["化工产业链"]["change"]["investment_completed"] == 3_700
    assert rows["文旅产业链"]["change"]["projects"] == 1


def test_breakdown_by_county(city):
    rows = {row["label"]: row for row in quarterly_analysis("2026-Q4")["by_county"]}
    assert printed(rows["东城区"]["current"]) == figures(2, 1, 50.0, 4_000, 6_000, 66.7, 1_500, 1)
    assert printed(rows["东城区"]["previous"]) == figures(1, 1, 100.0, 1_500, 5_000, 30.0, 500, 0)
    assert printed(rows["南湖县"]["current"]) == figures(2, 1, 50.0, 1_400, 5_000, 28.0, 300, 0)
    assert printed(rows["南湖县"]["previous"]) == figures(2, 0, 0.0, 0, 5_000, 0.0, 0, 1)
    assert rows["东城区"]["change"]["restart_rate"] == -50.0
    assert rows["南湖县"]["change"]["restart_rate"] == 50.0


def test_breakdown_by_funding_source_lists_every_source(city):
    rows = quarterly_analysis("2026-Q4")["by_funding_source"]
    assert [row["source"] for row in rows] == list(FUNDING_SOURCES)
    by_source = {row["source"]: (row["label"], row["current"], row["previous"], row["change"]) for row in rows}
    assert by_source["special_bonds"] == ("专项债券", 800, 500, 300)
    assert by_source["bank_loans"] == ("银行贷款", 1_000, 0, 1_000)
    assert by_source["other"] == ("其他", 0, 0, 0)


def test_the_first_analysed_quarter_has_no_comparison(city):
    analysis = quarterly_analysis("2026-Q3")
    assert (analysis["closing_week"], analysis["previous_closing_week"]) == ("2026-W40", None)
    assert analysis["headline"]["previous"] is None
    assert analysis["headline"]["change"] is None
    assert all(row["previous"] is None and row["change"] is None for row in analysis["by_county"])
    assert {row["source"]: row["previous"] for row in analysis["by_funding_source"]} == dict.fromkeys(FUNDING_SOURCES)


def test_a_quarter_without_snapshots_says_so(conn):
    analysis = quarterly_analysis("2026-Q4")
    assert analysis["closing_week"] is None
    assert "尚无周调度快照" in analysis["notice"]
    assert analysis["headline"] == {"current": None, "previous": None, "change": None}
    assert analysis["by_industry_chain"] == analysis["by_county"] == analysis["by_funding_source"] == []


def as_printed(value):
    """``value`` with every float a Decimal of the same digits, as a stored analysis reads back."""
    if isinstance(value, dict):
        return {key: as_printed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_printed(item) for item in value]
    return Decimal(repr(value)) if isinstance(value, float) else value


def test_the_analysis_survives_storage_as_json(city):
    analysis = quarterly_analysis("2026-Q4")
    assert from_json(to_json(analysis)) == as_printed(analysis)


# Downloads ----------------------------------------------------------------------


def sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_workbook_has_a_sheet_per_breakdown_with_numbers_as_numbers(city):
    stored = from_json(to_json(quarterly_analysis("2026-Q4")))
    book = load_workbook(io.BytesIO(analysis_workbook(stored)))
    assert book.sheetnames == ["总览", "按产业链", "按县区", "按资金来源"]

    overview = {row[0]: tuple(row[1:4]) for row in sheet_rows(book["总览"]) if row and row[0]}
    assert overview["开复工率（%）"] == (50.0, 33.3, 16.7)
    assert overview["完成投资（万元）"] == (5_400, 1_500, 3_900)
    assert overview["本季度截至"][0] == "2026-W52"

    chains = sheet_rows(book["按产业链"])
    assert chains[0][:4] == ["产业链", "重点项目数（个）", None, None]
    assert chains[1][:4] == [None, "本季度", "上季度", "变化"]
    chemical = next(row for row in chains if row[0] == "化工产业链")
    # projects, under way, restart rate, completed, plan, funds: each now / before / change
    assert chemical == [
        "化工产业链",
        2,
        2,
        0,
        2,
        1,
        1,
        100.0,
        50.0,
        50.0,
        5200,
        1500,
        3700,
        8000,
        8000,
        0,
        1800,
        500,
        1300,
    ]

    funds = {row[0]: row[1:] for row in sheet_rows(book["按资金来源"])}
    assert funds["专项债券"] == [800, 500, 300]
    assert funds["合计"] == [1_800, 500, 1_300]


def test_workbook_of_a_quarter_without_snapshots_says_so(conn):
    book = load_workbook(io.BytesIO(analysis_workbook(quarterly_analysis("2026-Q4"))))
    texts = [cell for row in sheet_rows(book["总览"]) for cell in row if isinstance(cell, str)]
    assert any("尚无周调度快照" in text for text in texts)


def pdf_pages(data):
    return len(re.findall(rb"/Type /Page\b", data))


def pdf_text(data, tmp_path):
    """The text poppler extracts, and what it complains of (a font it cannot trust, for one)."""
    path = tmp_path / "analysis.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout, done.stderr


def test_pdf_has_a_title_page_and_a_page_per_breakdown(city):
    data = analysis_pdf(quarterly_analysis("2026-Q4"))
    assert data.startswith(b"%PDF")
    assert pdf_pages(data) == 4


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (Debian poppler-utils) not installed")
def test_pdf_chinese_text_can_be_searched(city, tmp_path):
    text, complaints = pdf_text(analysis_pdf(quarterly_analysis("2026-Q4")), tmp_path)
    assert complaints == ""
    for words in ("2026-Q4 重点项目季度分析", "开复工率", "化工产业链", "南湖县", "专项债券"):
        assert words in text


def test_pdf_of_a_quarter_without_snapshots_is_one_page_saying_so(conn):
    data = analysis_pdf(quarterly_analysis("2026-Q4"))
    assert data.startswith(b"%PDF")
    assert pdf_pages(data) == 1


def test_charts_compare_the_quarters_for_each_breakdown(city):
    images = analysis_charts(quarterly_analysis("2026-Q4"))
    assert set(images) == {"by_industry_chain", "by_county", "by_funding_source"}
    assert all(image.startswith(b"\x89PNG") for image in images.values())


def test_an_analysis_stored_before_funds_by_source_still_exports_its_funds(city):
    stored = from_json(to_json(quarterly_analysis("2026-Q4")))
    # Stored by an earlier version: funds_secured held the total, and nothing said where figures came from.
    rows = [stored["headline"], *stored["by_industry_chain"], *stored["by_county"]]
    for f in (row[when] for row in rows for when in ("current", "previous")):
        f["funds_secured"] = f.pop("funds_secured_total")
        for key in ("source", "week", "as_of", "by_status"):
            del f[key]
    book = load_workbook(io.BytesIO(analysis_workbook(stored)))
    overview = {row[0]: tuple(row[1:4]) for row in sheet_rows(book["总览"]) if row and row[0]}
    assert overview["争取到位资金（万元）"] == (1_800, 500, 1_300)
    assert analysis_pdf(stored).startswith(b"%PDF")
