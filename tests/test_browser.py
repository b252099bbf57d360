"""A phone-sized Chromium: an owner files the weekly report and sees the dashboard's restart rate move.

The app is served for real (werkzeug, a background thread) on a SQLite file; Playwright drives the
Debian Chromium, never a downloaded one.
"""

import datetime as dt
import threading
from pathlib import Path

import pytest
from conftest import PASSWORD, PASSWORD_HASH, overrides_for
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tracker import create_app
from tracker.config import DEFAULTS
from tracker.db import all_models, db
from tracker.models import LeadOfficial, Project, User
from tracker.registry import save_project

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def server(sqlite_url, tmp_path):
    """The app on a SQLite file, listening on a free port of 127.0.0.1; its base URL."""
    app = create_app(overrides=overrides_for(sqlite_url, tmp_path))
    with db.connection_context():
        db.create_tables(all_models())
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


@pytest.fixture
def city(server):
    """Three key projects of one responsible person (owners see their own figures), one of them started."""
    with db.connection_context():
        LeadOfficial.create(name="王建国", email="wang@example.gov.cn")
        codes = []
        for n in range(1, 4):
            values = {
                "code": f"XM-{n:03d}",
                "name": f"测试项目{n}",
                "county": "东城区",
                "industry_chain": "文旅产业链",
                "project_unit": f"测试单位{n}",
                "responsible_person": f"责任人{n}",
                "responsible_phone": "13900000002",
                "lead_official": "王建国",
                "lead_department": "市文旅局",
                "total_investment": 10_000,
                "annual_plan_investment": 5_000,
                "start_deadline": dt.date.today() + dt.timedelta(days=30),
            }
            codes.append(save_project(values, None, DEFAULTS["milestones"]).code)
        Project.update(status="started").where(Project.code == codes[0]).execute()
        User.update(password_hash=PASSWORD_HASH).where(User.username == "13900000002").execute()
    return {"owner": "13900000002", "code": codes[1]}


@pytest.fixture
def phone():
    """A page in a phone-sized, touch-enabled Chromium; closed even when the test fails."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(**PHONE).new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def restart_rate(page):
    return [page.locator(f'[data-figure="{name}"]').inner_text() for name in ("numerator", "denominator", "percent")]


def test_an_owner_files_a_report_on_a_phone_and_the_restart_rate_moves(server, city, phone):
    phone.goto(f"{server}/login")
    phone.fill("#username", city["owner"])
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{server}/")
    assert restart_rate(phone) == ["1", "3", "33.3%"]

    phone.click("nav >> text=周报填报")
    phone.locator(f'[data-code="{city["code"]}"]').get_by_role("link", name="填报", exact=True).click()
    phone.select_option("#status", label="已开工")
    phone.fill("#investment_completed", "800")
    phone.fill("#funds-self_raised", "300")
    phone.fill("#physical_progress", "场地平整完成，桩基施工中")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "report-form-375.png", full_page=True)
    phone.click("text=提交周报")
    expect(phone.locator(".flash-success")).to_contain_text("周报")

    phone.click("nav >> text=总览")
    assert restart_rate(phone) == ["2", "3", "66.7%"]
