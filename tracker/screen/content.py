"""What the big screen shows, and the version a display polls to know when to reload.

Everything is the city's (the office's reach): the live headline figures, the lights, the restart
rate of the last weeks' snapshots, the latest published 红旗 list and the map. No project links:
a display link's viewers are not signed in."""

import hashlib
import json

from tracker.core.weeks import shift_week
from tracker.cycles import figures as stats
from tracker.cycles.snapshots import CHART_WEEKS, latest_week, weeks_of_totals
from tracker.honours.models import HonourList
from tracker.map.features import feature_collection
from tracker.projects.lights import light_thresholds
from tracker.projects.models import Project
from tracker.reports.filing import current_week

# How many 红旗 projects the screen names; the list page has them all.
RED_FLAGS_SHOWN = 5


def screen_content(config, today):
    """The big screen's content on ``today`` as a dict of plain values (figures, lights, trend, 红旗, map)."""
    active = Project.archived == False  # noqa: E712 (peewee expression)
    thresholds = light_thresholds(config)
    honours = HonourList.published().first()
    return {
        "figures": stats.figures(stats.Live(current_week(config)), active),
        "lights": stats.light_counts(active, today, thresholds),
        "trend": restart_rate_trend(),
        "honours": {
            "quarter": honours.quarter,
            "red_flag": [
                {"code": e.code, "name": e.name, "county": e.county, "lead_department": e.lead_department}
                for e in honours.listed_by_kind()["red_flag"][:RED_FLAGS_SHOWN]
            ],
        }
        if honours
        else None,
        "map": feature_collection(active, today, thresholds),
    }


def restart_rate_trend():
    """[{"week", "percent"}] of the city's restart rate at each closed week, the last CHART_WEEKS of them."""
    last = latest_week()
    if last is None:
        return []
    rows = weeks_of_totals(shift_week(last, -CHART_WEEKS + 1), last)
    return [{"week": row.week, "percent": stats.restart_rate(row.under_way, row.projects)["percent"]} for row in rows]


def content_version(content):
    """A version of the screen's content: it changes when anything the screen shows changes.

    A hash of the content itself, so a display reloads only when there is something new to show.
    The one place to switch to a database-wide data version once there is one.
    """
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def trend_points(trend, width, height):
    """The SVG polyline points of ``trend`` in a ``width`` × ``height`` box, 0 % at the bottom, 100 % at the top."""
    if not trend:
        return ""
    step = width / max(1, len(trend) - 1)
    return " ".join(
        f"{round(i * step, 1)},{round(height - height * point['percent'] / 100, 1)}" for i, point in enumerate(trend)
    )
