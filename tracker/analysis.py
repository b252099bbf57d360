"""季分析: the quarterly analysis by industry chain, county and funding source, quarter over quarter.

Everything is read from stored snapshots: a quarter's figures are those of its
closing week, the last snapshotted week whose Monday falls in the quarter, so
the analysis of a past quarter does not move when projects are edited later.
Each breakdown is one GROUP BY over project_snapshot covering both quarters.

The analysis is a JSON-serialisable dict, so a cycle run can store it and the
workbook and PDF can be rebuilt from the stored copy. matplotlib and openpyxl
are imported inside the functions that need them, keeping the web app's
start-up light.
"""

import datetime as dt
import io
from collections import namedtuple

from peewee import fn

from .formatting import money
from .models import FUNDING_SOURCES
from .periods import PeriodError, next_period, period_of, period_start, previous_period
from .snapshots import ProjectSnapshot, WeekFunds, WeekTotals, figure_columns, totals_figures
from .weeks import week_of


class QuarterError(PeriodError):
    """A quarter label is not of the form 2026-Q4."""


# The shape snapshots.totals_figures reads, for a group of projects instead of the city.
_Totals = namedtuple(
    "_Totals", "projects under_way investment_completed annual_plan_investment funds_secured reports_missing"
)
_NOTHING = _Totals(0, 0, 0, 0, 0, 0)

# (key, label, unit, value in a figures dict): the figures every table prints, in order;
# "change" in the analysis uses the same keys. Percentages change in percentage points.
METRICS = (
    ("projects", "重点项目数", "个", lambda f: f["projects"]),
    ("under_way", "开工/复工项目数", "个", lambda f: f["restart_rate"]["numerator"]),
    ("restart_rate", "开复工率", "%", lambda f: f["restart_rate"]["percent"]),
    ("investment_completed", "完成投资", "万元", lambda f: f["investment_completed"]),
    ("annual_plan_investment", "年度计划投资", "万元", lambda f: f["annual_plan_investment"]),
    ("investment_percent", "投资完成率", "%", lambda f: f["investment_percent"]),
    ("funds_secured", "争取到位资金", "万元", lambda f: f["funds_secured"]),
    ("reports_missing", "未填报周报", "个", lambda f: f["reports_missing"]),
)
# What the breakdown tables by industry chain and county print.
GROUP_METRICS = (
    "projects",
    "under_way",
    "restart_rate",
    "investment_completed",
    "annual_plan_investment",
    "funds_secured",
)
BREAKDOWNS = {"by_industry_chain": "产业链", "by_county": "县区", "by_funding_source": "资金来源"}


# Quarters ----------------------------------------------------------------------


def quarter_of(day):
    """The quarter label of a date: 2026-11-23 -> "2026-Q4"."""
    return period_of("quarterly", day)


def quarter_bounds(quarter):
    """(first day, last day) of a quarter label; raises QuarterError for a malformed one."""
    first = _quarter_start(quarter)
    return first, period_start("quarterly", next_period("quarterly", quarter)) - dt.timedelta(days=1)


def previous_quarter(quarter):
    """The quarter before: "2026-Q1" -> "2025-Q4"."""
    _quarter_start(quarter)
    return previous_period("quarterly", quarter)


def closing_week(quarter):
    """The last week with a snapshot whose Monday falls within the quarter, or None."""
    first, last = quarter_bounds(quarter)
    first_monday = first + dt.timedelta(days=-first.weekday() % 7)
    last_monday = last - dt.timedelta(days=last.weekday())
    # "2026-W09" labels sort as the weeks do, so a range of labels is a range of weeks.
    return (
        WeekTotals.select(fn.MAX(WeekTotals.week))
        .where(WeekTotals.week.between(week_of(first_monday), week_of(last_monday)))
        .scalar()
    )


def _quarter_start(quarter):
    try:
        return period_start("quarterly", quarter if isinstance(quarter, str) else "")
    except PeriodError as e:
        raise QuarterError(f"季度格式应为 2026-Q4，收到 {quarter!r}") from e


# The analysis ------------------------------------------------------------------


def quarterly_analysis(quarter):
    """The figures of ``quarter`` and the one before, city-wide and by chain, county and source.

    Returns a JSON-serialisable dict: quarter, first_day, last_day (ISO dates),
    closing_week and previous_closing_week (week labels or None),
    previous_quarter, notice (why there is nothing to analyse, else None),
    headline {current, previous, change}, by_industry_chain and by_county
    [{label, current, previous, change}], by_funding_source [{source, label,
    current, previous, change}]. current/previous are the figures of
    snapshots.totals_figures; change maps each METRICS key to the difference
    (percentages in points); previous and change are None without a
    snapshot in the previous quarter.
    """
    first, last = quarter_bounds(quarter)
    previous = previous_quarter(quarter)
    week, previous_week = closing_week(quarter), closing_week(previous)
    analysis = {
        "quarter": quarter,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "closing_week": week,
        "previous_quarter": previous,
        "previous_closing_week": previous_week,
        "notice": None if week else f"{quarter} 尚无周调度快照，暂无可分析的数据",
        "headline": {"current": None, "previous": None, "change": None},
        "by_industry_chain": [],
        "by_county": [],
        "by_funding_source": [],
    }
    if week is None:
        return analysis
    analysis["headline"] = _headline(week, previous_week)
    analysis["by_industry_chain"] = _breakdown(ProjectSnapshot.industry_chain, week, previous_week)
    analysis["by_county"] = _breakdown(ProjectSnapshot.county, week, previous_week)
    analysis["by_funding_source"] = _by_funding_source(week, previous_week)
    return analysis


