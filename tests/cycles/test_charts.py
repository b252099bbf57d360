"""The charts the emails and the dashboard show: PNGs drawn in Chinese from the stored snapshots."""

import json
import os
import struct
import subprocess
import sys
import warnings
from collections import namedtuple

import pytest
from reporting import file

from tracker.core.config import DEFAULTS, PROJECT_ROOT, ConfigError, load_config
from tracker.cycles import charts, fonts
from tracker.cycles.figures import figures
from tracker.cycles.snapshots import Snapshot, take_snapshot, weeks_of_totals
from tracker.projects.models import FUNDING_SOURCES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
Week = namedtuple("Week", "week projects under_way investment_completed annual_plan_investment")
WEEKS = [
    Week("2026-W51", 127, 40, 3_000, 94_000),
    Week("2026-W52", 127, 52, 21_000, 94_000),
    Week("2026-W53", 127, 61, 38_000, 94_000),
    Week("2027-W01", 127, 69, 47_000, 94_000),
]
FUNDS = {"special_bonds": 45_000, "bank_loans": 12_000, "central_budget": 3_500}
BREAKDOWN = [("化工产业链", 42_000, 30_000), ("绿色农业产业链", 12_000, 9_000), ("文旅产业链", 3_000, 0)]

EVERY_CHART = {
    "restart_rate": lambda: charts.restart_rate_chart(WEEKS, target_percent=60),
    "investment": lambda: charts.investment_chart(WEEKS),
    "funds": lambda: charts.funds_chart(FUNDS),
    "breakdown": lambda: charts.breakdown_chart("完成投资（按产业链）", BREAKDOWN, "万元"),
    "breakdown_without_previous_quarter": lambda: charts.breakdown_chart(
        "重点项目数（按县区）", [("东城区", 3, None), ("南湖县", 2, None)], "个"
    ),
    "restart_rate_before_any_snapshot": lambda: charts.restart_rate_chart([]),
    "investment_before_any_snapshot": lambda: charts.investment_chart([]),
    "funds_before_any_snapshot": lambda: charts.funds_chart({}),
    "breakdown_before_any_snapshot": lambda: charts.breakdown_chart("完成投资（按县区）", [], "万元"),
}


def png_size(data):
    """(width, height) from the PNG's IHDR chunk, which always comes first."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name", EVERY_CHART)
def test_each_chart_is_a_png_wide_enough_for_an_email(name):
    width, height = png_size(EVERY_CHART[name]())
    assert 600 <= width <= 1000
    assert 200 <= height <= 800


def test_chinese_labels_render_without_a_missing_glyph():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for draw in EVERY_CHART.values():
            draw()
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []


# Builds matplotlib's font cache as a machine does where fonts-noto-cjk came later: without any CJK font.
STALE_CACHE = """
import matplotlib
from matplotlib import font_manager
manager = font_manager.fontManager
manager.ttflist = [f for f in manager.ttflist if "CJK" not in f.name]
font_manager.json_dump(manager, f"{matplotlib.get_cachedir()}/fontlist-v{manager.__version__}.json")
"""


# Draws every chart with that cache, as the scheduler would, and tells what it drew with.
DRAW_EVERY_CHART = """
import json, warnings
from matplotlib import font_manager
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from tests.cycles.test_charts import EVERY_CHART
    for draw in EVERY_CHART.values():
        draw()
used = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
print(json.dumps({"missing": [str(w.message) for w in caught if "missing from font" in str(w.message)],
                  "font": used, "cached": [f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name]}))
