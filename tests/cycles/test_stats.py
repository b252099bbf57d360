"""The figures on the dashboard and the warning lights, computed in SQL."""

import datetime as dt

import pytest
from reporting import file

from tracker.accounts.models import LeadOfficial
from tracker.core.config import DEFAULTS
from tracker.cycles import figures as stats
from tracker.cycles.snapshots import ProjectSnapshot, Snapshot, take_snapshot
from tracker.projects import lights
from tracker.projects.filters import FilterError, project_condition
from tracker.projects.models import UNDER_WAY, Milestone, Project

WEEK = "2026-W10"
TODAY = dt.date(2026, 3, 6)
NOW = dt.datetime(2026, 3, 6, 10, 0)
THRESHOLDS = DEFAULTS["warnings"]


def report(config, project, **values):
    return file(config, project, WEEK, **values)


def figures(args=None):
    return stats.figures(stats.Live(WEEK), project_condition(args or {}, WEEK, TODAY, THRESHOLDS))


def test_restart_rate_counts_started_restarted_and_completed(conn, config, make_project):
    projects = [make_project() for _ in range(4)]
    report(config, projects[0], status="started")
    report(config, projects[1], status="restarted")
    report(config, projects[2], status="suspended")
    assert figures()["restart_rate"] == {"numerator": 2, "denominator": 4, "percent": 50.0}


def test_archived_projects_leave_the_figures(conn, config, make_project):
    make_project()
    Project.update(archived=True).where(Project.id == make_project().id).execute()
    assert figures()["restart_rate"]["denominator"] == 1


def test_investment_and_funds_add_up_by_source(conn, config, make_project):
    a, b = make_project(annual_plan_investment=3_000), make_project(annual_plan_investment=1_000)
    report(config, a, investment_completed=1_200, funds={"special_bonds": 500, "bank_loans": 100})
    report(config, b, investment_completed=800, funds={"special_bonds": 250})
    f = figures()
    assert (f["investment_completed"], f["annual_plan_investment"], f["investment_percent"]) == (2_000, 4_000, 50.0)
    assert f["funds_secured"]["special_bonds"] == 750
    assert f["funds_secured"]["bank_loans"] == 100
    assert f["funds_secured_total"] == 850


def test_correcting_a_report_replaces_its_funds_instead_of_adding(conn, config, make_project):
    project = make_project()
    report(config, project, funds={"provincial": 300})
    report(config, project, funds={"provincial": 200})
    assert figures()["funds_secured"]["provincial"] == 200


def test_reports_missing_counts_projects_without_a_report_this_week(conn, config, make_project):
    filed, _, _ = make_project(), make_project(), make_project()
    report(config, filed)
    assert figures()["reports_missing"] == 2


def test_filters_narrow_every_figure(conn, config, make_project):
    LeadOfficial.create(name="李明", email="li@example.gov.cn")
    report(config, make_project(county="南湖县", lead_official="李明"), status="started")
    make_project(county="南湖县")
    make_project(county="北山县")
    assert figures({"county": "南湖县"})["restart_rate"]["denominator"] == 2
    assert figures({"lead_official": "李明"})["restart_rate"]["numerator"] == 1
    assert figures({"under_way": "1"})["restart_rate"]["denominator"] == 1
    assert figures({"unreported": "1"})["restart_rate"]["denominator"] == 2


def test_a_snapshot_keeps_the_figures_the_live_projects_had_at_the_close(conn, config, make_project):
    a, b, _ = make_project(annual_plan_investment=3_000), make_project(), make_project()
    report(config, a, status="started", investment_completed=1_200, funds={"special_bonds": 500})
    report(config, b, status="suspended", funds={"bank_loans": 100})
    take_snapshot(WEEK, THRESHOLDS)
    live, snapshot = figures(), stats.figures(Snapshot(WEEK))
    assert (live["source"], live["as_of"]) == ("live", "截至本周实时")
    assert (snapshot["source"], snapshot["week"], snapshot["as_of"]) == ("snapshot", WEEK, "截至第10周快照")
    labels = ("source", "as_of")
    assert {k: v for k, v in live.items() if k not in labels} == {k: v for k, v in snapshot.items() if k not in labels}

    report(config, b, status="restarted", funds={"bank_loans": 100})
    assert figures()["restart_rate"]["numerator"] == 2
    assert stats.figures(Snapshot(WEEK)) == snapshot


