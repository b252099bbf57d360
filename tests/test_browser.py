"""A phone-sized Chromium: an owner files the weekly report and sees the dashboard's restart rate move.

The app is served for real (werkzeug, a background thread) on a SQLite file; Playwright drives the
Debian Chromium, never a downloaded one.
"""

import contextlib
import datetime as dt
import threading
from pathlib import Path

import pytest
from conftest import PASSWORD, PASSWORD_HASH, overrides_for
from playwright.sync_api import expect, sync_playwright
from real_lists import prefecture_list
from werkzeug.serving import make_server

from tracker import create_app
from tracker.accounts.models import LeadOfficial, User
from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.projects.models import Project
from tracker.projects.registry import save_project
from tracker.schema import MODELS

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


@contextlib.contextmanager
def browser_page(width, height=740):
    """A page in Chromium ``width`` px wide, a touch phone under 600 px; the browser closed even when the test fails."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
            page = browser.new_context(viewport={"width": width, "height": height}, **phone).new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def log_in(page, server, username, password=PASSWORD):
    """Log in through the form, as a person does."""
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def server(sqlite_url, tmp_path):
    """The app on a SQLite file, listening on a free port of 127.0.0.1; its base URL."""
    with serving(overrides_for(sqlite_url, tmp_path)) as url:
        yield url


@contextlib.contextmanager
def serving(overrides):
    """The app with ``overrides``, its tables created, served on a free port of 127.0.0.1; its base URL."""
    app = create_app(overrides=overrides)
    with db.connection_context():
        db.create_tables(MODELS)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
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


def go_to(page, link):
    """Follow a link of the navigation; on a phone the menu is folded and opened first."""
    if page.locator(".menu-button").is_visible():
        page.click(".menu-button")
    page.click(f"nav >> text={link}")


def test_an_owner_files_a_report_on_a_phone_and_the_restart_rate_moves(server, city, phone):
    phone.goto(f"{server}/login")
    phone.fill("#username", city["owner"])
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{server}/reports/")  # an owner lands on their reports
    go_to(phone, "总览")
    assert restart_rate(phone) == ["1", "3", "33.3%"]

    go_to(phone, "周报填报")
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

    go_to(phone, "总览")
    assert restart_rate(phone) == ["2", "3", "66.7%"]


@pytest.fixture
def lagging_city(server):
    """Two projects past their start deadline in the last closed week, and an office account."""
    from tracker.core.weeks import shift_week, week_of
    from tracker.cycles.snapshots import take_snapshot

    with db.connection_context():
        LeadOfficial.create(name="王建国", email="wang@example.gov.cn")
        for n in (1, 2):
            values = {
                "code": f"ZH-{n}",
                "name": f"滞后项目{n}",
                "county": "东城区",
                "industry_chain": "化工产业链",
                "project_unit": f"滞后单位{n}",
                "responsible_person": f"责任人{n}",
                "responsible_phone": f"1390000001{n}",
                "lead_official": "王建国",
                "lead_department": "市发展改革委",
                "total_investment": 10_000,
                "annual_plan_investment": 5_000,
                "start_deadline": dt.date.today() - dt.timedelta(days=30),
            }
            save_project(values, None, DEFAULTS["milestones"])
        User.create(username="office", role="office", password_hash=PASSWORD_HASH)
        take_snapshot(shift_week(week_of(dt.date.today()), -1), DEFAULTS["warnings"])


@pytest.fixture
def desktop():
    with browser_page(1280, 900) as page:
        yield page


def test_the_office_drafts_reviews_and_publishes_a_notice_the_public_can_read(server, lagging_city, desktop):
    page = desktop
    log_in(page, server, "office")
    page.click("nav >> text=滞后通报")
    expect(page.locator("#lagging")).to_contain_text("开工时限已过未开复工")
    page.click("text=据此名单起草通报")
    row = page.locator('#notice-entries tr[data-code="ZH-2"]')
    row.locator("summary").click()
    row.locator("textarea").fill("已于上周开工，周报漏报，经核实")
    row.get_by_role("button", name="移出").click()
    expect(page.locator("#removed-entries")).to_contain_text("已于上周开工，周报漏报，经核实")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=发布通报")
    expect(page.locator(".flash-success")).to_contain_text(f"X重项办〔{dt.date.today().year}〕1号")
    page.get_by_role("link", name="公开页面").click()
    page.context.clear_cookies()  # the public reads it without an account
    page.reload()
    expect(page.locator("#notice-entries")).to_contain_text("滞后项目1")
    expect(page.locator("#notice-entries")).not_to_contain_text("滞后项目2")
    assert "1390000001" not in page.content()


@pytest.fixture
def incomplete_city(server):
    """Projects as a published list gives them: one complete, five lacking their leader, deadline or plan."""
    with db.connection_context():
        LeadOfficial.create(name="王建国", email="wang@example.gov.cn")
        User.create(username="office", role="office", password_hash=PASSWORD_HASH)
        for n in range(1, 7):
            values = {
                "code": f"SX-{n}",
                "name": f"西安至延安高速铁路配套工程第{n}标段",
                "category": "基础设施 / 交通 / 铁路",
                "stage": "new_start",
                "level": "provincial",
                "location": "东城区滨河路以北",
                "planned_start": "2023",
                "planned_completion": "2025-10",
                "scale_and_content": "新建铁路专用线 12 公里，配套站房 2 座",
                "total_investment": 120_000,
                "county": "东城区" if n % 2 else "",
                "project_unit": f"建设单位{n}" if n != 3 else "",
                "lead_official": "王建国" if n == 1 else "",
                "start_deadline": dt.date.today() + dt.timedelta(days=60) if n in (1, 2) else None,
                "annual_plan_investment": 20_000 if n in (1, 4) else None,
                "responsible_person": f"责任人{n}" if n == 1 else "",
                "responsible_phone": "13900000031" if n == 1 else "",
                "lead_department": "市交通局" if n == 1 else "",
            }
            save_project(values, None, DEFAULTS["milestones"])


def log_in_as_office(page, server):
    log_in(page, server, "office")
    page.wait_for_url(f"{server}/")


def test_the_incomplete_list_reads_as_cards_on_a_phone(server, incomplete_city, phone):
    log_in_as_office(phone, server)
    phone.goto(f"{server}/projects/")
    phone.click("text=待完善项目 5 个")
    expect(phone.locator("#incomplete article")).to_have_count(5)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "incomplete-375.png", full_page=True)
    phone.click("#missing-filter >> text=缺开工时限")
    expect(phone.locator("#incomplete article")).to_have_count(4)
    phone.locator('#incomplete article[data-code="SX-3"] header a').click()
    expect(phone.locator("#missing")).to_contain_text("市级包抓领导")
    expect(phone.locator("#listing")).to_contain_text("2023年—2025年10月")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=ARTIFACTS / "incomplete-project-375.png", full_page=True)


def test_the_incomplete_list_and_a_project_page_on_a_desktop(server, incomplete_city, desktop):
    desktop.set_viewport_size({"width": 1366, "height": 900})
    log_in_as_office(desktop, server)
    desktop.goto(f"{server}/projects/incomplete")
    expect(desktop.locator("#incomplete article")).to_have_count(5)
    ARTIFACTS.mkdir(exist_ok=True)
    desktop.screenshot(path=ARTIFACTS / "incomplete-1366.png", full_page=True)
    desktop.goto(f"{server}/projects/SX-4")
    expect(desktop.locator("#missing")).to_contain_text("开工时限")
    desktop.screenshot(path=ARTIFACTS / "incomplete-project-1366.png", full_page=True)
    desktop.goto(f"{server}/")
    expect(desktop.locator("#light-skips")).to_contain_text("4 个项目未填开工时限")
    desktop.screenshot(path=ARTIFACTS / "dashboard-1366.png", full_page=True)


def test_the_office_imports_a_published_list_on_a_phone_after_its_preview(server, phone, tmp_path):
    with db.connection_context():
        User.create(username="office", role="office", password_hash=PASSWORD_HASH)
    sheet = tmp_path / "2024年全市重大项目清单.xlsx"
    prefecture_list().save(sheet)
    phone.goto(f"{server}/login")
    phone.fill("#username", "office")
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.goto(f"{server}/projects/import")
    phone.set_input_files("#file", str(sheet))
    phone.click("text=上传并预览")
    expect(phone.locator("#summary")).to_contain_text("共 4 个项目，尚未写入")
    expect(phone.locator("#warnings")).to_contain_text("与各行之和 115283.86 万元不符")
    expect(phone.locator("#layout")).to_contain_text("基础设施 / 交通 / 铁路：2 个项目")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # nothing runs off the side
    phone.screenshot(path=ARTIFACTS / "import-preview-375.png", full_page=True)
    phone.locator("#summary").get_by_role("button", name="确认导入").click()
    expect(phone.locator(".flash-success")).to_contain_text("导入完成：新增 4 个")
    phone.screenshot(path=ARTIFACTS / "import-done-375.png", full_page=True)
    with db.connection_context():
        assert Project.get(Project.name == "西安至延安高铁★").category == "基础设施 / 交通 / 铁路"


def test_the_office_searches_the_project_list_and_finds_the_new_project_form(server, incomplete_city, phone):
    ARTIFACTS.mkdir(exist_ok=True)
    log_in_as_office(phone, server)
    for width in (375, 1366):
        phone.set_viewport_size({"width": width, "height": 900})
        phone.goto(f"{server}/projects/")
        phone.fill("#filter-q", "第3标段")
        phone.press("#filter-q", "Enter")
        expect(phone.locator("#project-list tbody tr")).to_have_count(1)
        expect(phone.locator("#project-list")).to_contain_text("SX-3")
        assert phone.evaluate("document.documentElement.scrollWidth") <= width
        phone.screenshot(path=ARTIFACTS / f"project-search-{width}.png", full_page=True)
    phone.click("text=新建项目")
    phone.wait_for_url(f"{server}/projects/new")
