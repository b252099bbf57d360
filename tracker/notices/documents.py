"""通报批评: the public criticism notice (CriticismNotice) as a .docx document (its .xlsx list is workbook.py).

notice_docx takes the notice as one plain dict (title, number, issuer, date,
as_of, preamble, entries, ranking, and the [notices] settings rectification,
rectification_days and copy_to) and returns the file's bytes, so the web
view, the scheduler and the tests share it. No Flask here; python-docx is
imported inside the functions, keeping the web app's start-up light.

The .docx is a 红头文件 laid out after GB/T 9704-2012: A4, fixed margins, the
red 发文机关标志 (the issuing office, large, centred), the 文号 under it and the
red rule; a 小标宋 2号 title broken by meaning; the body in 仿宋_GB2312 3号 on
a fixed 22-lines-per-page grid, 黑体 and 楷体 headings; 整改要求; issuer and
date; the 版记 (抄送, 印发); "— 1 —" page numbers. Every run and style says
its East Asian language is zh-CN, so a reader without the government fonts
gets a Simplified Chinese face, not a Japanese one."""

import datetime as dt
import io
import itertools
import re

from tracker.core.config import DEFAULTS

# Word refuses these in XML; they can reach us from pasted text.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


NUMERALS = "一二三四五六七八九十"


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


ISO_WEEK = re.compile(r"\b(\d{4})-W(\d{2})\b")


SPACE_BY_CHINESE = re.compile(r"(?<=[\u2e80-\uffff]) +| +(?=[\u2e80-\uffff])")


# Where a title may break: after these words, or before these.
TITLE_BREAK_AFTER = re.compile(r"关于|\d+年(度)?|\d+月(份)?|第[一二三四]季度|项目|情况|工作|问题")


TITLE_BREAK_BEFORE = re.compile(r"的通报|的通知|的决定")


# The ranking's columns: the .docx table and the .xlsx sheet (workbook.py) show the same figures.
RANKING_HEADER = ("名称", "滞后项目数", "逾期问题数", "缺报周报数")


RANKING_KEYS = ("name", "lagging", "overdue_problems", "reports_missing")


# GB/T 9704-2012's fonts, sizes and page.
XIAOBIAOSONG = "方正小标宋简体"  # version head and title


FANGSONG = "仿宋_GB2312"  # body, document number


HEITI = "黑体"  # first-level headings 一、


KAITI = "楷体_GB2312"  # second-level headings （一）


SONGTI = "宋体"  # page numbers


# Where the government fonts are not installed: the font table names the alternative Windows has
# (w:altName: 仿宋, 楷体, SimHei, SimSun) and the kind of face (serif "roman", sans "swiss"), so Word
# falls back to a Chinese face of the same kind, and LibreOffice to Noto Serif / Sans CJK SC.
FALLBACKS = {
    XIAOBIAOSONG: ("宋体", "roman"),
    FANGSONG: ("仿宋", "roman"),
    HEITI: ("SimHei", "swiss"),
    KAITI: ("楷体", "roman"),
    SONGTI: ("SimSun", "roman"),
}


LANGUAGE = "zh-CN"


RED = "FF0000"


SIZE_2, SIZE_3, SIZE_4 = 22, 16, 14  # 2号, 3号, 4号, in points


# The 发文机关标志 is as large as fits the text block on one line, up to this size.
HEAD_MAX_SIZE = 36


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
    """The notice as a .docx laid out after GB/T 9704-2012; every run carries its East Asian font and language."""
    return official_document(notice, _body)