def test_grouped_figures_are_each_groups_own_figures(conn, config, make_project):
    LeadOfficial.create(name="李明", email="li@example.gov.cn")
    report(config, make_project(lead_official="李明"), status="started", funds={"provincial": 300})
    make_project(lead_official="李明")
    report(config, make_project(), investment_completed=50)
    take_snapshot(WEEK, THRESHOLDS)
    source = Snapshot(WEEK)
    grouped = stats.figures_by(source, ProjectSnapshot.lead_official)
    assert len(grouped) == 2
    for official, own in grouped.items():
        assert own == stats.figures(source, ProjectSnapshot.lead_official == official)
    li = LeadOfficial.get(LeadOfficial.name == "李明").id
    assert grouped[li]["restart_rate"] == {"numerator": 1, "denominator": 2, "percent": 50.0}
    assert grouped[li]["funds_secured"]["provincial"] == grouped[li]["funds_secured_total"] == 300
    assert stats.figures_by(stats.Live(WEEK), Project.lead_official)[li] == {
        **grouped[li],
        "source": "live",
        "as_of": "截至本周实时",
    }


def test_no_project_counts_zero_everywhere(conn, config):
    for source in (stats.Live(WEEK), Snapshot(WEEK)):
        empty = stats.figures(source)
        assert empty == stats.no_figures(source) and stats.figures_by(source, source.table.county) == {}
        assert empty["restart_rate"] == {"numerator": 0, "denominator": 0, "percent": 0.0}
        assert empty["funds_secured_total"] == 0 and set(empty["by_status"].values()) == {0}


def test_an_unknown_status_filter_is_refused_by_name(conn, config):
    with pytest.raises(FilterError) as e:
        figures({"status": "flying"})
    assert e.value.field == "status"


@pytest.mark.parametrize(
    ("deadline_in_days", "status", "completed", "milestone_in_days", "level", "rule"),
    [
        (-1, "not_started", 0, None, "red", "deadline_passed"),
        (3, "not_started", 0, None, "red", "deadline_imminent"),
        (10, "not_started", 0, None, "yellow", "deadline_near"),
        (40, "not_started", 0, None, "green", None),
        (40, "not_started", 0, -1, "red", "milestone_overdue"),
        (40, "not_started", 0, 3, "red", "milestone_imminent"),
        (40, "not_started", 0, 10, "yellow", "milestone_near"),
        (40, "not_started", 0, 20, "green", None),
        (-30, "suspended", 0, None, "red", "suspended"),
        # By 6 March about 1,780 of the 10,000 planned is due: red below 75 % of it, yellow below 90 %.
        (-30, "started", 500, None, "red", "far_behind"),
        (-30, "started", 1_500, None, "yellow", "behind"),
        (-30, "started", 1_800, None, "green", None),
        (-30, "started", 1_800, -1, "red", "milestone_overdue"),
        (-30, "completed", 0, -1, "green", None),
    ],
)
def test_warning_light_follows_the_configured_rules(
    conn, config, make_project, deadline_in_days, status, completed, milestone_in_days, level, rule
):
    project = make_project(
        annual_plan_investment=10_000,
        total_investment=20_000,
        start_deadline=TODAY + dt.timedelta(days=deadline_in_days),
    )
    Project.update(status=status, investment_completed=completed).where(Project.id == project.id).execute()
    # Every milestone reached, except the one watched (a procedure before the start, the main works after it).
    Milestone.update(actual_on=TODAY - dt.timedelta(days=1)).where(Milestone.project == project).execute()
    if milestone_in_days is not None:
        kind = "main_works" if status in UNDER_WAY else "construction_permit"
        Milestone.update(planned_on=TODAY + dt.timedelta(days=milestone_in_days), actual_on=None).where(
            (Milestone.project == project) & (Milestone.kind == kind)
        ).execute()
    lights.refresh_next_milestones([project.id])
    row = (
        Project.select(Project, lights.warning_rule(TODAY, THRESHOLDS).alias("rule"))
        .where(Project.id == project.id)
        .get()
    )
    assert (lights.level_of(row.rule), row.rule) == (level, rule)
    assert stats.light_counts(Project.id == project.id, TODAY, THRESHOLDS)[level] == 1
    assert lights.describe(row.rule, row, TODAY)
