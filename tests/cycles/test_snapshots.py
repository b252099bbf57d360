"""A week's snapshot keeps the figures as they stood, whatever is edited afterwards."""

import datetime as dt

from reporting import file

from tracker.core.config import DEFAULTS
from tracker.cycles.figures import figures
from tracker.cycles.snapshots import ProjectSnapshot, Snapshot, WeekFunds, WeekTotals, take_snapshot
from tracker.projects.models import Project

THRESHOLDS = DEFAULTS["warnings"]


def test_snapshot_takes_each_project_as_of_its_latest_report_that_week(conn, config, make_project):
    a, b, c = make_project(), make_project(), make_project()
    file(config, a, "2026-W45", status="started", investment_completed=100, funds={"special_bonds": 40})
    file(config, a, "2026-W47", status="started", investment_completed=300, funds={"bank_loans": 10})
    file(config, b, "2026-W47", status="not_started")
    totals = take_snapshot("2026-W46", THRESHOLDS)
    row = ProjectSnapshot.get(week="2026-W46", project=a)
    assert (row.status, row.investment_completed, row.funds_secured, row.reported) == ("started", 100, 40, False)
    assert ProjectSnapshot.get(week="2026-W46", project=c).status == "not_started"
    assert (totals.projects, totals.under_way, totals.reports_missing) == (3, 1, 3)
    assert figures(Snapshot("2026-W46"))["restart_rate"] == {"numerator": 1, "denominator": 3, "percent": 33.3}


def test_week_totals_add_up_funds_by_source(conn, config, make_project):
    a, b = make_project(), make_project()
    file(config, a, "2026-W47", funds={"special_bonds": 40, "bank_loans": 10})
    file(config, b, "2026-W47", funds={"special_bonds": 5})
    totals = take_snapshot("2026-W47", THRESHOLDS)
    assert totals.funds_secured == 55
    assert dict(WeekFunds.select(WeekFunds.source, WeekFunds.amount).where(WeekFunds.week == "2026-W47").tuples()) == {
        "special_bonds": 45,
        "bank_loans": 10,
    }
    assert totals.reports_missing == 0


def test_edits_after_the_snapshot_do_not_change_it(conn, config, make_project):
    project = make_project(county="南湖县", start_deadline=dt.date(2026, 11, 1))
    file(config, project, "2026-W47", status="not_started")
    take_snapshot("2026-W47", THRESHOLDS)
    Project.update(county="北山县", start_deadline=dt.date(2027, 1, 1)).where(Project.id == project.id).execute()
    file(config, project, "2026-W47", status="started", investment_completed=50)
    row = ProjectSnapshot.get(week="2026-W47", project=project)
    assert (row.county, row.start_deadline, row.status, row.warning_rule) == (
        "南湖县",
        dt.date(2026, 11, 1),
        "not_started",
        "deadline_passed",
    )


def test_taking_a_snapshot_again_replaces_it(conn, config, make_project):
    make_project()
    take_snapshot("2026-W47", THRESHOLDS)
    make_project()
    assert take_snapshot("2026-W47", THRESHOLDS).projects == 2
    assert WeekTotals.select().count() == 1
    assert ProjectSnapshot.select().count() == 2
