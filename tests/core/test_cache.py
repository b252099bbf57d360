"""Cached figures are never stale and never shared between reaches, on SQLite and PostgreSQL."""

import re
import subprocess
import sys

import pytest

from tracker.accounts.models import AccountCounty, ApiToken
from tracker.audit.log import Actor, record
from tracker.core.cache import data_version
from tracker.core.config import PROJECT_ROOT
from tracker.core.db import db
from tracker.projects.models import Project


def rate(call, token, **filters):
    return call(token, "GET", "/stats", query_string=filters).get_json()["restart_rate"]


@pytest.fixture
def office(make_user, token_for):
    return token_for(make_user("office", "office"))


def test_a_write_shows_in_the_next_read_of_the_figures(call, office, make_project):
    project = make_project()
    assert rate(call, office)["numerator"] == 0
    with db.connection_context():
        Project.update(status="started").where(Project.id == project.id).execute()
    assert rate(call, office)["numerator"] == 1


def test_a_write_of_another_process_shows_in_the_next_read(app, call, office, make_project):
    make_project(code="XM-A")
    make_project(code="XM-B")
    assert rate(call, office)["numerator"] == 0
    script = (
        "import sys; from tracker.core.db import bind_database; from tracker.projects.models import Project; "
        "bind_database(sys.argv[1]); "
        "Project.update(status='restarted').where(Project.code == 'XM-B').execute()"
    )
    url = app.config["TRACKER"]["database"]["url"]
    subprocess.run([sys.executable, "-c", script, url], check=True, cwd=PROJECT_ROOT)
    assert rate(call, office) == {"numerator": 1, "denominator": 2, "percent": 50.0}


def test_an_owner_never_gets_the_figures_cached_for_the_office(call, office, make_project, token_for):
    mine, _ = make_project(), make_project()
    assert rate(call, office)["denominator"] == 2
    assert rate(call, token_for(mine.owner))["denominator"] == 1


def test_county_offices_get_the_figures_of_their_own_counties(call, office, make_user, make_project, token_for):
    make_project(county="东城区")
    make_project(county="西城区")
    make_project(county="西城区")
    east, west = make_user("east", "county"), make_user("west", "county")
    with db.connection_context():
        AccountCounty.set_counties(east, ["东城区"])
        AccountCounty.set_counties(west, ["西城区"])
    assert rate(call, office)["denominator"] == 3
    assert rate(call, token_for(east))["denominator"] == 1
    assert rate(call, token_for(west))["denominator"] == 2


def test_the_owners_dashboard_counts_their_projects_after_the_office_looked(make_user, login, app, make_project):
    mine = make_project()
    make_project()
    make_project()
    make_user("office", "office")
    office_page = login("office").get("/").get_data(as_text=True)
    owner_client = app.test_client()
    with db.connection_context():
        owner = mine.owner
    page = login(owner.username, c=owner_client).get("/").get_data(as_text=True)
    assert denominator(office_page) == "3"
    assert denominator(page) == "1"


def denominator(page):
    return re.search(r'data-figure="denominator">(\d+)<', page).group(1)


def test_writes_of_tokens_and_the_audit_log_leave_the_version_alone(conn, make_user, token_for, make_project):
    user = make_user("office", "office")
    before = data_version()
    token_for(user)
    ApiToken.update(last_used_from="127.0.0.1").execute()
    record("login", Actor("命令行"))
    assert data_version() == before
    make_project()
    assert data_version() > before


def test_a_write_rolled_back_leaves_the_version_alone(conn, make_project):
    project = make_project()
    before = data_version()
    with pytest.raises(RuntimeError), db.atomic():
        Project.update(status="started").where(Project.id == project.id).execute()
        raise RuntimeError("rolled back")
    assert data_version() == before
