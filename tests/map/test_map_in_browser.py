"""The map and the big screen in Chromium: pins drawn with no tiles at 375 and 1366 px, the screen at
1920 × 1080 without scrolling, the point picker filling the form. Screenshots go to test-artifacts/map/."""

import pytest
import test_browser
from conftest import PASSWORD_HASH
from playwright.sync_api import sync_playwright

from tracker.accounts.models import User
from tracker.core.config import PROJECT_ROOT, load_config
from tracker.core.db import db
from tracker.demo.loading import load_demo_city
from tracker.map.views import LEAFLET
from tracker.projects.models import Project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (PROJECT_ROOT / "static" / LEAFLET).is_file(), reason="Leaflet is not vendored: run scripts/setup.sh"
    ),
]
ARTIFACTS = test_browser.ARTIFACTS / "map"
server = test_browser.server  # the app, served for real; [map] tile_url is empty: no tiles


@pytest.fixture
def city(server, tmp_path):
    """The demo city at 30 projects (placed in its counties, one without coordinates); the office's login."""
    config = load_config(overrides={"mail": {"outbox_dir": str(tmp_path / "outbox")}})
    with db.connection_context():
        accounts = {role: username for role, username, _ in load_demo_city(config, count=30, weeks=4)}
        User.update(password_hash=PASSWORD_HASH).execute()
        placed = Project.select().where(Project.latitude.is_null(False)).count()
    return {"office": accounts["office"], "placed": placed}


@pytest.fixture
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=test_browser.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def signed_in(browser, server, username, width, height):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    test_browser.log_in(page, server, username)
    return page, errors


def pins_and_clusters(page):
    """How many projects the map shows: single pins count one, a cluster its number."""
    page.wait_for_selector(".leaflet-marker-icon")
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')")
    singles = page.locator(".leaflet-marker-icon.pin").count()
    clustered = sum(int(text) for text in page.locator(".leaflet-marker-icon.pin-cluster").all_inner_texts())
    return singles + clustered


@pytest.mark.parametrize("width", [375, 1366])
def test_the_map_shows_every_placed_project_without_tiles(server, city, browser, width):
    page, errors = signed_in(browser, server, city["office"], width, 800)
    page.goto(f"{server}/map")
    assert pins_and_clusters(page) == city["placed"]
    assert page.locator(".leaflet-tile").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"map-{width}.png", full_page=True)
    page.locator(".leaflet-marker-icon.pin").first.click()
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator("a").get_attribute("href").startswith("/projects/")
    assert popup.locator(".light").inner_text() in ("红灯", "黄灯", "绿灯")
    assert errors == []


def test_the_big_screen_fits_1920_by_1080_without_scrolling(server, city, browser):
    page, errors = signed_in(browser, server, city["office"], 1920, 1080)
    page.goto(f"{server}/screen")
    assert pins_and_clusters(page) == city["placed"]
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight,"
        " document.body.scrollWidth, document.body.scrollHeight]"
    )
    assert size == [1920, 1080, 1920, 1080]
    box = page.locator("#red-flags").bounding_box()
    assert box["y"] + box["height"] <= 1080
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screen-1920x1080.png")
    assert errors == []


def test_a_click_on_the_picker_fills_latitude_and_longitude(server, city, browser):
    page, errors = signed_in(browser, server, city["office"], 1366, 900)
    with db.connection_context():
        code = Project.select(Project.code).where(Project.latitude.is_null()).scalar()
    page.goto(f"{server}/projects/{code}/edit")
    assert page.input_value("#latitude") == ""
    page.locator("#picker").scroll_into_view_if_needed()
    page.locator("#picker").click(position={"x": 300, "y": 150})
    latitude, longitude = float(page.input_value("#latitude")), float(page.input_value("#longitude"))
    assert 30 < latitude < 38 and 105 < longitude < 112  # around the configured centre
    assert errors == []
