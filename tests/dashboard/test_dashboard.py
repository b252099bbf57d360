"""The dashboard and the battle map as a leader or the office sees them."""

import datetime as dt
import re

from tracker.accounts.models import LeadOfficial
from tracker.core.db import db
from tracker.projects.models import Project


def set_status(project, status, completed=0):
    with db.connection_context():
        Project.update(status=status, investment_completed=completed).where(Project.id == project.id).execute()


def codes_on(html):
    return re.findall(r'data-code="([^"]+)"', html)


def test_restart_rate_shows_the_fraction_and_links_to_the_projects_behind_it(client, login, make_user, make_project):
    make_user("office", "office")
    a, b, _ = make_project(), make_project(), make_project()
    set_status(a, "started")
    set_status(b, "restarted")
    login("office")
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'data-figure="numerator">2</a>\s*/\s*<a[^>]*data-figure="denominator">3</a>', page)
    assert "66.7%" in page
    link = re.search(r'href="([^"]+)" data-figure="numerator"', page).group(1).replace("&amp;", "&")
    assert sorted(codes_on(client.get(link).get_data(as_text=True))) == sorted([a.code, b.code])


def test_filters_narrow_the_dashboard_to_one_county(client, login, make_user, make_project):
    make_user("office", "office")
    set_status(make_project(county="南湖县"), "started")
    make_project(county="北山县")
    login("office")
    page = client.get("/?county=南湖县").get_data(as_text=True)
    assert re.search(r'data-figure="numerator">1</a>\s*/\s*<a[^>]*data-figure="denominator">1</a>', page)


def test_battle_map_puts_red_projects_first_with_their_reason(client, login, make_user, make_project):
    make_user("office", "office")
    green = make_project(code="A-GREEN")
    red = make_project(code="Z-RED", start_deadline=dt.date.today() - dt.timedelta(days=5))
    login("office")
    page = client.get("/board").get_data(as_text=True)
    assert codes_on(page) == [red.code, green.code]
    assert "尚未开复工" in page and "红灯" in page


def test_a_leader_sees_the_projects_they_contract_first(client, login, make_user, make_project):
    with db.connection_context():
        mine = LeadOfficial.create(name="李明", email="li@example.gov.cn")
    make_user("li", "leader", lead_official=mine)
    other = make_project(code="A-1")
    own = make_project(code="B-1", lead_official="李明")
    login("li")
    assert codes_on(client.get("/board").get_data(as_text=True)) == [own.code, other.code]


def test_an_unknown_filter_value_is_a_clear_400(client, login, make_user):
    make_user("office", "office")
    login("office")
    response = client.get("/board?light=purple")
    assert response.status_code == 400


def test_dashboard_draws_history_charts_from_the_latest_snapshot(app, client, login, make_user, make_project):
    from tracker.core.config import DEFAULTS
    from tracker.cycles.snapshots import take_snapshot

    make_user("office", "office")
    make_project()
    login("office")
    assert client.get("/charts/restart_rate.png").status_code == 404  # nothing closed yet
    with db.connection_context():
        take_snapshot("2026-W46", DEFAULTS["warnings"])
    page = client.get("/").get_data(as_text=True)
    assert "/charts/restart_rate.png" in page and "截至 2026-W46" in page
    for name in ("restart_rate", "investment", "funds"):
        response = client.get(f"/charts/{name}.png")
        assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
        # Behind the login: the browser may keep a chart a few minutes, shared caches may not.
        assert response.cache_control.private and response.cache_control.max_age == 300
