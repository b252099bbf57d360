"""通报批评 as files: the .xlsx list and the .docx notice laid out after GB/T 9704-2012."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import load_workbook

from tracker.notices.documents import chinese_number, notice_docx, official_text, title_lines
from tracker.notices.workbook import notice_workbook

LATE = {"rule": "deadline_passed", "label": "开工时限已过未开复工"}
LATE["detail"] = "开工时限 2026-10-31，截至 2026-11-22 已超期 22 天，尚未开复工"
SILENT = {"rule": "reports_missing", "label": "连续缺报周报", "detail": "连续 3 周未填报周报"}
OVERDUE = {"rule": "problem_overdue", "label": "问题解决拖延", "detail": "=征地问题逾期 15 天未解决"}


def entry(code, name, reasons):
    unit = f"{name}公司"
    return dict(
        code=code, name=name, project_unit=unit, lead_department="市发改委", lead_official="张三", reasons=reasons
    )


def figures(name, lagging):
    return {"name": name, "lagging": lagging, "overdue_problems": 2, "reports_missing": 1}


def sample(entries=None):
    return {
        "title": "关于2026年11月重点项目推进滞后情况的通报",
        "number": "X重项办〔2026〕12号",
        "issuer": "X市重点项目建设领导小组办公室",
        "date": dt.date(2026, 11, 23),
        "as_of": dt.date(2026, 11, 22),
        "preamble": "为压实责任，现将重点项目推进滞后情况通报如下。",
        "entries": entries
        if entries is not None
        else [
            entry("2026-00012", "城东污水处理厂", [LATE, SILENT]),
            entry("2026-00031", '=HYPERLINK("http://x")物流园', [OVERDUE]),
        ],
        "ranking": {
            "departments": [figures("市发改委", 3), figures("市工信局", 1)],
            "counties": [figures("东城区", 2)],
        },
    }


def texts(document):
    """Every paragraph's text, body and table cells, in order."""
    return [node.xpath("string(.)") for node in document.element.body.iter(qn("w:p"))]


def test_workbook_lists_every_project_with_reasons_and_details():
    sheet = load_workbook(io.BytesIO(notice_workbook(sample())))["通报"]
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["关于2026年11月重点项目推进滞后情况的通报"]
    assert ["文号", "X重项办〔2026〕12号"] in values
    assert ["发布日期", "2026年11月23日", "统计截至", "2026年11月22日"] in values
    header = values.index(["序号", "项目编号", "项目名称", "项目单位", "包抓部门", "包抓领导", "滞后原因", "具体情况"])
    first, second = values[header + 1 :]
    assert first[:3] == [1, "2026-00012", "城东污水处理厂"]
    assert first[6:] == [f"1. {LATE['label']}\n2. {SILENT['label']}", f"1. {LATE['detail']}\n2. {SILENT['detail']}"]
    assert second[6:] == [OVERDUE["label"], "'" + OVERDUE["detail"]]


