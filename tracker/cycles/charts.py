"""Charts as PNG bytes, drawn from plain data: WeekTotals rows, {source: amount}, (label, now, before).

The weekly emails, the dashboard and the quarterly analysis share these
functions, so they take data rather than queries. Every call builds its own
``Figure`` and renders it with the Agg canvas; pyplot is never used, because
its global registry of figures leaks memory and is not thread-safe in a server.

Each chart has a ``*_figure`` function that returns the Figure (the tests read
what is drawn, the PDF lays figures out on pages) and a ``*_chart`` function
that returns its PNG."""

import io
import math

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter, StrMethodFormatter

from tracker.core.money import money, percent
from tracker.cycles import fonts
from tracker.cycles.figures import restart_rate
from tracker.projects.models import FUNDING_SOURCES

# Set once, when the module is first imported, and never changed per call, so
# concurrent renders all read the same values (rc_context would swap them under
# another thread's feet). The Chinese font is registered with matplotlib by its
# file (see fonts), so a font cache built before the font was installed cannot
# turn the labels into boxes. PDFs embed the fonts as Type 3, with a ToUnicode
# map so the Chinese can be searched and copied: Noto Sans CJK has CFF outlines,
# which matplotlib's Type 42 writes as a TrueType font file, and PDF readers
# reject or guess at the mismatch (matplotlib issue #20870).
STYLE = {
    "font.size": 11,
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "pdf.fonttype": 3,
}


matplotlib.rcParams.update(STYLE)


FONT = fonts.chosen_font()


fonts.register(FONT)


# 8 x 4 in at 100 dpi: 800 x 400 px, still legible when an email client
# scales it to a 600-700 px column.
SIZE = (8, 4)


DPI = 100


MAX_WEEK_TICKS = 12


BLUE, ORANGE, GREY, RED = "#1f5fa8", "#e07b00", "#9aa5b1", "#c62828"


CURRENT_LABEL, PREVIOUS_LABEL = "本季度", "上季度"


def png(figure):
    """The PNG bytes of a figure."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def restart_rate_series(weeks):
    """The (week, percent) points the restart-rate chart draws, one per WeekTotals row."""
    return [(row.week, restart_rate(row.under_way, row.projects)["percent"]) for row in weeks]


def restart_rate_label(row):
    """The fraction written beside the last point: "69/127 = 54.3%"."""
    rate = restart_rate(row.under_way, row.projects)
    return f"{rate['numerator']}/{rate['denominator']} = {rate['percent']}%"


def restart_rate_figure(weeks, target_percent=0):
    """The restart rate week by week, the last point's fraction, and a dashed target line if > 0."""
    figure, ax = _figure("开复工率走势")
    if not weeks:
        return _no_data(figure, ax)
    values = [value for _, value in restart_rate_series(weeks)]
    positions = range(len(values))
    ax.plot(positions, values, marker="o", color=BLUE, linewidth=2, label="开复工率")
    if target_percent > 0:
        ax.axhline(target_percent, linestyle="--", color=RED, linewidth=1.2, label=f"目标 {target_percent:g}%")
        _legend(ax)
    _finish_rate_axes(ax, weeks, weeks[-1], values[-1], target_percent)
    return figure


def restart_rate_chart(weeks, target_percent=0):
    """PNG of the restart rate week by week (see restart_rate_figure)."""
    return png(restart_rate_figure(weeks, target_percent))


OWN_LABEL, CITY_LABEL = "包抓项目", "全市"


def restart_rate_comparison_figure(own, city, target_percent=0):
    """A leader's projects' restart rate against the city's, over the same weeks, with a legend.

    ``own`` and ``city`` are rows of (week, under_way, projects), one per week in the same
    order (``snapshots.official_chart_weeks``); a week in which the leader contracted no
    project leaves a gap in their line rather than a fall to zero.
    """
    figure, ax = _figure("开复工率走势：包抓项目与全市")
    if not city:
        return _no_data(figure, ax)
    positions = range(len(city))
    city_values = [value for _, value in restart_rate_series(city)]
    own_values = [
        value if row.projects else math.nan for row, (_, value) in zip(own, restart_rate_series(own), strict=True)
    ]
    ax.plot(positions, city_values, color=GREY, linewidth=2, linestyle="--", label=CITY_LABEL)
    if own:
        ax.plot(positions, own_values, marker="o", color=BLUE, linewidth=2, label=OWN_LABEL)
    if target_percent > 0:
        ax.axhline(target_percent, linestyle=":", color=RED, linewidth=1.2, label=f"目标 {target_percent:g}%")
    _legend(ax)
    last = own[-1] if own and own[-1].projects else None
    _finish_rate_axes(ax, city, last, own_values[-1] if last else None, target_percent)
    return figure