"""


def _python(code, env):
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_charts_draw_chinese_even_when_matplotlibs_font_cache_predates_the_font(tmp_path):
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path), "PYTHONPATH": f"{PROJECT_ROOT}:{PROJECT_ROOT / 'tests'}"}
    _python(STALE_CACHE, env)
    stale = json.loads((next(tmp_path.glob("fontlist-*.json"))).read_text())
    assert not [f for f in stale["ttflist"] if "CJK" in f["name"]]

    drawn = json.loads(_python(DRAW_EVERY_CHART, env))
    assert drawn["missing"] == []
    assert "NotoSansCJK" in drawn["font"]


def test_without_a_chinese_font_start_up_says_what_to_install(tmp_path, monkeypatch):
    # A fontconfig that knows only DejaVu: a machine without fonts-noto-cjk.
    (tmp_path / "fonts.conf").write_text(
        "<?xml version='1.0'?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))
    with pytest.raises(ConfigError, match="fonts-noto-cjk"):
        fonts.configure(load_config(overrides={}))
    monkeypatch.delenv("FONTCONFIG_FILE")
    assert fonts.configure(load_config()).family == "Noto Sans CJK SC"


def test_a_configured_font_file_that_does_not_exist_stops_start_up():
    with pytest.raises(ConfigError, match="/nowhere/font.ttc"):
        fonts.configure(load_config(overrides={"charts": {"font_file": "/nowhere/font.ttc"}}))


def test_restart_rate_target_line_is_dashed_and_only_when_configured():
    with_target = charts.restart_rate_figure(WEEKS, target_percent=60).axes[0]
    without = charts.restart_rate_figure(WEEKS).axes[0]
    assert [list(line.get_ydata()) for line in with_target.lines if line.get_linestyle() == "--"] == [[60, 60]]
    assert [line for line in without.lines if line.get_linestyle() == "--"] == []


def test_investment_axis_switches_to_yi_yuan_when_large():
    small = [Week("2026-W51", 3, 1, 800, 9_000)]
    assert charts.investment_figure(small).axes[0].get_ylabel() == "万元"
    assert charts.investment_figure(WEEKS).axes[0].get_ylabel() == "亿元"


def test_funds_chart_lists_every_source_in_chinese_with_its_amount():
    ax = charts.funds_figure(FUNDS).axes[0]
    assert [label.get_text() for label in ax.get_yticklabels()] == list(FUNDING_SOURCES.values())
    amounts = [text.get_text() for text in ax.texts]
    assert amounts == ["3,500万元", "0万元", "4.5亿元", "1.2亿元", "0万元", "0万元"]


def test_breakdown_compares_this_quarter_with_the_previous():
    ax = charts.breakdown_figure("完成投资（按产业链）", BREAKDOWN, "万元").axes[0]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["本季度", "上季度"]
    assert [label.get_text() for label in ax.get_yticklabels()] == [label for label, _, _ in BREAKDOWN]
    assert [bar.get_width() for bar in ax.containers[0]] == [4.2, 1.2, 0.3]
    assert [bar.get_width() for bar in ax.containers[1]] == [3.0, 0.9, 0.0]


def test_weeks_are_labelled_with_the_year_where_it_changes():
    ax = charts.restart_rate_figure(WEEKS).axes[0]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["2026-W51", "W52", "W53", "2027-W01"]


def test_a_long_history_keeps_the_week_labels_apart_and_labels_the_last_week():
    weeks = [Week(f"2026-W{n:02d}", 10, n % 10, 0, 100) for n in range(1, 41)]
    labels = [label.get_text() for label in charts.restart_rate_figure(weeks).axes[0].get_xticklabels()]
    assert len(labels) <= charts.MAX_WEEK_TICKS
    assert labels[-1] == "W40"


# From the stored snapshots ----------------------------------------------------


def test_restart_rate_chart_draws_the_stored_snapshots(conn, config, make_project):
    a, b, c = make_project(), make_project(), make_project()
    file(config, a, "2026-W50", status="started")
    take_snapshot("2026-W50", DEFAULTS["warnings"])
    file(config, b, "2026-W51", status="restarted")
    take_snapshot("2026-W51", DEFAULTS["warnings"])
    file(config, c, "2026-W52", status="not_started")
    file(config, a, "2026-W52", status="suspended")
    take_snapshot("2026-W52", DEFAULTS["warnings"])
    # Edits after the week closed change the projects, not the chart of that week.
    file(config, c, "2026-W52", status="started")

    weeks = weeks_of_totals("2026-W50", "2026-W52")
    assert charts.restart_rate_series(weeks) == [("2026-W50", 33.3), ("2026-W51", 66.7), ("2026-W52", 33.3)]
    ax = charts.restart_rate_figure(weeks).axes[0]
    assert list(ax.lines[0].get_ydata()) == [33.3, 66.7, 33.3]
    last = figures(Snapshot("2026-W52"))["restart_rate"]  # the chart's last point is the week's figure
    assert [text.get_text() for text in ax.texts] == [f"{last['numerator']}/{last['denominator']} = {last['percent']}%"]
    assert ax.texts[0].get_text() == "1/3 = 33.3%"