def _headline(week, previous_week):
    totals = {
        row.week: totals_figures(row)
        for row in WeekTotals.select().where(WeekTotals.week.in_(_weeks(week, previous_week)))
    }
    return _compared(totals[week], totals.get(previous_week))


def _breakdown(field, week, previous_week):
    """One row per group (industry chain or county), most projects first, from one GROUP BY."""
    s = ProjectSnapshot
    query = (
        s.select(s.week, field, *figure_columns())
        .where(s.week.in_(_weeks(week, previous_week)))
        .group_by(s.week, field)
        .tuples()
    )
    groups = {(w, label): _Totals(*(int(v) for v in values)) for w, label, *values in query}
    # A group may exist in one quarter only (a new county, projects moved): it counts zero in the other.
    rows = [
        {
            "label": label,
            **_compared(
                totals_figures(groups.get((week, label), _NOTHING)),
                totals_figures(groups.get((previous_week, label), _NOTHING)) if previous_week else None,
            ),
        }
        for label in {label for _, label in groups}
    ]
    return sorted(rows, key=lambda row: (-row["current"]["projects"], row["label"]))


def _by_funding_source(week, previous_week):
    """Funds secured by source at both closing weeks; every known source listed, in the list's order."""
    amounts = {w: {} for w in _weeks(week, previous_week)}
    query = WeekFunds.select(WeekFunds.week, WeekFunds.source, WeekFunds.amount).where(
        WeekFunds.week.in_(list(amounts))
    )
    for w, source, amount in query.tuples():
        amounts[w][source] = int(amount)
    current, before = amounts[week], amounts.get(previous_week)
    sources = [*FUNDING_SOURCES, *sorted((set(current) | set(before or {})) - set(FUNDING_SOURCES))]
    return [
        {
            "source": source,
            "label": FUNDING_SOURCES.get(source, source),
            "current": current.get(source, 0),
            "previous": None if before is None else before.get(source, 0),
            "change": None if before is None else current.get(source, 0) - before.get(source, 0),
        }
        for source in sources
    ]


def _weeks(week, previous_week):
    return [w for w in (week, previous_week) if w]


def _compared(current, previous):
    """{"current", "previous", "change"}: change per METRICS key, None without a previous quarter."""
    if previous is None:
        return {"current": current, "previous": None, "change": None}
    change = {key: _difference(value(current), value(previous)) for key, _, _, value in METRICS}
    return {"current": current, "previous": previous, "change": change}


def _difference(now, before):
    # Percentages are rounded to one decimal already; keep the difference at one decimal too.
    return round(now - before, 1) if isinstance(now, float) else now - before


def chart_rows(rows, metric=None):
    """(label, current, previous) for charts.breakdown_chart from a breakdown of the analysis.

    ``metric`` is a METRICS key for the chain and county breakdowns; the
    funding-source breakdown holds amounts and takes none.
    """
    if metric is None:
        return [(row["label"], row["current"], row["previous"]) for row in rows]
    value = _metric(metric)[3]
    return [(row["label"], value(row["current"]), row["previous"] and value(row["previous"])) for row in rows]


def analysis_charts(analysis):
    """{breakdown key: PNG} comparing the quarters: investment by chain and county, funds by source."""
    from . import charts

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


def _metric(key):
    return next(metric for metric in METRICS if metric[0] == key)


# The workbook ------------------------------------------------------------------


