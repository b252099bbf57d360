"""通报批评: the public criticism notice (CriticismNotice) as a .docx document (its .xlsx list is workbook.py).

notice_docx takes the notice as one plain dict (title, number, issuer, date,
as_of, preamble, entries, ranking) and returns the file's bytes, so the web
view, the scheduler and the tests share it. No Flask here; python-docx is
imported inside the functions, keeping the web app's start-up light.

The .docx follows the layout of Chinese government documents, GB/T 9704-2012:
A4, fixed margins, a red version head (issuing office, document number, red
rule), 小标宋 title, 仿宋_GB2312 3号 body on a fixed 22-lines-per-page grid,
黑体 and 楷体 headings, issuer and date at the end, and "— 1 —" page numbers."""

import io
import re

# Word refuses these in XML; they can reach us from pasted text.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


NUMERALS = "一二三四五六七八九十"


# The ranking's columns: the .docx table and the .xlsx sheet (workbook.py) show the same figures.
RANKING_HEADER = ("名称", "滞后项目数", "逾期问题数", "缺报周报数")


RANKING_KEYS = ("name", "lagging", "overdue_problems", "reports_missing")


# GB/T 9704-2012's fonts, sizes and page.
XIAOBIAOSONG = "方正小标宋简体"  # version head and title


FANGSONG = "仿宋_GB2312"  # body, document number


HEITI = "黑体"  # first-level headings 一、


KAITI = "楷体_GB2312"  # second-level headings （一）


SONGTI = "宋体"  # page numbers


RED = "FF0000"


SIZE_2, SIZE_3, SIZE_4 = 22, 16, 14  # 2号, 3号, 4号, in points


# 22 lines on the 225 mm high text block: 225 mm / 22 = 28.95 pt.
LINE = 28.95


TITLE_LINE = 35  # a 2号 line needs more than LINE


PAGE_MM = (210, 297)


MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}


HEAD_TOP_MM = 35  # 发文机关标志: its top edge 35 mm below the text block's top edge


FOOTER_MM = 23  # the page number's dash 7 mm below the text block: 35 - 7 - one 4号 line


# What may follow w:pBdr inside w:pPr (the schema fixes the order; Word rejects another).
PBDR_SUCCESSORS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def notice_docx(notice):
    """The notice as a .docx laid out after GB/T 9704-2012; every run carries its East Asian font."""
    from docx import Document

    document = Document()
    _page_setup(document)
    _version_head(document, notice)
    _body(document, notice)
    _signature(document, notice)
    _page_numbers(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def chinese_date(day):
    """2026年11月23日: Arabic numerals without leading zeros, as GB/T 9704 writes dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_number(number):
    """1 → 一, 10 → 十, 21 → 二十一 (1 to 99), for the headings （一）（二）…"""
    tens, units = divmod(number, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "") + (NUMERALS[units - 1] if units else "")


def set_font(target, name):
    """Set ``name`` as the Latin and the East Asian font of a run or a style.

    python-docx's ``font.name`` sets only w:ascii and w:hAnsi; Word draws
    Chinese characters with w:eastAsia, and without it falls back to the
    theme's font (宋体 or MS Mincho) whatever the Latin font says.
    """
    from docx.oxml.ns import qn

    target.font.name = name
    target._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _page_setup(document):
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(FOOTER_MM)
    normal = document.styles["Normal"]
    set_font(normal, FANGSONG)
    normal.font.size = Pt(SIZE_3)


def _run(paragraph, text, font=FANGSONG, size=SIZE_3, bold=False, color=None):
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(XML_ILLEGAL.sub("", text))
    set_font(run, font)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _paragraph(container, text="", font=FANGSONG, size=SIZE_3, align=None, indent=True, line=LINE, **run):
    """A paragraph of one run on the fixed line grid; ``indent`` is the body's two-character first-line indent."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = container.add_paragraph()
    layout = paragraph.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(line)
    layout.space_before = layout.space_after = Pt(0)
    if indent:
        layout.first_line_indent = Pt(2 * size)
    if align:
        paragraph.alignment = align
    if text:
        _run(paragraph, text, font, size, **run)
    return paragraph


def _version_head(document, notice):
    """版头: the issuing office in red, the document number, a red rule; then the title."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    center = WD_ALIGN_PARAGRAPH.CENTER
    issuer = _paragraph(
        document, notice["issuer"], XIAOBIAOSONG, SIZE_2, center, indent=False, line=TITLE_LINE, color=RED
    )
    issuer.paragraph_format.space_before = Mm(HEAD_TOP_MM)
    number = _paragraph(document, notice["number"], align=center, indent=False)
    number.paragraph_format.space_before = Pt(2 * LINE)  # 发文机关标志下空二行
    _bottom_border(number, RED)
    title = _paragraph(document, notice["title"], XIAOBIAOSONG, SIZE_2, center, indent=False, line=TITLE_LINE)
    title.paragraph_format.space_before = Pt(2 * LINE)  # 红色分隔线下空二行
    title.paragraph_format.space_after = Pt(LINE)  # 标题下空一行


def _bottom_border(paragraph, color):
    """The red rule under the document number, 4 mm (about 11 pt) below its text, as wide as the text block."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "11"), ("color", color)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *PBDR_SUCCESSORS)


def _body(document, notice):
    for text in notice["preamble"].splitlines():
        if text.strip():
            _paragraph(document, text.strip())
    _heading(document, "一、滞后项目情况")
    entries = notice["entries"]
    as_of = chinese_date(notice["as_of"])
    if not entries:
        _paragraph(document, f"截至{as_of}，无推进滞后的重点项目，本期无项目列入通报。")
    else:
        _paragraph(document, f"截至{as_of}，以下{len(entries)}个重点项目推进滞后，予以通报。")
    for index, entry in enumerate(entries):
        _paragraph(document, f"（{chinese_number(index + 1)}）{entry['name']}（{entry['code']}）", KAITI)
        _paragraph(
            document,
            f"项目单位：{entry['project_unit']}；包抓部门：{entry['lead_department']}；包抓领导：{entry['lead_official']}。",
        )
        if entry["reasons"]:
            _paragraph(document, f"滞后原因：{_reasons(entry['reasons'])}")
    _heading(document, "二、包抓部门和县区滞后情况排名")
    for index, (key, label) in enumerate((("departments", "包抓部门"), ("counties", "县区"))):
        _paragraph(document, f"（{chinese_number(index + 1)}）{label}", KAITI)
        if notice["ranking"][key]:
            _ranking_table(document, label, notice["ranking"][key])
        else:
            _paragraph(document, "无。")


def _heading(document, text):
    _paragraph(document, text, HEITI)


def _reasons(reasons):
    """开工时限已过未开复工：开工时限 …，尚未开复工。 — numbered （1）（2） when there are several."""
    parts = [f"{r['label']}：{r['detail'].rstrip('。；;.')}" if r["detail"] else r["label"] for r in reasons]
    if len(parts) > 1:
        parts = [f"（{i}）{part}" for i, part in enumerate(parts, start=1)]
    return "；".join(parts) + "。"


def _ranking_table(document, label, rows):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    header = ("序号", label, *RANKING_HEADER[1:])
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, HEITI)
    _repeat_header(table.rows[0])
    for index, row in enumerate(rows, start=1):
        cells = table.add_row().cells
        values = (index, row["name"], *(row[k] for k in RANKING_KEYS[1:]))
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if column == 1 else WD_ALIGN_PARAGRAPH.CENTER
            _cell_text(cell, str(value), FANGSONG, align)
    # The table's last border and the next heading need air between them.
    _paragraph(document, indent=False)


