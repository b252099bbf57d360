"""Problems found at a unit or an enterprise that is no key project: on the same ledger, reached by county."""

import datetime as dt

import pytest
from test_ledger import NDRC, RAISED, TODAY, rows
from test_ledger import city as city  # noqa: F401 (the fixture, by its name)

from scheduler.cycles import run_cycle
from tracker.accounts.models import AccountCounty, User
from tracker.core.db import db
from tracker.core.periods import period_of, period_start, previous_period
from tracker.core.weeks import week_of
from tracker.cycles.consultations import AgendaItem
from tracker.lagging.rules import overdue_reasons
from tracker.problems.ledger import ProblemError, raise_problem


@pytest.fixture
def unit_problem(city, make_user):
    """An overdue problem at 东城区's 城建局, raised by the inspector, beside the projects' problems."""
    with db.connection_context():
        for username, county in (("east", "东城区"), ("west", "西城区")):
            AccountCounty.set_counties(make_user(username, "county"), [county])
        inspector = User.get(User.username == "inspector")
        due = TODAY - dt.timedelta(days=5)
        return raise_problem(
            None,
            "项目审批超时限",
            NDRC,
            due,
            inspector,
            "inspection",
            None,
            RAISED,
            subject="东城区城建局",
            county="东城区",
        )


def test_a_units_problem_is_on_the_ledger_named_by_its_unit(client, login, unit_problem):
    login("office")
    page = client.get("/problems/").get_data(as_text=True)
    assert unit_problem.id in rows(page) and "东城区城建局" in page
    shown = client.get(f"/problems/{unit_problem.id}").get_data(as_text=True)
    assert "<dt>单位</dt>" in shown and "东城区城建局" in shown and "项目审批超时限" in shown


@pytest.mark.parametrize(("user", "sees"), [("east", True), ("west", False), ("department", True)])
def test_a_units_problem_reaches_its_county_office_and_its_department_only(client, login, unit_problem, user, sees):
    login(user)
    assert (unit_problem.id in rows(client.get("/problems/").get_data(as_text=True))) is sees
    assert client.get(f"/problems/{unit_problem.id}").status_code == (200 if sees else 403)


def test_an_owner_never_sees_a_units_problem(client, login, city, unit_problem):
    login(city["owner"])
    assert unit_problem.id not in rows(client.get("/problems/").get_data(as_text=True))
    assert client.get(f"/problems/{unit_problem.id}").status_code == 403


def test_the_county_filter_and_search_find_a_units_problem(client, login, unit_problem):
    login("office")
    assert rows(client.get("/problems/?county=东城区").get_data(as_text=True)).count(unit_problem.id) == 1
    assert rows(client.get("/problems/?q=城建局").get_data(as_text=True)) == [unit_problem.id]
    assert unit_problem.id not in rows(client.get("/problems/?county=西城区").get_data(as_text=True))


def test_the_api_gives_a_units_problem_without_a_project(call, token_for, unit_problem):
    with db.connection_context():
        token = token_for(User.get(User.username == "office"))
    body = call(token, "GET", f"/problems/{unit_problem.id}").get_json()
    assert body["project"] is None and body["subject"] == "东城区城建局" and body["county"] == "东城区"
    listed = call(token, "GET", "/problems?county=东城区").get_json()
    assert unit_problem.id in [p["id"] for p in listed["items"]]
    assert {"name": "东城区", "overdue": 1} in listed["overdue_by_county"]


def test_a_units_problem_is_on_the_monthly_agenda_but_makes_no_project_lag(conn, config, unit_problem):
    month = previous_period("monthly", period_of("monthly", TODAY))
    run_cycle("weekly", week_of(period_start("monthly", month) + dt.timedelta(days=7)), config)
    run = run_cycle("monthly", month, config)
    titles = [i.title for i in AgendaItem.select().where((AgendaItem.run == run) & (AgendaItem.kind == "problem"))]
    assert "东城区城建局" in titles
    assert None not in overdue_reasons(TODAY, 0)


def test_a_problem_needs_a_project_or_a_unit(conn):
    with pytest.raises(ProblemError, match="请指定问题所在的项目或单位"):
        raise_problem(None, "无主问题", NDRC, TODAY, None, subject=" ")