def _finish_rate_axes(ax, weeks, last, last_value, target_percent):
    """The percent axis and the week axis of a restart-rate chart, and ``last``'s fraction by its point."""
    if last is not None:
        # Above the point, unless the top of the plot or the target line is just there.
        below = last_value > 85 or 0 <= target_percent - last_value < 12
        _annotate_last(ax, restart_rate_label(last), len(weeks) - 1, last_value, BLUE, below)
    ax.set_ylim(0, 105)
    ax.set_yticks(range(0, 101, 20))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    _week_axis(ax, [row.week for row in weeks])


def restart_rate_comparison_chart(own, city, target_percent=0):
    """PNG of a leader's restart rate against the city's (see restart_rate_comparison_figure)."""
    return png(restart_rate_comparison_figure(own, city, target_percent))


def investment_figure(weeks):
    """Investment completed against the annual plan week by week, in 万元 or 亿元 when large."""
    figure, ax = _figure("完成投资与年度计划投资")
    if not weeks:
        return _no_data(figure, ax)
    completed = [row.investment_completed for row in weeks]
    plan = [row.annual_plan_investment for row in weeks]
    divisor, unit = _money_scale(max(completed + plan))
    positions = range(len(weeks))
    plan_y, completed_y = _coordinates(plan, divisor), _coordinates(completed, divisor)
    ax.plot(positions, plan_y, linestyle="--", color=GREY, linewidth=2, label="年度计划投资")
    ax.plot(positions, completed_y, marker="o", color=ORANGE, linewidth=2, label="完成投资")
    ax.fill_between(positions, completed_y, color=ORANGE, alpha=0.12)
    label = f"{money(completed[-1])} / {money(plan[-1])} = {percent(completed[-1], plan[-1])}%"
    _annotate_last(ax, label, positions[-1], completed_y[-1], ORANGE, below=False)
    ax.set_ylim(0, max(plan_y + completed_y + [1 / divisor]) * 1.15)
    _unit_axis(ax.yaxis, unit)
    _legend(ax)
    _week_axis(ax, [row.week for row in weeks])
    return figure


def investment_chart(weeks):
    """PNG of investment completed against plan week by week (see investment_figure)."""
    return png(investment_figure(weeks))


def funds_figure(funds):
    """Funds secured by source as horizontal bars, every source listed, amounts written on the bars."""
    total = sum(funds.values())
    figure, ax = _figure(f"争取到位资金（按来源，合计 {money(total)}）", grid="x")
    # Every known source in the list's order, so the chart reads the same each week.
    sources = [*FUNDING_SOURCES, *sorted(set(funds) - set(FUNDING_SOURCES))]
    amounts = [funds.get(source, 0) for source in sources]
    divisor, unit = _money_scale(max(amounts))
    widths = _coordinates(amounts, divisor)
    bars = ax.barh(range(len(sources)), widths, color=BLUE, height=0.6)
    ax.bar_label(bars, labels=[money(a) for a in amounts], padding=4, fontsize=10)
    ax.set_yticks(range(len(sources)), [FUNDING_SOURCES.get(s, s) for s in sources])
    ax.invert_yaxis()
    # Room on the right for the longest amount label.
    ax.set_xlim(0, max(widths + [1 / divisor]) * 1.25)
    _unit_axis(ax.xaxis, unit)
    return figure


def funds_chart(funds):
    """PNG of funds secured by source (see funds_figure)."""
    return png(funds_figure(funds))


