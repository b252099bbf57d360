"""The demo city reproduces the first seed report's headline, live as of this week."""

import pytest
from peewee import DateTimeField, IntegrityError, fn

from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import db
from tracker.core.weeks import local_now, utc_now
from tracker.cycles import figures as stats
from tracker.demo.loading import DemoError, load_demo_city
from tracker.photos.models import Photo
from tracker.projects import lights
from tracker.projects.filters import project_condition
from tracker.projects.models import ProgressReport, Project
from tracker.reports.filing import current_week
from tracker.schema import MODELS


def figures(config):
    week = current_week(config)
    day = local_now(config["city"]["timezone"]).date()
    return stats.figures(stats.Live(week), project_condition({}, week, day, config["warnings"]))


def test_demo_city_shows_69_of_127_started_and_47000_wan_secured(conn, config):
    load_demo_city(config)
    f = figures(config)
    assert f["restart_rate"] == {"numerator": 69, "denominator": 127, "percent": 54.3}
    assert f["funds_secured_total"] == 47_000
    assert 0 < f["reports_missing"] < 127


def test_demo_city_has_the_shape_of_the_seed_report(conn, config):
    load_demo_city(config)
    assert 18 <= LeadOfficial.select().count() <= 22
    assert Project.select(Project.county).distinct().count() == 6
    assert Project.select(Project.industry_chain).distinct().count() == 4
    day = local_now(config["city"]["timezone"]).date()
    counts = stats.light_counts(Project.archived == False, day, config["warnings"])  # noqa: E712
    assert counts["red"] > 0 and counts["yellow"] > 0 and counts["green"] > 0
    assert set(lights.LEVELS) == set(counts)


def test_demo_city_scales_to_a_larger_city_of_the_same_shape(conn, config):
    load_demo_city(config, count=508, weeks=4)
    f = figures(config)
    assert f["restart_rate"]["denominator"] == 508
    assert f["restart_rate"]["percent"] == 54.3
    assert f["funds_secured_total"] == round(47_000 * 508 / 127)


def test_demo_gives_one_working_account_per_role(conn, config):
    accounts = load_demo_city(config)
    assert sorted(role for role, _, _ in accounts) == ["county", "department", "inspector", "leader", "office", "owner"]
    owner = User.get(User.username == next(u for r, u, _ in accounts if r == "owner"))
    assert owner.projects.count() >= 1


def test_demo_refuses_a_database_with_projects(conn, config, make_project):
    make_project()
    with pytest.raises(DemoError):
        load_demo_city(config)
    assert load_demo_city(config, if_empty=True) is None


def test_demo_history_is_closed_by_snapshots_except_the_week_just_ended(conn, config):
    from tracker.core.weeks import shift_week
    from tracker.cycles.snapshots import WeekTotals

    load_demo_city(config, weeks=6)
    week = current_week(config)
    closed = [w for (w,) in WeekTotals.select(WeekTotals.week).order_by(WeekTotals.week).tuples()]
    assert closed == [shift_week(week, -n) for n in range(6, 1, -1)]


def test_every_demo_project_shows_the_figures_of_its_latest_accepted_report(conn, config):
    load_demo_city(config)
    shown, latest = {}, {}
    for project in Project.select():
        shown[project.code] = (project.last_report_week, project.status, project.investment_completed)
    accepted = ProgressReport.select(ProgressReport, Project.code).join(Project).where(ProgressReport.accepted())
    for report in accepted.order_by(ProgressReport.week):
        latest[report.project.code] = (report.week, report.status, report.investment_completed)
    assert shown == latest
    # Some have not reported this week: their page shows last week's report, not a newer figure.
    assert len({week for week, _, _ in latest.values()}) == 2


def test_nothing_in_the_demo_happened_later_than_now(conn, config):
    load_demo_city(config)
    now = utc_now()
    later = {}
    for model in MODELS:
        for field in model._meta.sorted_fields:
            if isinstance(field, DateTimeField):
                latest = model.select(fn.MAX(field)).scalar()
                if latest is not None and latest > now:
                    later[f"{model._meta.table_name}.{field.name}"] = latest
    assert later == {}