def official_document(content, body):
    """A 红头文件 after GB/T 9704-2012 as .docx bytes: ``body(document, content)`` writes what lies between the
    title and 整改要求; ``content`` has title, number, issuer, date and, or else the [notices] defaults,
    rectification, rectification_days and copy_to. The criticism notice and the 督查通报 are both made here."""
    from docx import Document

    settings = {**DEFAULTS["notices"], **content}
    document = Document()
    _page_setup(document)
    _version_head(document, content)
    body(document, content)
    _rectification(document, settings)
    _signature(document, content)
    _record(document, settings)
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
    """Set ``name`` as the Latin and the East Asian font of a run or a style, and zh-CN as its language.

    python-docx's ``font.name`` sets only w:ascii and w:hAnsi; Word draws
    Chinese characters with w:eastAsia, and without it falls back to the
    theme's font whatever the Latin font says. The language decides the rest:
    python-docx's template says en-US, and LibreOffice then sets Chinese in a
    Japanese face (Noto Sans CJK JP), with Japanese forms of some characters.
    """
    from docx.oxml.ns import qn

    target.font.name = name
    properties = target._element.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    _set_language(properties)


def official_text(text):
    """A detail as a government document writes it: 2026-10-31 → 2026年10月31日, 2026-W47 → 2026年第47周,
    and no spaces between Chinese and figures ("超期 22 天" → "超期22天")."""
    text = ISO_DATE.sub(lambda m: chinese_date(dt.date(*map(int, m.groups()))), text)
    text = ISO_WEEK.sub(lambda m: f"{m[1]}年第{int(m[2])}周", text)
    return SPACE_BY_CHINESE.sub("", text)


