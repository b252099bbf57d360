"""地图 (/map) and GET /api/v1/map: pins coloured by their light, the battle map's filters and reach."""

import datetime as dt
import json
import os
import re
import subprocess
from decimal import Decimal

import pytest
from conftest import overrides_for

from tracker import create_app
from tracker.core.config import DEFAULTS, PROJECT_ROOT, ConfigError, load_config
from tracker.core.db import db
from tracker.core.money import to_money
from tracker.core.weeks import local_now
from tracker.map import views as map_views
from tracker.projects.lights import refresh_next_milestones
from tracker.projects.models import Project
from tracker.projects.monthly_plan import monthly_values, plan_to_date
from tracker.web.access import can

TODAY = local_now(DEFAULTS["city"]["timezone"]).date()


def days(n):
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def lights_city(make_project):
    """One project of each light, placed; one more without coordinates.

    Red: past its start deadline, not started. Yellow: started, and 20 % short of the plan due by
    today (the yellow threshold is 10 %, the red 25 %). Green: its deadline far off.
    """
    yellow = make_project(code="P-YELLOW", start_deadline=days(-30), latitude=34.2, longitude=108.9)
    short = to_money(plan_to_date(yellow.annual_plan_investment, monthly_values(yellow), TODAY) * Decimal("0.8"))
    with db.connection_context():
        Project.update(status="started", investment_completed=short).where(Project.id == yellow.id).execute()
        refresh_next_milestones([yellow.id])  # under way: the procedures before the start no longer count
    return {
        "red": make_project(code="P-RED", start_deadline=days(-5), latitude=34.1, longitude=108.8),
        "yellow": yellow,
        "green": make_project(
            code="P-GREEN", county="西城区", start_deadline=days(200), latitude=34.3, longitude=109.0
        ),
        "unplaced": make_project(code="P-NOWHERE", start_deadline=days(200)),
    }


def page_features(html):
    """The FeatureCollection the map page hands its script."""
    return json.loads(re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S).group(1))


def test_the_api_gives_each_placed_project_as_a_feature_coloured_by_its_light(lights_city, make_user, token_for, call):
    token = token_for(make_user("office", "office"))
    body = call(token, "GET", "/map").get_json()
    assert body["type"] == "FeatureCollection" and body["unplaced"] == 1
    features = {f["properties"]["code"]: f for f in body["features"]}
    assert set(features) == {"P-RED", "P-YELLOW", "P-GREEN"}
    red = features["P-RED"]
    assert red["type"] == "Feature" and red["geometry"] == {"type": "Point", "coordinates": [108.8, 34.1]}
    assert red["properties"] == {
        "code": "P-RED",
        "name": lights_city["red"].name,
        "county": "东城区",
        "status": "not_started",
        "light": "red",
        "light_reason": f"开工时限 {days(-5):%Y-%m-%d}，已超期 5 天，尚未开复工",
        "url": "/projects/P-RED",
    }
    assert features["P-YELLOW"]["properties"]["light"] == "yellow"
    assert features["P-YELLOW"]["properties"]["light_reason"].startswith("累计完成投资")
    assert features["P-GREEN"]["properties"]["light"] == "green"
    assert features["P-GREEN"]["properties"]["light_reason"] == "进展正常"


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("light=red", {"P-RED"}),
        ("county=西城区", {"P-GREEN"}),
        ("q=P-YEL", {"P-YELLOW"}),
        ("status=started", {"P-YELLOW"}),
        ("status=completed", set()),
    ],
)
def test_the_battle_maps_filters_narrow_the_map(lights_city, make_user, token_for, call, client, login, query, codes):
    token = token_for(make_user("office", "office"))
    assert {f["properties"]["code"] for f in call(token, "GET", f"/map?{query}").get_json()["features"]} == codes
    login("office")
    assert {
        f["properties"]["code"] for f in page_features(client.get(f"/map?{query}").get_data(as_text=True))["features"]
    } == codes


def test_a_filter_naming_nothing_is_refused(lights_city, make_user, token_for, call):
    token = token_for(make_user("office", "office"))
    response = call(token, "GET", "/map?light=blue")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "light"


def test_an_owner_sees_only_their_own_pins(make_project, token_for, call, client, login):
    mine = make_project(responsible_phone="13900001111", latitude=34.1, longitude=108.8)
    make_project(responsible_phone="13900002222", latitude=34.2, longitude=108.9)
    with db.connection_context():
        owner = Project.get_by_id(mine.id).owner
    body = call(token_for(owner), "GET", "/map").get_json()
    assert [f["properties"]["code"] for f in body["features"]] == [mine.code]
    login(owner.username)
    assert [f["properties"]["code"] for f in page_features(client.get("/map").get_data(as_text=True))["features"]] == [
        mine.code
    ]