def test_demo_snapshots_are_what_the_weekly_dispatch_takes(conn, config):
    """The history's snapshots, written in bulk, are the rows take_snapshot writes for the same week."""
    from tracker.core.weeks import shift_week
    from tracker.cycles.snapshots import ProjectSnapshot, WeekFunds, WeekTotals, take_snapshot
    from tracker.projects.lights import light_thresholds

    load_demo_city(config, count=60, weeks=8)
    for week in (shift_week(current_week(config), -8), shift_week(current_week(config), -3)):
        tables = (
            (ProjectSnapshot, ProjectSnapshot.project),
            (WeekTotals, WeekTotals.week),
            (WeekFunds, WeekFunds.source),
        )

        def rows(week, tables=tables):
            return [list(model.select().where(model.week == week).order_by(key).dicts()) for model, key in tables]

        loaded = rows(week)
        assert loaded[0] and loaded[1]
        take_snapshot(week, light_thresholds(config))
        assert rows(week) == loaded


def test_demo_shows_inclusion_lights_and_a_county_under_review(conn, config):
    from tracker.projects.lights import light_thresholds, warning_rule
    from tracker.projects.models import ProgressReport

    load_demo_city(config)
    rules = dict(
        Project.select(
            Project.code, warning_rule(local_now(config["city"]["timezone"]).date(), light_thresholds(config))
        )
        .where(Project.statistics_included == False)  # noqa: E712
        .tuples()
    )
    assert {"not_included", "not_included_long"} <= set(rules.values())
    states = [r.review_state for r in ProgressReport.select().where(ProgressReport.review_state != "accepted")]
    assert states.count("sent_back") == 1 and "submitted" in states
    assert ProgressReport.get(ProgressReport.review_state == "sent_back").review_reason
    assert ProgressReport.select().where(ProgressReport.late == True).count() > 0  # noqa: E712
    assert User.get(User.username == "county").counties == ["南湖县"]


def test_demo_city_has_last_quarters_published_lists_scores_and_decisions_one_overdue(conn, config):
    from tracker.core.periods import just_ended
    from tracker.cycles.consultations import Decision, overdue_decisions_as_of
    from tracker.honours.models import HonourList
    from tracker.scores.points import quarter_scores

    load_demo_city(config)
    day = local_now(config["city"]["timezone"]).date()
    quarter = just_ended("quarterly", day)
    honours = HonourList.get(HonourList.quarter == quarter)
    listed = honours.listed_by_kind()
    assert honours.is_published and listed["red_flag"] and listed["snail"] and honours.removed().count() == 1
    reasons = {i["reason"] for u in quarter_scores(quarter, config) for i in u["breakdown"]}
    assert {"红旗项目", "蜗牛项目", "缺报周报"} <= reasons
    assert Decision.select().count() == 4
    assert sorted(d.action for d in overdue_decisions_as_of(day)) == sorted(
        ["落实施工用电接入", "报送赶工计划并每周报告进度"]
    )


def test_demo_owner_has_photos_that_show_each_check(conn, config):
    accounts = load_demo_city(config, count=40, weeks=4)
    owner = next(username for role, username, _ in accounts if role == "owner")
    photos = Photo.select().join(ProgressReport).join(Project).join(User).where(User.username == owner)
    assert sorted([flag["code"] for flag in photo.flags] for photo in photos) == [[], ["outside_week"], ["too_far"]]


def test_the_demo_history_keeps_its_references_checked(conn, config):
    """The bulk load sets the history's foreign keys aside (PostgreSQL) and puts them back: a row of no project is refused."""
    from tracker.cycles.snapshots import ProjectSnapshot

    load_demo_city(config, count=20, weeks=3)
    for model in (ProgressReport, ProjectSnapshot):
        row = {**model.select().first().__data__, "project": 999_999}
        row.pop("id", None)
        with pytest.raises(IntegrityError), db.atomic():
            model.insert(row).execute()
