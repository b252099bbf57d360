"""The department in charge updates an enterprise's status on a phone; the pages read at 375 and 1366 px.

The demo's 78 enterprises; screenshots kept in test-artifacts/enterprises/."""

import pytest
import test_browser
from conftest import PASSWORD_HASH
from playwright.sync_api import sync_playwright

from tracker.accounts.models import User
from tracker.core.config import load_config
from tracker.core.db import db
from tracker.demo.loading import load_demo_city
from tracker.enterprises.models import Enterprise

pytestmark = pytest.mark.browser
server = test_browser.server  # the app, served for real
SHOTS = test_browser.ARTIFACTS / "enterprises"


@pytest.fixture
def demo(server, tmp_path):
    config = load_config(overrides={"photos": {"directory": str(tmp_path / "photos")}})
    with db.connection_context():
        load_demo_city(config, count=20, weeks=2)
        User.update(password_hash=PASSWORD_HASH).execute()
        department = User.get(User.username == "department").department
        waiting = Enterprise.with_status(Enterprise.listed_on).where(Enterprise.department == department)
        return waiting.order_by(Enterprise.id.desc()).first()


def sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("width", [375, 1366])
def test_the_department_updates_a_status_on_a_phone_and_the_pages_fit(server, demo, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=test_browser.CHROMIUM_ARGS)
        try:
            phone = test_browser.PHONE if width < 600 else {"viewport": {"width": width, "height": 800}}
            page = browser.new_context(**phone).new_page()
            test_browser.log_in(page, server, "department")
            shown = {}
            for name, path in (
                ("dashboard", "/"),
                ("list", "/enterprises/"),
                ("enterprise", f"/enterprises/{demo.id}"),
                ("status", f"/enterprises/{demo.id}/status"),
            ):
                page.goto(f"{server}{path}")
                page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
                shown[name] = sideways(page)
            page.check("input[value=resumed]")
            page.click("form.card button.primary")
            page.wait_for_load_state()
            assert page.locator("#status").get_attribute("data-status") == "resumed"
        finally:
            browser.close()
    assert not any(shown.values()), shown
