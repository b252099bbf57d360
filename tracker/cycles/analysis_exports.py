"""The quarterly analysis rendered: its charts (PNG), the .xlsx workbook and the PDF.

Each takes the analysis dict of ``analysis.quarterly_analysis``, fresh or as a
cycle run stored it. The workbook is written through tracker.core.xlsx, so a
county or industry chain named like a formula stays text. matplotlib is
imported inside the functions that need it, keeping the web app's start-up
light."""

import io

from tracker.core import xlsx
from tracker.core.money import money
from tracker.cycles.analysis import BREAKDOWNS, METRICS, funds_total, metric

# What the breakdown tables by industry chain and county print.
GROUP_METRICS = (
    "projects",
    "under_way",
    "restart_rate",
    "investment_completed",
    "annual_plan_investment",
    "funds_secured",
)


def chart_rows(rows, key=None):
    """(label, current, previous) for charts.breakdown_chart from a breakdown of the analysis.

    ``key`` is a METRICS key for the chain and county breakdowns; the
    funding-source breakdown holds amounts and takes none.
    """
    if key is None:
        return [(row["label"], row["current"], row["previous"]) for row in rows]
    return [(row["label"], *_now_before_change(row, key)[:2]) for row in rows]


def analysis_charts(analysis):
    """{breakdown key: PNG} comparing the quarters: investment by chain and county, funds by source."""
    from tracker.cycles import charts

    return {key: charts.breakdown_chart(*spec) for key, spec in _chart_specs(analysis).items()}


def _chart_specs(analysis):
    """(title, rows, unit) of each breakdown's chart."""
    return {
        "by_industry_chain": (
            "完成投资（按产业链）",
            chart_rows(analysis["by_industry_chain"], "investment_completed"),
            "万元",
        ),
        "by_county": ("完成投资（按县区）", chart_rows(analysis["by_county"], "investment_completed"), "万元"),
        "by_funding_source": ("争取到位资金（按资金来源）", chart_rows(analysis["by_funding_source"]), "万元"),
    }


def _now_before_change(compared, key):
    """(this quarter, the quarter before, the change) of one figure of a {current, previous, change} dict.

    None stands for what the analysis lacks: a quarter without snapshots.
    """
    value = metric(key)[3]
    current, previous, change = compared["current"], compared["previous"], compared["change"]
    return (
        None if current is None else value(current),
        None if previous is None else value(previous),
        None if change is None else change[key],
    )


def analysis_workbook(analysis):
    """The analysis as an .xlsx: sheets 总览, 按产业链, 按县区, 按资金来源; numbers stored as numbers."""
    book = xlsx.new_workbook()
    _overview_sheet(book.active, analysis)
    for key in ("by_industry_chain", "by_county"):
        _group_sheet(book.create_sheet(f"按{BREAKDOWNS[key]}"), BREAKDOWNS[key], analysis[key])
    _funds_sheet(book.create_sheet("按资金来源"), analysis["by_funding_source"])
    if analysis.get("scores"):  # analyses stored before the scores have none
        _scores_sheet(book.create_sheet("加减分"), analysis["scores"])
    return xlsx.to_bytes(book)


def _overview_sheet(sheet, analysis):
    sheet.title = "总览"
    header = ["指标", "本季度", "上季度", "环比变化"]
    xlsx.append_title(sheet, f"{analysis['quarter']} 重点项目季度分析", across=len(header))
    periods = [
        ["本季度截至", analysis["closing_week"] or "无快照"],
        [f"上季度（{analysis['previous_quarter']}）截至", analysis["previous_closing_week"] or "无快照"],
    ]
    for values in periods:
        xlsx.append_row(sheet, values)
    if analysis["notice"]:
        xlsx.append_row(sheet, [analysis["notice"]])
    xlsx.append_row(sheet, [])
    xlsx.append_header(sheet, header)
    figures = [[_heading(key), *_now_before_change(analysis["headline"], key)] for key, *_ in METRICS]
    for values, (_, _, unit, _) in zip(figures, METRICS, strict=True):
        xlsx.append_row(sheet, values)
        _number_formats(sheet[sheet.max_row][1:], unit)
    xlsx.fit_columns(sheet, [*periods, header, *figures])
    xlsx.print_setup(sheet)


