"""The dashboard and the battle map as a leader or the office sees them."""

import datetime as dt
import re

from reporting import file

from tracker.accounts.models import LeadOfficial
from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import shift_week
from tracker.cycles import charts
from tracker.cycles.figures import Live, figures
from tracker.cycles.snapshots import Snapshot, take_snapshot, weeks_of_totals
from tracker.projects.models import Project
from tracker.reports.filing import current_week


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
    make_user("office", "office")
    make_project()
    login("office")
    assert client.get("/charts/restart_rate.png").status_code == 404  # nothing closed yet
    with db.connection_context():
        take_snapshot("2026-W46", DEFAULTS["warnings"])
    page = client.get("/").get_data(as_text=True)
    assert "/charts/restart_rate.png?week=2026-W46" in page and "截至第46周快照" in page
    assert client.get("/charts/restart_rate.png?week=2026-W45").status_code == 404  # no snapshot of that week
    for name in ("restart_rate", "investment", "funds"):
        response = client.get(f"/charts/{name}.png")
        assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
        # Behind the login: the browser may keep a chart a few minutes, shared caches may not.
        assert response.cache_control.private and response.cache_control.max_age == 300


def test_the_cards_say_they_are_live_and_the_charts_which_snapshot_they_draw(
    config, client, login, make_user, make_project
):
    make_user("office", "office")
    started, restarted, _ = make_project(), make_project(), make_project()
    week = current_week(config)
    closed = shift_week(week, -1)
    with db.connection_context():
        file(config, started, closed, status="started")
        take_snapshot(closed, DEFAULTS["warnings"])  # the weekly dispatch closes last week
        file(config, restarted, week, status="restarted")  # a report after it: the cards count it, the charts not
        live, snapshot = figures(Live(week)), figures(Snapshot(closed))
        last_point = charts.restart_rate_series(weeks_of_totals(last=closed))[-1]
    login("office")
    page = client.get("/").get_data(as_text=True)

    card = re.search(r'<section class="card" id="restart-rate">(.*?)</section>', page, re.S).group(1)
    assert live["as_of"] == "截至本周实时" and live["as_of"] in card
    shown = [re.search(rf'data-figure="{name}">([^<]+)<', card).group(1) for name in ("numerator", "denominator")]
    assert shown == ["2", "3"] == [str(live["restart_rate"][key]) for key in ("numerator", "denominator")]
    assert f"{live['restart_rate']['percent']}%" in card

    caption = re.search(r'<figcaption data-chart="restart_rate">(.*?)</figcaption>', page, re.S).group(1)
    assert snapshot["as_of"] == f"截至第{int(closed[-2:])}周快照" and snapshot["as_of"] in caption
    assert "1 / 3 = 33.3%" in caption
    assert last_point == (closed, snapshot["restart_rate"]["percent"]) == (closed, 33.3)
    assert f"/charts/restart_rate.png?week={closed}" in page  # the chart of the week the caption names
    assert live["as_of"] not in caption and snapshot["as_of"] not in card
    # The caption says how far its snapshot is from the live card above it, and where they agree.
    assert "实时 2 / 3 = 66.7%，比快照高 33.4 个百分点" in caption
    funds = re.search(r'<figcaption data-chart="funds">(.*?)</figcaption>', page, re.S).group(1)
    assert "与实时数据一致" in funds


STARTS_LIGHT = """
import json, sys
from tracker import create_app
from tracker.core.db import db
from tracker.schema import MODELS

app = create_app(overrides=json.loads(sys.argv[1]))
db.create_tables(MODELS, safe=True)
assert app.test_client().get("/login").status_code == 200
print(json.dumps(sorted(name for name in ("matplotlib", "openpyxl") if name in sys.modules)))
"""


def test_the_web_app_starts_and_serves_without_loading_matplotlib(sqlite_url, tmp_path):
    import json
    import subprocess
    import sys

    from conftest import overrides_for

    # A fresh interpreter: this test session has long imported the charts.
    overrides = json.dumps(overrides_for(sqlite_url, tmp_path))
    run = subprocess.run([sys.executable, "-c", STARTS_LIGHT, overrides], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout.splitlines()[-1]) == []


def test_a_chart_asked_again_is_not_modified_until_a_write_changes_the_data(
    config, client, login, make_user, make_project
):
    make_user("office", "office")
    project = make_project()
    with db.connection_context():
        take_snapshot("2026-W46", DEFAULTS["warnings"])
    login("office")
    first = client.get("/charts/restart_rate.png?week=2026-W46")
    etag = first.headers["ETag"]
    again = client.get("/charts/restart_rate.png?week=2026-W46", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    with db.connection_context():
        file(config, project, "2026-W46", status="started")
        take_snapshot("2026-W46", DEFAULTS["warnings"])
    redrawn = client.get("/charts/restart_rate.png?week=2026-W46", headers={"If-None-Match": etag})
    assert redrawn.status_code == 200 and redrawn.data != first.data
    assert redrawn.headers["ETag"] != etag