def _cell_text(cell, text, font, align=None):
    """Cell text in 4号, centred unless ``align`` says otherwise; tables do not use the body's line grid."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, font, SIZE_4)


def _repeat_header(row):
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _signature(document, notice):
    """发文机关署名 centred over 成文日期, which ends four characters from the right edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    date = chinese_date(notice["date"])
    date_indent = 4 * SIZE_3
    # Centre the issuer over the date; a longer issuer moves right, up to the edge.
    issuer_indent = max(0, date_indent + (_width(date) - _width(notice["issuer"])) / 2)
    _paragraph(document, indent=False)  # 正文下空一行
    for text, indent in ((notice["issuer"], issuer_indent), (date, date_indent)):
        paragraph = _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        paragraph.paragraph_format.right_indent = Pt(indent)


def _width(text, size=SIZE_3):
    """Printed width in points: a Chinese character is one em, a digit or Latin letter half of one."""
    return sum(size if ord(c) > 0x2E7F else size / 2 for c in text)


def _page_numbers(document):
    """— 1 —, 4号 宋体: right on odd pages, left on even pages, one character in from the edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        layout = paragraph.paragraph_format
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            layout.right_indent = Pt(SIZE_4)
        else:
            layout.left_indent = Pt(SIZE_4)
        _run(paragraph, "— ", SONGTI, SIZE_4)
        _page_field(paragraph)
        _run(paragraph, " —", SONGTI, SIZE_4)


def _page_field(paragraph):
    """A PAGE field as Word writes it: begin, instruction, separate, the number shown until updated, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def mark(element, **attributes):
        for key, value in attributes.items():
            element.set(qn(key), value)
        _run(paragraph, "", SONGTI, SIZE_4)._r.append(element)
        return element

    mark(OxmlElement("w:fldChar"), **{"w:fldCharType": "begin"})
    mark(OxmlElement("w:instrText"), **{"xml:space": "preserve"}).text = " PAGE "
    mark(OxmlElement("w:fldChar"), **{"w:fldCharType": "separate"})
    _run(paragraph, "1", SONGTI, SIZE_4)
    mark(OxmlElement("w:fldChar"), **{"w:fldCharType": "end"})