def _group_sheet(sheet, dimension, rows):
    """Two header rows: each figure over 本季度 / 上季度 / 变化."""
    quarters = ["本季度", "上季度", "变化"] * len(GROUP_METRICS)
    xlsx.append_header(sheet, [dimension, *(label for key in GROUP_METRICS for label in (_heading(key), None, None))])
    xlsx.append_header(sheet, [None, *quarters])
    sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)
    for index in range(len(GROUP_METRICS)):
        column = 2 + 3 * index
        sheet.merge_cells(start_row=1, start_column=column, end_row=1, end_column=column + 2)
    body = [[row["label"], *(value for key in GROUP_METRICS for value in _now_before_change(row, key))] for row in rows]
    for values in body:
        xlsx.append_row(sheet, values)
        for index, key in enumerate(GROUP_METRICS):
            _number_formats(sheet[sheet.max_row][1 + 3 * index : 4 + 3 * index], metric(key)[2])
    # A figure's heading spans its three columns, so the quarters' labels below it set their widths.
    xlsx.fit_columns(sheet, [[dimension, *quarters], *body])
    xlsx.freeze_panes(sheet, below_row=2, right_of_column=1)
    xlsx.print_setup(sheet, header_rows=(1, 2))


def _funds_sheet(sheet, rows):
    header = ["资金来源", "本季度（万元）", "上季度（万元）", "环比变化（万元）"]
    xlsx.append_header(sheet, header)
    body = [[row["label"], row["current"], row["previous"], row["change"]] for row in rows]
    for values in body:
        xlsx.append_row(sheet, values)
    if rows:
        total = [sum(r[k] for r in rows) if rows[0][k] is not None else None for k in ("current", "previous", "change")]
        xlsx.append_row(sheet, ["合计", *total], bold=True)
    for cells in sheet.iter_rows(min_row=2, min_col=2):
        _number_formats(cells, "万元")
    xlsx.fit_columns(sheet, [header, *body])
    xlsx.freeze_panes(sheet, below_row=1)
    xlsx.print_setup(sheet, header_rows=(1, 1))


# The kinds of unit a score belongs to (scores.points.UNIT_KINDS, as the stored analysis names them).
UNIT_KINDS = {"department": "部门", "county": "县区"}


def _scores_sheet(sheet, units):
    """加减分: each unit's score on its own row, then the items behind it (reason, reference, points)."""
    header = ["类别", "单位", "得分", "计分事项", "依据", "分值"]
    xlsx.append_header(sheet, header)
    body = []
    for unit in units:
        rows = [[UNIT_KINDS[unit["kind"]], unit["name"], unit["score"], None, None, None]]
        rows += [[None, None, None, item["reason"], item["ref"], item["points"]] for item in unit["breakdown"]]
        for n, values in enumerate(rows):
            xlsx.append_row(sheet, values, bold=n == 0)
        body += rows
    for cells in sheet.iter_rows(min_row=2):
        for cell in (cells[2], cells[5]):
            cell.number_format = "+0.00;-0.00;0.00"
    xlsx.fit_columns(sheet, [header, *body])
    xlsx.freeze_panes(sheet, below_row=1)
    xlsx.print_setup(sheet, header_rows=(1, 1))


def _heading(key):
    _, label, unit, _ = metric(key)
    return f"{label}（{unit}）"


def _number_formats(cells, unit):
    """Amounts with thousands separators and their cents, percentages with one decimal, counts whole;
    the change column signed."""
    number = {"%": "0.0", "个百分点": "0.00", "万元": xlsx.MONEY_FORMAT}.get(unit, "#,##0")
    for position, cell in enumerate(cells):
        cell.number_format = f"+{number};-{number};{number}" if position % 3 == 2 else number


# A4 landscape, in inches.
PAGE = (11.69, 8.27)


def analysis_pdf(analysis):
    """The analysis as a PDF: a title page with the headline figures, then one page per breakdown.

    Without a snapshot in the quarter the PDF is the title page with the notice.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    from tracker.cycles import charts  # noqa: F401 (importing it sets the Chinese font and its embedding)

    buffer = io.BytesIO()
    title = f"{analysis['quarter']} 重点项目季度分析"
    with PdfPages(buffer, metadata={"Title": title, "Creator": "key-project-tracker"}) as pdf:
        pdf.savefig(_title_page(analysis, title))
        if analysis["closing_week"]:
            for key, (chart_title, rows, unit) in _chart_specs(analysis).items():
                pdf.savefig(_breakdown_page(key, chart_title, rows, unit, analysis[key]))
        if analysis.get("scores"):
            pdf.savefig(_scores_page(analysis["scores"]))
    return buffer.getvalue()


def _scores_page(units):
    """The ranking of 加减分, departments beside counties (the items behind each are in the workbook)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=PAGE)
    figure.text(0.06, 0.92, "部门和县区加减分（明细见 Excel）", fontsize=18)
    for n, kind in enumerate(UNIT_KINDS):
        rows = [u for u in units if u["kind"] == kind][:25]
        cells = [[str(i), u["name"], f"{u['score']:+.2f}", str(len(u["breakdown"]))] for i, u in enumerate(rows, 1)]
        axes = figure.add_axes((0.04 + 0.48 * n, 0.04, 0.44, 0.84))
        _table(axes, ["名次", UNIT_KINDS[kind], "得分", "事项数"], cells, fontsize=9)
    return figure