def title_lines(title, size=SIZE_2):
    """The title as the lines it is set in: one if it fits, else two split where the meaning allows.

    GB/T 9704 asks for a title that breaks with its words whole and its lines
    balanced (梯形 or 菱形). The split is taken at a word's end (after 关于…,
    a date, 项目, 情况, before 的通报 …) where the two lines come closest in
    width; "通报" never stands alone on a line.
    """
    width = _text_width_pt()
    if _width(title, size) <= width:
        return [title]
    breaks = {m.end() for m in TITLE_BREAK_AFTER.finditer(title)}
    breaks |= {m.start() for m in TITLE_BREAK_BEFORE.finditer(title)}

    def fits(b):
        return max(_width(title[:b], size), _width(title[b:], size)) <= width

    candidates = [b for b in breaks if 0 < b < len(title) and fits(b)]
    # No word end fits: the balanced split by width, still not leaving 通报 (or half of it) alone.
    candidates = candidates or [b for b in range(1, len(title) - 2) if fits(b)] or [len(title) // 2]
    best = min(candidates, key=lambda b: abs(_width(title[:b], size) - _width(title[b:], size)))
    return [title[:best], title[best:]]


def _set_language(properties):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.insert_element_before(language, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    for key in ("val", "eastAsia"):
        language.set(qn(f"w:{key}"), LANGUAGE)


def _page_setup(document):
    from docx.oxml.ns import qn
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
    _set_language(document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")))
    _font_table(document)


def _text_width_pt():
    return (PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) * 72 / 25.4


def _font_table(document):
    """Declare each font with its Windows alternative and kind, for machines without the government fonts."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement, parse_xml
    from docx.oxml.ns import qn
    from lxml import etree

    part = document.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    for name, (alternative, family) in FALLBACKS.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alternative), ("w:charset", "86"), ("w:family", family)):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        table.append(font)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _run(paragraph, text, font=FANGSONG, size=SIZE_3, bold=False, color=None):
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(XML_ILLEGAL.sub("", text))
    set_font(run, font)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def paragraph(container, text="", font=FANGSONG, size=SIZE_3, align=None, indent=True, line=LINE, **run):
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
    """版头: the issuing office large and red, the document number, a red rule; then the title."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    center = WD_ALIGN_PARAGRAPH.CENTER
    size = _head_size(notice["issuer"])
    issuer = paragraph(document, notice["issuer"], XIAOBIAOSONG, size, center, indent=False, line=size * 1.3, color=RED)
    issuer.paragraph_format.space_before = Mm(HEAD_TOP_MM)
    number = paragraph(document, notice["number"], align=center, indent=False)
    number.paragraph_format.space_before = Pt(2 * LINE)  # 发文机关标志下空二行
    _bottom_border(number, RED)
    title = paragraph(document, align=center, indent=False, line=TITLE_LINE)
    for index, line in enumerate(title_lines(notice["title"])):
        if index:
            _run(title, "", XIAOBIAOSONG, SIZE_2).add_break(WD_BREAK.LINE)
        _run(title, line, XIAOBIAOSONG, SIZE_2)
    title.paragraph_format.space_before = Pt(2 * LINE)  # 红色分隔线下空二行
    title.paragraph_format.space_after = Pt(LINE)  # 标题下空一行
    title.paragraph_format.keep_together = True


def _head_size(issuer):
    """The 发文机关标志's size: as large as fits one line of the text block, at most HEAD_MAX_SIZE, in whole points."""
    return max(SIZE_2, min(HEAD_MAX_SIZE, int(0.95 * _text_width_pt() / (_width(issuer, 1) or 1))))


def _bottom_border(paragraph, color):
    """The red rule under the document number, 4 mm (about 11 pt) below its text, as wide as the text block."""
    _borders(paragraph, color, bottom="12", space="11")


def _borders(paragraph, color, space="4", **sides):
    """Rules above and below a paragraph: ``sides`` maps top/bottom to a width in eighths of a point."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    for side in ("top", "bottom"):
        if side not in sides:
            continue
        rule = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", sides[side]), ("space", space), ("color", color)):
            rule.set(qn(f"w:{key}"), value)
        borders.append(rule)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *PBDR_SUCCESSORS)


def _body(document, notice):
    for text in notice["preamble"].splitlines():
        if text.strip():
            paragraph(document, text.strip())
    heading(document, "一、滞后项目情况")
    entries = notice["entries"]
    as_of = chinese_date(notice["as_of"])
    if not entries:
        paragraph(document, f"截至{as_of}，无推进滞后的重点项目，本期无项目列入通报。")
    else:
        paragraph(document, f"截至{as_of}，以下{len(entries)}个重点项目推进滞后，予以通报。")
    for index, entry in enumerate(entries):
        paragraph(document, f"（{chinese_number(index + 1)}）{entry['name']}（{entry['code']}）", KAITI)
        paragraph(
            document,
            f"项目单位：{entry['project_unit']}；包抓部门：{entry['lead_department']}；包抓领导：{entry['lead_official']}。",
        )
        if entry["reasons"]:
            paragraph(document, reasons_sentence(entry["reasons"]))
    heading(document, "二、包抓部门和县区滞后情况排名")
    for index, (key, label) in enumerate((("departments", "包抓部门"), ("counties", "县区"))):
        paragraph(document, f"（{chinese_number(index + 1)}）{label}", KAITI)
        if notice["ranking"][key]:
            _ranking_table(document, label, notice["ranking"][key])
        else:
            paragraph(document, "无。")


def heading(document, text):
    paragraph(document, text, HEITI)


def reasons_sentence(reasons):
    """Why a project is listed, as the notice says it: 该项目问题逾期未解决：问题“…”…已逾期15天。

    Several reasons are counted out: 该项目存在以下问题：一是…：…；二是…：…。
    """
    parts = [
        f"{r['label']}：{official_text(r['detail']).rstrip('。；;.')}" if r["detail"] else r["label"] for r in reasons
    ]
    if len(parts) == 1:
        return f"该项目{parts[0]}。"
    counted = [f"{chinese_number(i)}是{part}" for i, part in enumerate(parts, start=1)]
    return f"该项目存在以下问题：{'；'.join(counted)}。"


def _ranking_table(document, label, rows):
    values = [(index, row["name"], *(row[k] for k in RANKING_KEYS[1:])) for index, row in enumerate(rows, start=1)]
    table(document, ("序号", label, *RANKING_HEADER[1:]), values, left=(1,))


def table(document, header, rows, left=(), widths_mm=None):
    """A ruled table in 4号: 黑体 header repeated on every page, 仿宋 cells, centred but the ``left`` columns.

    ``widths_mm`` fixes the columns' widths (together the text block's); without it they share it evenly."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        _cell_text(cell, text, HEITI)
    _repeat_header(grid.rows[0])
    for values in rows:
        row = grid.add_row()
        _keep_row_whole(row)
        cells = row.cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if column in left else WD_ALIGN_PARAGRAPH.CENTER
            _cell_text(cell, str(value), FANGSONG, align)
    if widths_mm:
        _column_widths(grid, widths_mm)
    # The table's last border and the next heading need air between them.
    paragraph(document, indent=False)


def _column_widths(grid, widths_mm):
    """Fixed column widths: the grid's (LibreOffice reads it) and every cell's (Word does), autofit off."""
    from docx.shared import Mm

    grid.autofit = False
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _cell_text(cell, text, font, align=None):
    """Cell text in 4号, centred unless ``align`` says otherwise; tables do not use the body's line grid."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, font, SIZE_4)


def _keep_row_whole(row):
    """A row is not split across two pages: its cells stay readable side by side."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row):
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _rectification(document, settings):
    """三、整改要求: the configured text, one paragraph a line, {deadline} and {issuer} filled in."""
    deadline = settings["date"] + dt.timedelta(days=settings["rectification_days"])
    heading(document, "三、整改要求")
    for text in settings["rectification"].splitlines():
        if text.strip():
            text = text.strip().replace("{deadline}", chinese_date(deadline))
            paragraph(document, text.replace("{issuer}", settings["issuer"]))


def _signature(document, notice):
    """发文机关署名 centred over 成文日期, which ends four characters from the right edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    date = chinese_date(notice["date"])
    date_indent = 4 * SIZE_3
    # Centre the issuer over the date; a longer issuer moves right, up to the edge.
    issuer_indent = max(0, date_indent + (_width(date) - _width(notice["issuer"])) / 2)
    paragraph(document, indent=False)  # 正文下空一行
    for text, indent in ((notice["issuer"], issuer_indent), (date, date_indent)):
        line = paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        line.paragraph_format.right_indent = Pt(indent)


def _record(document, settings):
    """版记: 抄送 and the 印发 line (issuer on the left, the date and 印发 on the right), 4号, between rules.

    The first and the last rule are thick (0.35 mm), the one between thin
    (0.25 mm); the block is one character in from either side, and held
    together on one page."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Pt

    paragraph(document, indent=False)
    paragraph(document, indent=False)
    lines = []
    if settings["copy_to"]:
        lines.append(paragraph(document, f"抄送：{'，'.join(settings['copy_to'])}。", size=SIZE_4, indent=False))
    printed = paragraph(document, settings["issuer"], size=SIZE_4, indent=False)
    _run(printed, f"\t{chinese_date(settings['date'])}印发", size=SIZE_4)
    right = _text_width_pt() - SIZE_4  # the right indent: the date ends one character in
    printed.paragraph_format.tab_stops.add_tab_stop(Pt(right), WD_TAB_ALIGNMENT.RIGHT)
    lines.append(printed)
    for index, line in enumerate(lines):
        layout = line.paragraph_format
        layout.left_indent = layout.right_indent = Pt(SIZE_4)
        layout.keep_with_next = index < len(lines) - 1
        sides = {"bottom": "8" if index < len(lines) - 1 else "12"}
        if index == 0:
            sides["top"] = "12"
        _borders(line, "000000", **sides)


def _width(text, size=SIZE_3):
    """Printed width in points: a Chinese character is one em, a digit or Latin letter half of one,
    and Word and LibreOffice put a quarter em between Chinese and a figure (2026年 → "2026 年")."""
    wide = [ord(c) > 0x2E7F for c in text]
    gaps = sum(a != b for a, b in itertools.pairwise(wide))
    return sum(size if w else size / 2 for w in wide) + gaps * size / 4


def _page_numbers(document):
    """— 1 —, 4号 宋体, centred in the footer; the number is a PAGE field, so every page shows its own."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
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
