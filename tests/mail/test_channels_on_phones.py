"""The deliveries pages with every channel, and the forms where the office chooses who gets what, on a phone
(375 px) and an office screen (1366 px): nothing scrolls sideways and no key or secret shows.
Screenshots are kept in test-artifacts/channels/."""

import datetime as dt
from decimal import Decimal

import pytest
import test_browser
from channel_servers import DINGTALK_SECRET, DINGTALK_TOKEN, SMS_KEY, WECOM_KEY, stand_ins
from conftest import PASSWORD_HASH, overrides_for
from test_pages_on_phones import problems_on

from scheduler.cycles import run_cycle
from tracker.accounts.models import LeadOfficial, User
from tracker.core.config import DEFAULTS, load_config
from tracker.core.db import db
from tracker.core.weeks import local_now, week_of
from tracker.mail.outbox import Outbox, deliver_due
from tracker.projects.registry import save_project

pytestmark = pytest.mark.browser

SHOTS = test_browser.ARTIFACTS / "channels"


@pytest.fixture
def deliveries(sqlite_url, tmp_path):
    """The app served with a WeCom and a DingTalk robot and SMS; a reminder run sent, DingTalk refusing it."""
    with stand_ins() as robots:
        overrides = {**overrides_for(sqlite_url, tmp_path), "channels": robots["channels"]}
        with test_browser.serving(overrides) as url:
            config = load_config(overrides=overrides)
            with db.connection_context():
                official = LeadOfficial.create(name="王建国", email="wang@example.gov.cn", phone="13800001234")
                LeadOfficial.update(channels=["email", "sms"]).where(LeadOfficial.id == official.id).execute()
                User.create(username="office", role="office", password_hash=PASSWORD_HASH)
                project = save_project(
                    {
                        "code": "XM-001",
                        "name": "西安至延安高速铁路配套工程黄河特大桥及引线段（第三标段）建设项目",
                        "county": "高新区",
                        "industry_chain": "商贸物流产业链",
                        "responsible_person": "张三",
                        "responsible_phone": "13900001111",
                        "responsible_email": "zhang@example.gov.cn",
                        "lead_official": "王建国",
                        "lead_department": "市交通局",
                        "project_unit": "中铁二十局集团第六工程有限公司西延高铁项目经理部",
                        "kind": "new",
                        "total_investment": Decimal("1234567.89"),
                        "annual_plan_investment": Decimal("234567.89"),
                        "start_deadline": dt.date(2027, 6, 30),
                    },
                    None,
                    DEFAULTS["milestones"],
                )
                User.update(channels=["email", "sms"]).where(User.id == project.owner_id).execute()
                week = week_of(local_now(config["city"]["timezone"]).date())
                run_cycle("reminder", f"{week} friday 09:00", config)
                robots["dingtalk"].fail = "http500"
                deliver_due(config)
                rows = {row.channel: row.id for row in Outbox.select()}
            yield {"url": url, "rows": rows, "official": official.id, "owner": project.owner_id}


@pytest.mark.parametrize("width", [375, 1366])
def test_the_deliveries_and_the_channel_choices_read_on_a_phone_and_a_desktop(deliveries, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    url, rows = deliveries["url"], deliveries["rows"]
    pages = {
        "deliveries": "/deliveries/",
        "deliveries-wecom": f"/deliveries/{rows['wecom']}",
        "deliveries-dingtalk": f"/deliveries/{rows['dingtalk']}",
        "deliveries-sms": f"/deliveries/{rows['sms']}",
        "officials": "/accounts/officials",
        "official-form": f"/accounts/officials/{deliveries['official']}/edit",
        "account-form": f"/accounts/{deliveries['owner']}/edit",
    }
    found = {}
    with test_browser.browser_page(width) as page:
        test_browser.log_in(page, url, "office")
        for name, path in pages.items():
            assert page.goto(f"{url}{path}").status == 200, path
            page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
            html = page.content()
            assert not [s for s in (WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET, SMS_KEY) if s in html], path
            if problems := problems_on(page):
                found[path] = problems
        page.goto(f"{url}/deliveries/")
        assert page.locator('tr[data-channel="dingtalk"] .error').inner_text().startswith("HTTP 500")
        assert page.locator('tr[data-channel="sms"] td[data-label="渠道"]').inner_text() == "短信"
        page.goto(f"{url}/accounts/officials/{deliveries['official']}/edit")
        assert page.locator('input[name="channels"][value="sms"]').is_checked()
    assert not found, found