def _title_page(analysis, title):
    from matplotlib.figure import Figure

    figure = Figure(figsize=PAGE)
    figure.text(0.06, 0.90, title, fontsize=24)
    figure.text(0.06, 0.84, _period_line(analysis), fontsize=12, color="#555f6d")
    if analysis["notice"]:
        figure.text(0.06, 0.70, analysis["notice"], fontsize=16)
        return figure
    cells = []
    for key, label, unit, _ in METRICS:
        now, before, change = _now_before_change(analysis["headline"], key)
        cells.append([label, _shown(now, unit), _shown(before, unit), _shown(change, unit, signed=True)])
    _table(figure.add_axes((0.06, 0.12, 0.88, 0.62)), ["指标", "本季度", "上季度", "环比变化"], cells, fontsize=13)
    return figure


def _breakdown_page(key, chart_title, rows, unit, breakdown):
    from matplotlib.figure import Figure

    from tracker.cycles.charts import plot_breakdown

    figure = Figure(figsize=PAGE)
    plot_breakdown(figure.add_axes((0.16, 0.55, 0.78, 0.38)), chart_title, rows, unit)
    header, cells = _breakdown_cells(key, breakdown)
    _table(figure.add_axes((0.04, 0.04, 0.92, 0.42)), header, cells, fontsize=10 if len(cells) <= 12 else 8)
    return figure


def _breakdown_cells(key, rows):
    """The table under a breakdown's chart: each figure this quarter, and its change where it matters."""
    if key == "by_funding_source":
        header = ["资金来源", "本季度", "上季度", "环比变化"]
        return header, [
            [row["label"], money(row["current"]), money(row["previous"]), _shown(row["change"], "万元", signed=True)]
            for row in rows
        ]
    header = [
        BREAKDOWNS[key],
        "项目数",
        "开工/复工",
        "开复工率",
        "环比",
        "完成投资",
        "环比",
        "年度计划投资",
        "到位资金",
        "环比",
    ]
    cells = []
    for row in rows:
        now, change = row["current"], row["change"] or {}
        cells.append(
            [
                row["label"],
                str(now["projects"]),
                str(now["restart_rate"]["numerator"]),
                f"{now['restart_rate']['percent']}%",
                _shown(change.get("restart_rate"), "%", signed=True),
                money(now["investment_completed"]),
                _shown(change.get("investment_completed"), "万元", signed=True),
                money(now["annual_plan_investment"]),
                money(funds_total(now)),
                _shown(change.get("funds_secured"), "万元", signed=True),
            ]
        )
    return header, cells


def _period_line(analysis):
    current = f"数据截至 {analysis['closing_week'] or '—'}（{analysis['first_day']} 至 {analysis['last_day']}）"
    return f"{current}；对比上季度 {analysis['previous_quarter']}，截至 {analysis['previous_closing_week'] or '—'}"


def _shown(value, unit, signed=False):
    """A figure as the tables print it: amounts through money(), changes signed, percentages in points."""
    if value is None:
        return "—"
    sign = "+" if signed and value > 0 else ""
    if unit == "万元":
        return sign + money(value)
    if unit == "%":
        return f"{sign}{value}{'个百分点' if signed else '%'}"
    if unit == "个百分点":
        return f"{'+' if value > 0 else ''}{value} 个百分点"
    return f"{sign}{value}"


def _table(ax, header, cells, fontsize):
    ax.set_axis_off()
    if not cells:
        return
    table = ax.table(cellText=cells, colLabels=header, loc="upper center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(fontsize)
    table.scale(1, 1.6)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor("#c9ced6")
        if row == 0:
            cell.set_facecolor("#f0f2f5")