def plot_breakdown(ax, title, rows, unit):
    """Draw grouped horizontal bars, this quarter against the previous, on ``ax``.

    ``rows`` are (label, current, previous); previous may be None when there is
    no previous quarter. Amounts in 万元 switch to 亿元 on the axis when large.
    """
    ax.set_title(title, loc="left", fontsize=13)
    if not rows:
        _no_data(ax.figure, ax)
        return
    _grid(ax, "x")
    labels, current, previous = zip(*rows, strict=True)
    compare = any(value is not None for value in previous)
    largest = max([*current, *(value or 0 for value in previous), 1])
    divisor, axis_unit = _money_scale(largest) if unit == "万元" else (1, unit)
    height = 0.38 if compare else 0.6
    shift = height / 2 if compare else 0
    _bars(ax, [i - shift for i in range(len(rows))], current, height, divisor, unit, BLUE, CURRENT_LABEL)
    if compare:
        _bars(ax, [i + shift for i in range(len(rows))], previous, height, divisor, unit, GREY, PREVIOUS_LABEL)
        _legend(ax)
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, _coordinates([largest], divisor)[0] * 1.25)
    _unit_axis(ax.xaxis, axis_unit)


def _bars(ax, positions, values, height, divisor, unit, color, name):
    """One series of horizontal bars, each value written after its bar ("—" where there is none)."""
    bars = ax.barh(positions, _coordinates(values, divisor), height, color=color, label=name)
    texts = [money(v) if unit == "万元" else ("—" if v is None else f"{v:g}{unit}") for v in values]
    ax.bar_label(bars, labels=texts, padding=3, fontsize=9)


def breakdown_figure(title, rows, unit):
    """A figure of plot_breakdown, tall enough for its rows."""
    figure = Figure(figsize=(SIZE[0], max(SIZE[1] - 1, 0.55 * len(rows) + 1.4)), dpi=DPI, layout="constrained")
    plot_breakdown(figure.add_subplot(), title, rows, unit)
    return figure


def breakdown_chart(title, rows, unit):
    """PNG of this quarter against the previous by industry chain, county or funding source."""
    return png(breakdown_figure(title, rows, unit))


def _figure(title, grid="y"):
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    ax.set_title(title, loc="left", fontsize=13)
    _grid(ax, grid)
    return figure, ax


def _grid(ax, axis):
    """Light lines across the value axis, behind the data."""
    ax.grid(axis=axis, color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)


def _legend(ax):
    """The legend above the plot on the right, opposite the title, where no line can run under it."""
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, frameon=False, fontsize=10)


def _annotate_last(ax, text, x, y, color, below):
    """Write ``text`` by the last point, right-aligned so it stays inside the figure."""
    ax.annotate(
        text,
        xy=(x, y),
        xytext=(0, -22 if below else 10),
        textcoords="offset points",
        ha="right",
        color=color,
        fontsize=12,
        # A white ground keeps the figure legible where it crosses a grid or target line.
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
    )


def _no_data(figure, ax):
    """A fresh installation has no snapshots yet: say so instead of drawing empty axes."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, "暂无数据", ha="center", va="center", fontsize=14, color=GREY, transform=ax.transAxes)
    return figure


def _money_scale(largest):
    """(divisor, unit) for an axis of 万元 amounts: 亿元 from 10,000 万元 up, as money() prints them."""
    return (10_000, "亿元") if largest >= 10_000 else (1, "万元")


def _coordinates(values, divisor):
    """Figures as matplotlib draws them: floats in the axis' unit, 0 where there is none.

    The one place amounts become floats: what the chart writes comes from the exact figures.
    """
    return [float((value or 0) / divisor) for value in values]


def _unit_axis(axis, unit):
    """Name the unit; 万元 ticks get thousands separators, like the amounts written on the chart."""
    axis.set_label_text(unit)
    if unit == "万元":
        axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _week_axis(ax, weeks):
    """Label at most MAX_WEEK_TICKS weeks, always the last, "W47" with the year where it changes."""
    step = math.ceil(len(weeks) / MAX_WEEK_TICKS)
    shown = list(range(len(weeks) - 1, -1, -step))[::-1]
    labels, year = [], None
    for index in shown:
        week_year, number = weeks[index].split("-")
        labels.append(number if week_year == year else weeks[index])
        year = week_year
    ax.set_xticks(shown, labels)
    ax.set_xlim(-0.5, len(weeks) - 0.5)