def analysis_workbook(analysis):
    """The analysis as an .xlsx: sheets 总览, 按产业链, 按县区, 按资金来源; numbers stored as numbers."""
    from openpyxl import Workbook

    book = Workbook()
    _overview_sheet(book.active, analysis)
    for key in ("by_industry_chain", "by_county"):
        _group_sheet(book.create_sheet(f"按{BREAKDOWNS[key]}"), BREAKDOWNS[key], analysis[key])
    _funds_sheet(book.create_sheet("按资金来源"), analysis["by_funding_source"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _overview_sheet(sheet, analysis):
    from openpyxl.styles import Font

    sheet.title = "总览"
    sheet.append([f"{analysis['quarter']} 重点项目季度分析"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["本季度截至", analysis["closing_week"] or "无快照"])
    sheet.append([f"上季度（{analysis['previous_quarter']}）截至", analysis["previous_closing_week"] or "无快照"])
    if analysis["notice"]:
        sheet.append([analysis["notice"]])
    sheet.append([])
    header = sheet.max_row + 1
    sheet.append(["指标", "本季度", "上季度", "环比变化"])
    headline = analysis["headline"]
    for key, label, unit, value in METRICS:
        sheet.append(
            [
                f"{label}（{unit}）",
                _value_or_none(value, headline["current"]),
                _value_or_none(value, headline["previous"]),
                headline["change"] and headline["change"][key],
            ]
        )
        _number_formats(sheet[sheet.max_row][1:], unit)
    _bold(sheet[header])
    _widths(sheet, [24, 14, 14, 14])


def _group_sheet(sheet, dimension, rows):
    """Two header rows: each figure over 本季度 / 上季度 / 变化."""
    from openpyxl.styles import Alignment

    sheet.append([dimension, *(label for key in GROUP_METRICS for label in (_heading(key), None, None))])
    sheet.append([None, *(["本季度", "上季度", "变化"] * len(GROUP_METRICS))])
    sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)
    for index in range(len(GROUP_METRICS)):
        column = 2 + 3 * index
        sheet.merge_cells(start_row=1, start_column=column, end_row=1, end_column=column + 2)
        sheet.cell(1, column).alignment = Alignment(horizontal="center")
    for row in rows:
        values = [row["label"]]
        for key in GROUP_METRICS:
            value = _metric(key)[3]
            values += [
                value(row["current"]),
                _value_or_none(value, row["previous"]),
                row["change"] and row["change"][key],
            ]
        sheet.append(values)
        for index, key in enumerate(GROUP_METRICS):
            _number_formats(sheet[sheet.max_row][1 + 3 * index : 4 + 3 * index], _metric(key)[2])
    _bold(sheet[1])
    _bold(sheet[2])
    sheet.freeze_panes = "B3"
    _widths(sheet, [18] + [11] * 3 * len(GROUP_METRICS))


def _funds_sheet(sheet, rows):
    sheet.append(["资金来源", "本季度（万元）", "上季度（万元）", "环比变化（万元）"])
    for row in rows:
        sheet.append([row["label"], row["current"], row["previous"], row["change"]])
    if rows:
        total = [sum(r[k] for r in rows) if rows[0][k] is not None else None for k in ("current", "previous", "change")]
        sheet.append(["合计", *total])
        _bold(sheet[sheet.max_row])
    for cells in sheet.iter_rows(min_row=2, min_col=2):
        _number_formats(cells, "万元")
    _bold(sheet[1])
    _widths(sheet, [16, 16, 16, 18])


def _heading(key):
    _, label, unit, _ = _metric(key)
    return f"{label}（{unit}）"


def _value_or_none(value, figures):
    return None if figures is None else value(figures)


def _number_formats(cells, unit):
    """Thousands separators for amounts, one decimal for percentages; the change column signed."""
    number = "0.0" if unit == "%" else "#,##0"
    for position, cell in enumerate(cells):
        cell.number_format = f"+{number};-{number};{number}" if position % 3 == 2 else number


def _bold(cells):
    from openpyxl.styles import Font

    for cell in cells:
        cell.font = Font(bold=True)


def _widths(sheet, widths):
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


# The PDF -----------------------------------------------------------------------

# A4 landscape, in inches.
PAGE = (11.69, 8.27)


def analysis_pdf(analysis):
    """The analysis as a PDF: a title page with the headline figures, then one page per breakdown.

    Without a snapshot in the quarter the PDF is the title page with the notice.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    from . import charts  # noqa: F401 (importing it sets the Chinese font and its embedding)

    buffer = io.BytesIO()
    title = f"{analysis['quarter']} 重点项目季度分析"
    with PdfPages(buffer, metadata={"Title": title, "Creator": "key-project-tracker"}) as pdf:
        pdf.savefig(_title_page(analysis, title))
        if analysis["closing_week"]:
            for key, (chart_title, rows, unit) in _chart_specs(analysis).items():
                pdf.savefig(_breakdown_page(key, chart_title, rows, unit, analysis[key]))
    return buffer.getvalue()


def _title_page(analysis, title):
    from matplotlib.figure import Figure

    figure = Figure(figsize=PAGE)
    figure.text(0.06, 0.90, title, fontsize=24)
    figure.text(0.06, 0.84, _period_line(analysis), fontsize=12, color="#555f6d")
    if analysis["notice"]:
        figure.text(0.06, 0.70, analysis["notice"], fontsize=16)
        return figure
    headline = analysis["headline"]
    cells = [
        [
            label,
            _shown(value(headline["current"]), unit),
            "—" if headline["previous"] is None else _shown(value(headline["previous"]), unit),
            "—" if headline["change"] is None else _shown(headline["change"][key], unit, signed=True),
        ]
        for key, label, unit, value in METRICS
    ]
    _table(figure.add_axes((0.06, 0.12, 0.88, 0.62)), ["指标", "本季度", "上季度", "环比变化"], cells, fontsize=13)
    return figure


def _breakdown_page(key, chart_title, rows, unit, breakdown):
    from matplotlib.figure import Figure

    from .charts import plot_breakdown

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
                money(now["funds_secured"]),
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
