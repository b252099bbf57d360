"""The lagging list: each rule fires for the project built to trip it and no other, and a past day's list stays put."""

import datetime as dt
from decimal import Decimal

import pytest
from reporting import file

from scheduler.cycles import run_cycle
from tracker.accounts.models import User
from tracker.bonds.models import BondBatch, BondEntry
from tracker.bonds.records import record_spending
from tracker.core.config import DEFAULTS
from tracker.cycles.consultations import AgendaItem, record_decision, record_outcome
from tracker.cycles.runs import CycleRun
from tracker.cycles.snapshots import take_snapshot
from tracker.lagging.models import LaggingEntry, LaggingWeek
from tracker.lagging.rules import RULES, closing_week, lagging_count, lagging_list, lagging_rules
from tracker.problems.ledger import change_problem, raise_problem
from tracker.projects.models import PROCEDURES, Milestone, Project
from tracker.supervision.orders import issue_order, reply_to_order

DAY = dt.date(2026, 11, 25)  # a Wednesday: the list reads the week closed on Sunday 22 November
SUNDAY = dt.date(2026, 11, 22)  # the day closing 2026-W47, whose list the weekly dispatch stores
WEEKS = ("2026-W44", "2026-W45", "2026-W46", "2026-W47")
RULES_CONFIG = lagging_rules(DEFAULTS)
BEFORE = dt.datetime(2026, 11, 2, 9, 0)  # when the problems and orders were raised


def steady(config, project, weeks=WEEKS, start=4_000, step=100, **values):
    """Report ``weeks`` as a project under way, ahead of its plan, its figures moving every week."""
    for n, week in enumerate(weeks):
        file(config, project, week, investment_completed=start + step * n, **values)


@pytest.fixture
def city(conn, config, make_project):
    """One project for each rule, one clean one, and clean-looking near misses."""
    projects = {name: make_project(code=name, start_deadline=dt.date(2027, 6, 1)) for name in RULES}
    projects["clean"] = make_project(code="clean", start_deadline=dt.date(2027, 6, 1))
    office = User.get_or_create(username="office", defaults={"role": "office"})[0]

    late = projects["deadline_passed"]
    Project.update(start_deadline=dt.date(2026, 11, 10)).where(Project.id == late.id).execute()
    # Its procedures are done: the start itself is what is late.
    Milestone.update(actual_on=dt.date(2026, 10, 1)).where(
        (Milestone.project == late) & Milestone.kind.in_(tuple(PROCEDURES))
    ).execute()
    for week in WEEKS:
        file(config, late, week, status="not_started")

    steady(config, projects["behind_plan"], start=1_000)
    steady(config, projects["milestone_overdue"])
    Milestone.update(planned_on=dt.date(2026, 11, 1)).where(
        (Milestone.project == projects["milestone_overdue"]) & (Milestone.kind == "main_works")
    ).execute()
    steady(config, projects["reports_missing"], weeks=WEEKS[:2])
    steady(config, projects["stale_report"], step=0)
    for name in ("problem_overdue", "supervision_overdue", "decision_overdue", "bond_idle", "clean"):
        steady(config, projects[name])
    batch = BondBatch.create(year=2026, number=1, listed_on=dt.date(2026, 6, 1))
    for name in ("bond_idle", "clean"):
        entry = BondEntry.create(batch=batch, project=projects[name], amount=1200, issued_on=dt.date(2026, 7, 28))
    record_spending(entry, dt.date(2026, 9, 1), Decimal("600"))  # the clean one spent half of it

    raise_problem(
        projects["problem_overdue"], "用地指标未落实", "市自然资源局", dt.date(2026, 11, 15), office, now=BEFORE
    )
    solved = raise_problem(
        projects["clean"], "临时用电未接入", "国网供电公司", dt.date(2026, 11, 15), office, now=BEFORE
    )
    change_problem(solved, office, "status", "已接入", status="resolved", now=dt.datetime(2026, 11, 14, 9))
    issue_order(
        projects["supervision_overdue"],
        office,
        "未按期开工",
        "说明原因",
        dt.date(2026, 11, 20),
        BEFORE.date(),
        now=BEFORE,
    )
    answered = issue_order(
        projects["clean"], office, "进度偏慢", "报送计划", dt.date(2026, 11, 20), BEFORE.date(), now=BEFORE
    )
    reply_to_order(answered, office, "已报送赶工计划", now=dt.datetime(2026, 11, 18, 9))
    run = CycleRun.create(cycle="monthly", period="2026-10", claimed_by="test", lease_until=BEFORE)
    for n, name in enumerate(("decision_overdue", "clean"), 1):
        item = AgendaItem.create(run=run, project=projects[name], kind="lagging", title=name, position=n)
        decision = record_decision(
            item, "协调解决施工用地", "市自然资源局", dt.date(2026, 11, 20), office, BEFORE.date()
        )
        if name == "clean":  # carried out the day before it was due
            record_outcome(decision, "done", "已解决", dt.date(2026, 11, 19), office)

    for week in WEEKS:
        take_snapshot(week, config["warnings"])
    return projects


def reasons_by_code(result):
    return {p.code: [r.rule for r in p.reasons] for p in result.projects}


def test_each_rule_fires_for_its_project_and_no_other(city):
    result = lagging_list(DAY, RULES_CONFIG)
    assert result.week == "2026-W47"
    assert reasons_by_code(result) == {rule: [rule] for rule in RULES}
    assert lagging_count(DAY, RULES_CONFIG) == len(RULES)  # the dashboard's figure, counted in SQL