def test_a_county_office_sees_its_counties_pins_only(make_project, make_user, token_for, call):
    from tracker.accounts.models import AccountCounty

    east = make_project(county="东城区", latitude=34.1, longitude=108.8)
    make_project(county="西城区", latitude=34.2, longitude=108.9)
    county = make_user("east", "county")
    with db.connection_context():
        AccountCounty.set_counties(county, ["东城区"])
    body = call(token_for(county), "GET", "/map").get_json()
    assert [f["properties"]["code"] for f in body["features"]] == [east.code]


def test_the_map_needs_a_login_and_the_api_a_token(client, call):
    assert client.get("/map").status_code == 302
    assert call("no-such-token", "GET", "/map").status_code == 401


def test_projects_without_coordinates_are_listed_below_the_map_with_a_link_to_edit_them(
    lights_city, make_user, client, login
):
    make_user("office", "office")
    login("office")
    html = client.get("/map").get_data(as_text=True)
    unplaced = html[html.index('id="unplaced"') :]
    assert "1 个项目未标注坐标" in unplaced
    assert 'href="/projects/P-NOWHERE/edit"' in unplaced
    assert "P-RED" not in unplaced


def test_a_reader_who_cannot_edit_is_sent_to_the_project_page(lights_city, make_user, client, login):
    leader = make_user("leader", "leader")
    assert not can(leader, "manage_projects")
    login("leader")
    unplaced = client.get("/map").get_data(as_text=True).split('id="unplaced"')[1]
    assert 'href="/projects/P-NOWHERE"' in unplaced and "/edit" not in unplaced


def test_without_the_vendored_leaflet_the_page_lists_the_pins_and_says_why(
    lights_city, make_user, client, login, monkeypatch
):
    monkeypatch.setattr(map_views, "LEAFLET", map_views.LEAFLET.with_name("absent.js"))
    make_user("office", "office")
    login("office")
    html = client.get("/map").get_data(as_text=True)
    assert "地图组件（Leaflet）尚未安装" in html and "vendor/leaflet" not in html
    listed = re.findall(r'<li data-code="([^"]+)">', html.split('id="map"')[1].split("</ul>")[0])
    assert listed == ["P-GREEN", "P-RED", "P-YELLOW"]


def test_the_setup_vendored_leaflet_and_the_page_loads_it_from_this_site_only(lights_city, make_user, client, login):
    vendored = (PROJECT_ROOT / "static" / map_views.LEAFLET).is_file()
    if not vendored and os.environ.get("CI") != "true":
        pytest.skip("Leaflet is not vendored here: scripts/setup.sh installs it (CI runs it)")
    assert vendored, "scripts/setup.sh should have vendored static/vendor/leaflet/leaflet.js"
    make_user("office", "office")
    login("office")
    html = client.get("/map").get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/vendor/leaflet/leaflet.js" in sources and all(s.startswith("/static/") for s in sources)


def test_the_county_outlines_are_served_when_configured(app, client, tmp_path):
    assert client.get("/map/outlines.geojson").status_code == 404
    outline = tmp_path / "outlines.geojson"
    outline.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    app.config["TRACKER"]["map"]["outline_geojson"] = str(outline)
    with client.get("/map/outlines.geojson") as response:
        assert response.status_code == 200 and response.get_json()["type"] == "FeatureCollection"


def test_the_setup_does_not_vendor_leaflet_twice():
    if not (PROJECT_ROOT / "static" / map_views.LEAFLET).is_file():
        pytest.skip("Leaflet is not vendored here: scripts/setup.sh installs it (CI runs it)")
    stamp = PROJECT_ROOT / "static" / "vendor" / "leaflet" / "VERSIONS"
    before = stamp.stat().st_mtime_ns
    done = subprocess.run([PROJECT_ROOT / "scripts" / "vendor-leaflet.sh"], capture_output=True, text=True, check=True)
    assert done.stdout == "" and stamp.stat().st_mtime_ns == before
    assert "leaflet@1.9.4" in stamp.read_text()


def test_a_configured_tile_server_may_serve_the_maps_images(sqlite_url, tmp_path):
    overrides = overrides_for(sqlite_url, tmp_path)
    overrides["map"] = {"tile_url": "https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY"}
    policy = create_app(overrides=overrides).test_client().get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tianditu.gov.cn;" in policy


def test_without_tiles_the_pages_load_images_from_this_site_only(client):
    assert "img-src 'self' data:;" in client.get("/login").headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"center": [134.3, 108.9]}, "[map] center"),
        ({"center": [34.3]}, "[map] center"),
        ({"zoom": 0}, "[map] zoom"),
        ({"tile_url": "tianditu"}, "[map] tile_url"),
    ],
)
def test_a_wrong_map_setting_stops_start_up_naming_it(settings, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(overrides={"map": settings})