def test_workbook_keeps_formula_looking_text_as_text():
    sheet = load_workbook(io.BytesIO(notice_workbook(sample())))["通报"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert '\'=HYPERLINK("http://x")物流园' in [c.value for c in cells]


def test_workbook_ranking_sheet_keeps_order():
    sheet = load_workbook(io.BytesIO(notice_workbook(sample())))["红黑榜"]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert rows == [
        ("部门", None, None, None),
        ("名称", "滞后项目数", "逾期问题数", "缺报周报数"),
        ("市发改委", 3, 2, 1),
        ("市工信局", 1, 2, 1),
        ("县区", None, None, None),
        ("名称", "滞后项目数", "逾期问题数", "缺报周报数"),
        ("东城区", 2, 2, 1),
    ]


def test_docx_page_is_a4_with_gb_margins():
    section = Document(io.BytesIO(notice_docx(sample()))).sections[0]
    expected = [210, 297, 37, 35, 28, 26]
    actual = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    actual += [section.left_margin, section.right_margin]
    assert [abs(a - Mm(e)) <= Mm(0.5) for a, e in zip(actual, expected, strict=True)] == [True] * 6


def test_docx_every_run_has_an_east_asian_font():
    document = Document(io.BytesIO(notice_docx(sample())))
    section = document.sections[0]
    parts = [document.element.body, section.footer._element]
    runs = [run for part in parts for run in part.iter(qn("w:r"))]
    assert len(runs) > 20
    assert [r for r in runs if r.find(qn("w:rPr") + "/" + qn("w:rFonts")).get(qn("w:eastAsia")) is None] == []
    languages = {r.find(qn("w:rPr") + "/" + qn("w:lang")).get(qn("w:eastAsia")) for r in runs}
    assert languages == {"zh-CN"}
    assert any(run.xpath("string(.)") == "— " for run in section.footer._element.iter(qn("w:r")))
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_docx_version_head_then_title_then_body_fonts():
    document = Document(io.BytesIO(notice_docx(sample())))
    paragraphs = [p for p in document.paragraphs if p.text]
    lines = [p.text for p in paragraphs]
    issuer, number, title = (
        lines.index(t)
        for t in ("X市重点项目建设领导小组办公室", "X重项办〔2026〕12号", "关于2026年11月重点项目\n推进滞后情况的通报")
    )
    assert issuer < number < title
    assert {(r.font.name, _east_asian(r), r.font.size) for r in paragraphs[title].runs} == {
        ("方正小标宋简体", "方正小标宋简体", Pt(22))
    }
    body = paragraphs[lines.index("为压实责任，现将重点项目推进滞后情况通报如下。")]
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert Pt(28) <= body.paragraph_format.line_spacing <= Pt(29)
    assert {(_east_asian(r), r.font.size) for r in body.runs} == {("仿宋_GB2312", Pt(16))}
    heading = paragraphs[lines.index("一、滞后项目情况")]
    assert {(_east_asian(r), r.font.size) for r in heading.runs} == {("黑体", Pt(16))}
    assert lines[-4:-2] == ["X市重点项目建设领导小组办公室", "2026年11月23日"]


def _east_asian(run):
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_names_every_project_and_reason_and_ranks():
    text = "\n".join(texts(Document(io.BytesIO(notice_docx(sample())))))
    for item in sample()["entries"]:
        assert item["name"] in text
        for reason in item["reasons"]:
            assert reason["label"] in text and official_text(reason["detail"]) in text
    assert "市工信局" in text and "东城区" in text


def test_docx_reasons_read_as_sentences_with_chinese_dates():
    lines = texts(Document(io.BytesIO(notice_docx(sample()))))
    assert "该项目问题解决拖延：=征地问题逾期15天未解决。" in lines
    assert (
        "该项目存在以下问题：一是开工时限已过未开复工：开工时限2026年10月31日，截至2026年11月22日已超期22天，"
        "尚未开复工；二是连续缺报周报：连续3周未填报周报。"
    ) in lines
    assert not [line for line in lines if "滞后原因：" in line or "2026-1" in line]


def test_docx_rectification_copy_to_and_printing_line_come_from_the_settings():
    notice = {**sample(), "rectification": "各单位于{deadline}前报送{issuer}。", "rectification_days": 10}
    lines = texts(Document(io.BytesIO(notice_docx({**notice, "copy_to": ["市委办公室", "市纪委监委"]}))))
    assert lines.index("三、整改要求") < lines.index("各单位于2026年12月3日前报送X市重点项目建设领导小组办公室。")
    assert "抄送：市委办公室，市纪委监委。" in lines
    assert lines[-1] == "X市重点项目建设领导小组办公室2026年11月23日印发"  # a tab between
    assert not [line for line in texts(Document(io.BytesIO(notice_docx({**notice, "copy_to": []})))) if "抄送" in line]


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("关于2026年11月重点项目推进滞后情况的通报", ["关于2026年11月重点项目", "推进滞后情况的通报"]),
        ("关于重点项目推进滞后情况的通报", ["关于重点项目推进滞后情况的通报"]),
        (
            "关于2026年第四季度全市重点项目建设推进不力问题整改情况的通报",
            ["关于2026年第四季度全市重点项目", "建设推进不力问题整改情况的通报"],
        ),
    ],
)
def test_a_long_title_breaks_by_meaning_and_never_leaves_tongbao_alone(title, lines):
    assert title_lines(title) == lines


def test_docx_without_entries_says_no_project_is_listed():
    document = Document(io.BytesIO(notice_docx(sample(entries=[]))))
    assert "截至2026年11月22日，无推进滞后的重点项目，本期无项目列入通报。" in texts(document)


@pytest.mark.parametrize(("number", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一")])
def test_entries_are_numbered_in_chinese(number, text):
    assert chinese_number(number) == text


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_docx_reads_as_a_red_header_document_in_print(tmp_path):
    (tmp_path / "notice.docx").write_bytes(notice_docx(sample()))
    command = ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "notice.docx")]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "notice.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    lines = [line.replace(" ", "") for line in pages.splitlines() if line.strip()]
    masthead, number = lines.index("X市重点项目建设领导小组办公室"), lines.index("X重项办〔2026〕12号")
    assert masthead < number < lines.index("关于2026年11月重点项目") < lines.index("推进滞后情况的通报")
    assert not [line for line in lines if line in ("通报", "的通报")]
    assert "2026年11月23日" in lines and "截至2026年11月22日，以下2个重点项目推进滞后，予" in lines
    assert "三、整改要求" in lines and lines[-2] == "X市重点项目建设领导小组办公室2026年11月23日印发"
    assert any(line.startswith("抄送：市委办公室") for line in lines)
    assert [line for line in lines if line.startswith("—")] == ["—1—", "—2—", "—3—"]