def test_every_reason_gives_the_dates_and_figures(city):
    details = {p.code: p.reasons[0].detail for p in lagging_list(DAY, RULES_CONFIG).projects}
    assert "2026-11-10" in details["deadline_passed"] and "超期 15 天" in details["deadline_passed"]
    assert "1,300万元" in details["behind_plan"] and "5,000.25万元" in details["behind_plan"]
    assert "主体施工" in details["milestone_overdue"] and "2026-11-01" in details["milestone_overdue"]
    assert "2026-W46 至 2026-W47" in details["reports_missing"] and "2026-W45" in details["reports_missing"]
    assert "4,000万元" in details["stale_report"]
    assert "用地指标未落实" in details["problem_overdue"] and "逾期 10 天" in details["problem_overdue"]
    assert "2026-11-20" in details["supervision_overdue"] and "逾期 5 天" in details["supervision_overdue"]
    assert details["bond_idle"] == "2026年第一批专项债券 1200.00 万元 2026-07-28 发行，至 2026-11-25 已 120 天未支出"


def test_thresholds_come_from_the_config(city):
    lenient = {**RULES_CONFIG, "missing_weeks": 3, "stale_weeks": 4, "overdue_days": 7, "behind_percent": 80}
    assert sorted(
        reasons_by_code(lagging_list(DAY, {**lenient, "bonds": {**DEFAULTS["bonds"], "idle_days": 121}}))
    ) == [
        "deadline_passed",
        "milestone_overdue",
        "problem_overdue",  # 10 days overdue, more than 7
    ]


def test_the_list_for_a_past_day_does_not_change_after_edits(city, config):
    before = [p.as_dict() for p in lagging_list(DAY, RULES_CONFIG).projects]
    office = User.get(username="office")
    # Everything is put right afterwards: reports corrected, the deadline moved, the problem solved.
    file(config, city["behind_plan"], "2026-W47", investment_completed=4_900, now=dt.datetime(2026, 11, 26, 10))
    file(config, city["reports_missing"], "2026-W47", investment_completed=4_900, now=dt.datetime(2026, 11, 26, 10))
    Project.update(start_deadline=dt.date(2027, 3, 1), lead_department="市住建局", project_unit="新单位").execute()
    [problem] = city["problem_overdue"].problems
    change_problem(problem, office, "status", "已落实", status="resolved", now=dt.datetime(2026, 11, 26, 10))
    [order] = city["supervision_overdue"].supervision_orders
    reply_to_order(order, office, "已说明", now=dt.datetime(2026, 11, 26, 11))
    take_snapshot("2026-W48", config["warnings"])
    assert [p.as_dict() for p in lagging_list(DAY, RULES_CONFIG).projects] == before
    assert "市住建局" not in str(before)


def test_a_day_reads_the_last_week_closed_by_then(city):
    assert closing_week(dt.date(2026, 11, 22)) == "2026-W47"  # Sunday: its own week has ended
    assert closing_week(dt.date(2026, 11, 21)) == "2026-W46"
    assert closing_week(dt.date(2026, 10, 1)) is None
    assert lagging_list(dt.date(2026, 10, 1), RULES_CONFIG).projects == []


def as_dicts(result):
    return [p.as_dict() for p in result.projects]


def test_the_weekly_dispatch_stores_the_list_it_computed(city, config):
    computed = lagging_list(SUNDAY, RULES_CONFIG)
    run_cycle("weekly", "2026-W47", config)
    stored = lagging_list(SUNDAY, RULES_CONFIG)
    assert LaggingWeek.get_by_id("2026-W47")
    assert [e.code for e in LaggingEntry.of_week("2026-W47")] == [p.code for p in computed.projects]
    assert (stored.week, as_dicts(stored), stored.skipped) == (computed.week, as_dicts(computed), computed.skipped)
    assert stored.counts() == computed.counts()


def test_a_dispatched_weeks_list_stays_as_sent_after_late_edits(city, config):
    run_cycle("weekly", "2026-W47", config)
    sent = as_dicts(lagging_list(SUNDAY, RULES_CONFIG))
    office = User.get(username="office")
    # After the dispatch: a report filed late for the closed week, the problem closed with an
    # earlier date, and the thresholds made lenient.
    file(config, city["reports_missing"], "2026-W47", investment_completed=4_900, now=dt.datetime(2026, 11, 26, 10))
    [problem] = city["problem_overdue"].problems
    change_problem(problem, office, "status", "已落实", status="resolved", now=dt.datetime(2026, 11, 12, 10))
    lenient = {**RULES_CONFIG, "missing_weeks": 3, "stale_weeks": 4, "behind_percent": 80}
    assert "problem_overdue" not in reasons_by_code(lagging_list(DAY, lenient))  # a day computed sees the edits
    assert as_dicts(lagging_list(SUNDAY, lenient)) == sent


def test_a_week_never_dispatched_is_computed(city):
    lenient = {**RULES_CONFIG, "missing_weeks": 3, "stale_weeks": 4, "behind_percent": 80}
    assert not LaggingWeek.select().exists()
    assert sorted(reasons_by_code(lagging_list(SUNDAY, lenient))) != sorted(RULES)
    assert sorted(reasons_by_code(lagging_list(SUNDAY, RULES_CONFIG))) == sorted(RULES)
