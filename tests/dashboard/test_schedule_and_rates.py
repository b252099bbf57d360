"""The restart rate three more ways and the city's 序时进度, in GET /api/v1/stats and on the dashboard."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from tracker import create_app
from tracker.core.config import DEFAULTS, ConfigError, load_config
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.cycles.figures import rate
from tracker.projects.models import MONTHLY_PLAN_COLUMNS, Project


def today():
    return local_now(DEFAULTS["city"]["timezone"]).date()


@pytest.fixture
def city(conn, make_project):
    """Six projects around today: planned and started, planned and not, started ahead of a later deadline …"""
    day = today()

    def make(code, kind, deadline, status):
        project = make_project(code=code, kind=kind, start_deadline=deadline)
        Project.update(status=status).where(Project.id == project.id).execute()

    make("PLANNED-ON", "new", day - dt.timedelta(days=10), "started")
    make("PLANNED-OFF", "new", day, "not_started")  # due today: planned, and not started
    make("EARLY-1", "continuing", day + dt.timedelta(days=1), "restarted")  # ahead of plan
    make("EARLY-2", "continuing", day + dt.timedelta(days=30), "completed")  # ahead, and finished
    make("LATER", "continuing", day + dt.timedelta(days=30), "not_started")
    make("NO-DEADLINE", "new", None, "started")  # counts for new projects, not against a plan


def test_the_restart_rate_three_more_ways(app, city, call, token_for, make_user):
    stats = call(token_for(make_user("boss", "office")), "GET", "/stats").get_json()
    assert stats["restart_rate"] == {"numerator": 5 - 1, "denominator": 6, "percent": 66.7}
    # Planned by today: PLANNED-ON and PLANNED-OFF; started: PLANNED-ON, plus EARLY-1 and EARLY-2 ahead of plan.
    assert stats["restart_rate_planned"] == {"numerator": 3, "denominator": 2, "percent": 150.0}
    assert stats["start_rate_new"] == {"numerator": 2, "denominator": 3, "percent": 66.7}
    assert stats["restart_rate_continuing"] == {"numerator": 2, "denominator": 3, "percent": 66.7}
    for key in ("restart_rate", "restart_rate_planned", "start_rate_new", "restart_rate_continuing"):
        r = stats[key]
        assert r["percent"] == round(100 * r["numerator"] / r["denominator"], 1)


def test_a_rate_over_no_projects_has_no_percent(app, city, call, token_for, make_user):
    token = token_for(make_user("boss", "office"))
    not_started = call(token, "GET", "/stats?status=not_started").get_json()
    assert not_started["restart_rate_continuing"] == {"numerator": 0, "denominator": 1, "percent": 0.0}
    none = call(token, "GET", "/stats?status=suspended").get_json()
    for key in ("restart_rate_planned", "start_rate_new", "restart_rate_continuing"):
        assert none[key] == {"numerator": 0, "denominator": 0, "percent": None}
    assert rate(3, 0)["percent"] is None


def months(value):
    return dict.fromkeys(MONTHLY_PLAN_COLUMNS, value)


@pytest.fixture
def planned(conn, make_project):
    """Two projects of 1,200 a year each, 600 due by the end of every month from January: 1,200 due after January."""
    for code, done in (("PLAN-A", Decimal(300)), ("PLAN-B", Decimal(500))):
        project = make_project(code=code, annual_plan_investment=Decimal(1200), **months(Decimal(600)))
        Project.update(investment_completed=done).where(Project.id == project.id).execute()
    make_project(code="NO-PLAN", annual_plan_investment=None)  # no plan: not in the sums


def expected_progress():
    """800 done of 2,400 (33.33 %) against 1,200 due (50 %), or January's share of it."""
    day = today()
    due = Decimal(1200) if day.month > 1 else Decimal(1200) * day.day / 31
    plan = (100 * due / 2400).quantize(Decimal("0.01"))
    return {"plan_to_date": float(plan), "completed": 33.33, "difference_points": float(Decimal("33.33") - plan)}


def test_the_stats_give_the_citys_schedule_progress_from_the_sums(app, planned, call, token_for, make_user):
    stats = call(token_for(make_user("boss", "office")), "GET", "/stats").get_json()
    progress = stats["schedule_progress"]
    assert progress == pytest.approx(expected_progress(), abs=0.011)
    assert progress["difference_points"] == round(progress["completed"] - progress["plan_to_date"], 2)


