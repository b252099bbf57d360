"""The city's figures, whichever route serves them, follow tracker.web.access: an owner fetches none of them."""

import datetime as dt

import pytest
from reporting import file

from tracker.core.db import db
from tracker.cycles.analysis import quarterly_analysis
from tracker.cycles.runs import CycleRun, to_json
from tracker.cycles.snapshots import take_snapshot

WEEK, QUARTER = "2026-W47", "2026-Q4"
READERS = ("office", "leader", "inspector", "department")
RUN_READERS = ("office", "leader", "inspector")  # see_runs; export_projects alike

# A route serving city-wide figures: the roles it serves (everyone else gets 403).
CITY_FIGURES = {
    f"/charts/restart_rate.png?week={WEEK}": READERS,
    f"/charts/funds.png?week={WEEK}": READERS,
    "/projects/export": RUN_READERS,
    "/projects/export/dispatch": RUN_READERS,
    "/cycles/{run}/analysis.xlsx": RUN_READERS,
    "/cycles/{run}/charts/by_county.png": RUN_READERS,
    "/cycles/{run}": RUN_READERS,
    "/lagging/": READERS,
    "/notices/": READERS,
}


@pytest.fixture
def city(app, config, make_user, make_project):
    """Two projects, one of them the owner's; the week closed and the quarter analysed."""
    for role in READERS:
        make_user(role, role, department="市发展改革委" if role == "department" else "")
    mine = make_project(code="MINE")
    theirs = make_project(code="THEIRS")
    with db.connection_context():
        for project in (mine, theirs):
            file(config, project, WEEK, investment_completed=1_000)
        take_snapshot(WEEK, config["warnings"])
        run = CycleRun.create(
            cycle="quarterly", period=QUARTER, state="done", claimed_by="test", lease_until=dt.datetime.now(),
            summary=to_json(quarterly_analysis(QUARTER)),
        )  # fmt: skip
    return {"owner": mine.owner.username, "run": run.id}


@pytest.mark.parametrize("path", list(CITY_FIGURES))
@pytest.mark.parametrize("role", [*READERS, "owner"])
def test_each_city_figure_route_serves_exactly_the_roles_that_see_the_city(client, login, city, role, path):
    login(city["owner"] if role == "owner" else role)
    response = client.get(path.format(run=city["run"]))
    assert response.status_code == (200 if role in CITY_FIGURES[path] else 403)


@pytest.mark.parametrize("role", [*READERS, "owner"])
def test_the_dashboard_draws_the_citys_history_only_for_those_who_see_the_city(client, login, city, role):
    login(city["owner"] if role == "owner" else role)
    page = client.get("/").get_data(as_text=True)
    assert ("全市历史走势" in page) == (role in READERS)
    assert ("/charts/" in page) == (role in READERS)


def test_an_owners_figures_count_their_own_projects_only(client, login, call, token_for, city):
    login(city["owner"])
    page = client.get("/").get_data(as_text=True)
    assert 'data-figure="denominator">1</a>' in page
    with db.connection_context():
        from tracker.accounts.models import User

        token = token_for(User.get(User.username == city["owner"]))
    assert call(token, "GET", "/stats").get_json()["restart_rate"]["denominator"] == 1
    assert call(token, "GET", "/lagging/ranking").status_code == 403