def test_the_project_api_gives_the_monthly_plan_and_schedule_progress(app, planned, call, token_for, make_user):
    token = token_for(make_user("boss", "office"))
    body = call(token, "GET", "/projects/PLAN-A").get_json()
    assert body["monthly_plan"] == [600.0] * 12
    assert body["schedule_progress"]["completed"] == 25.0
    day = today()
    assert body["schedule_progress"]["plan_to_date"] == (50.0 if day.month > 1 else round(50 * day.day / 31, 2))
    listed = {p["code"]: p for p in call(token, "GET", "/projects").get_json()["items"]}
    assert listed["NO-PLAN"]["monthly_plan"] is None and listed["NO-PLAN"]["schedule_progress"] is None
    assert listed["PLAN-B"]["schedule_progress"]["completed"] == 41.67


def test_the_api_sets_clears_and_refuses_a_monthly_plan(app, conn, call, token_for, make_user):
    token = token_for(make_user("boss", "office"))
    plan = [100 * m for m in range(1, 13)]
    new = {"code": "API-M", "name": "分月计划", "total_investment": 5000, "annual_plan_investment": 1200}
    created = call(token, "POST", "/projects", json={**new, "monthly_plan": plan})
    assert created.status_code == 201 and created.get_json()["monthly_plan"] == plan
    refused = call(token, "PATCH", "/projects/API-M", json={"monthly_plan": [*plan[:11], 1000]})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "monthly_plan_12"
    assert "不能减少" in refused.get_json()["error"]["message"]
    short = call(token, "PATCH", "/projects/API-M", json={"monthly_plan": plan[:11]})
    assert short.status_code == 422 and short.get_json()["error"]["message"].startswith("分月计划应为 12 个数")
    cleared = call(token, "PATCH", "/projects/API-M", json={"monthly_plan": None})
    assert cleared.get_json()["monthly_plan"] is None
    with db.connection_context():
        assert Project.get(Project.code == "API-M").monthly_plan == [None] * 12


def test_the_dashboard_states_the_citys_schedule_progress(app, planned, office_session):
    page = office_session.get("/").get_data(as_text=True)
    card = re.search(r'<p id="schedule-progress"[^>]*>(.*?)</p>', page, re.S).group(1)
    progress = expected_progress()
    points = Decimal(str(progress["difference_points"])).quantize(Decimal("0.1"))
    assert f"完成年度计划的 33.3%，低于序时进度 {abs(points)} 个百分点" in card


def test_the_dashboard_leads_with_the_rate_the_office_chose(city, config, tmp_path, make_user, login):
    from conftest import overrides_for

    overrides = overrides_for(config["database"]["url"], tmp_path)
    app = create_app(overrides={**overrides, "dashboard": {"lead_rate": "restart_rate_planned"}})
    client = app.test_client()
    make_user("office", "office")
    login("office", c=client)
    page = client.get("/").get_data(as_text=True)
    card = re.search(r'<section class="card" id="restart-rate">(.*?)</section>', page, re.S).group(1)
    assert "计划开工项目开复工率" in card.split("</h2>")[0]
    big = [
        re.search(rf'data-figure="{name}">([^<]+)<', card).group(1) for name in ("numerator", "denominator", "percent")
    ]
    assert big == ["3", "2", "150.0%"]
    beside = dict(re.findall(r'<li data-rate="(\w+)"[^>]*>([^<]*)</li>', card))
    assert beside["restart_rate"].strip() == "开复工率 4 / 6 = 66.7%"
    assert set(beside) == {"restart_rate", "start_rate_new", "restart_rate_continuing"}


def test_an_unknown_lead_rate_stops_start_up_with_a_message():
    with pytest.raises(ConfigError, match=r"\[dashboard\] lead_rate must be one of restart_rate, restart_rate_planned"):
        load_config(overrides={"dashboard": {"lead_rate": "opening_rate"}})


def test_the_battle_map_states_each_projects_schedule_progress(app, planned, office_session):
    page = office_session.get("/board").get_data(as_text=True)
    card = re.search(r'<article class="card \w+" data-code="PLAN-A">(.*?)</article>', page, re.S).group(1)
    day = today()
    due = Decimal(600) if day.month > 1 else Decimal(600) * day.day / 31
    points = (Decimal(25) - 100 * due / 1200).quantize(Decimal("0.1"))
    assert f"完成年度计划的 25.0%，低于序时进度 {abs(points)} 个百分点" in card
    no_plan = re.search(r'data-code="NO-PLAN">(.*?)</article>', page, re.S).group(1)
    assert "序时进度" not in no_plan
