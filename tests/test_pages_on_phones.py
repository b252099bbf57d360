"""Every page of every role's navigation, on a phone (375 px) and on an office screen (1366 px).

A small but realistic city: the demo city's shape at 40 projects (lagging projects, a published notice,
problems, supervision orders, the quarter's published 红旗 and 蜗牛 lists), a week's dispatch run with its mail, and a project whose name, unit and
department are as long as real ones. A page fails if it scrolls sideways or squeezes a table cell with
text under 64 px; each page is kept as a screenshot in test-artifacts/pages/.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
import test_browser
from conftest import PASSWORD_HASH

from scheduler.cycles import run_cycle
from tracker.accounts.credentials import new_api_token, revoke_tokens
from tracker.accounts.models import ApiToken, User
from tracker.audit.log import Actor
from tracker.core.config import DEFAULTS, load_config
from tracker.core.db import db
from tracker.core.periods import period_of
from tracker.core.weeks import shift_week, week_of
from tracker.cycles.runs import CycleRun
from tracker.demo.loading import load_demo_city
from tracker.honours.drafting import draft_honours, publish_honours
from tracker.inspections.models import InspectionBulletin, InspectionRound
from tracker.letters.models import Letter
from tracker.mail.outbox import Outbox
from tracker.notices.models import CriticismNotice
from tracker.problems.models import Problem
from tracker.projects.models import ListEntry, Project
from tracker.projects.registry import save_project
from tracker.promotion.models import Lead
from tracker.supervision.models import SupervisionOrder

pytestmark = pytest.mark.browser

ROLES = ("office", "leader", "owner", "inspector", "department", "county")
NARROWEST_CELL = 64  # px: below this a cell holds one to four characters a line
ARTIFACTS, browser_page, log_in = test_browser.ARTIFACTS, test_browser.browser_page, test_browser.log_in
server = test_browser.server  # the app, served for real
LONG_NAME = "西安至延安高速铁路配套工程黄河特大桥及引线段（第三标段）建设项目"


@pytest.fixture
def city(server, tmp_path):
    """The demo city at 40 projects, a weekly dispatch run, and one project with very long names.

    Returns the accounts by role and the detail pages worth a look (a project, a problem, an order,
    a notice, a run, an email, the quarter's 红旗/蜗牛 lists and scores).
    """
    # The photos where the served app reads them (conftest.overrides_for).
    config = load_config(
        overrides={"mail": {"outbox_dir": str(tmp_path / "outbox")}, "photos": {"directory": str(tmp_path / "photos")}}
    )
    with db.connection_context():
        accounts = {role: username for role, username, _ in load_demo_city(config, count=40, weeks=8)}
        User.update(password_hash=PASSWORD_HASH).execute()
        owner = User.get(username=accounts["owner"])
        long_one = save_project(
            {
                "code": "XM-LONG",
                "name": LONG_NAME,
                "county": "高新区",
                "industry_chain": "商贸物流产业链",
                "project_unit": "中铁二十局集团第六工程有限公司西延高铁项目经理部",
                "responsible_person": owner.display_name or "责任人",
                "responsible_phone": owner.username,
                "lead_official": Project.select().first().lead_official.name,
                "lead_department": "市交通运输局（市铁路建设协调服务中心）",
                "total_investment": Decimal("1234567.89"),
                "annual_plan_investment": Decimal("234567.89"),
                "start_deadline": dt.date.today() - dt.timedelta(days=45),
            },
            None,
            DEFAULTS["milestones"],
        )
        run_cycle("weekly", shift_week(week_of(dt.date.today()), -1), config)
        # API 令牌: every role's own list, with a long name, a revoked and an expired token beside a working one.
        for user in User.select().where(User.username.in_(list(accounts.values()))):
            for name, days in ((f"{LONG_NAME}数据同步脚本", 90), ("已吊销的脚本", 30), ("过期的脚本", 1)):
                new_api_token(user, name, days, Actor("命令行"))
        revoke_tokens(ApiToken.name == "已吊销的脚本", Actor("命令行"), reason="账号停用")
        ApiToken.update(expires_at=ApiToken.created_at).where(ApiToken.name == "过期的脚本").execute()
        # The demo's 8 weeks do not reach back to last quarter: this quarter's lists so far, published.
        quarter = period_of("quarterly", dt.date.today())
        publish_honours(draft_honours(quarter, config, None), None, dt.date.today())
        details = [
            f"/projects/{Project.select().where(Project.owner == owner).order_by(Project.id).first().code}",
            f"/projects/{long_one.code}",
            f"/problems/{Problem.select().order_by(Problem.id).first().id}",
            f"/supervision/{SupervisionOrder.select().order_by(SupervisionOrder.id).first().id}",
            f"/letters/{Letter.select().order_by(Letter.id).first().id}",
            f"/notices/{CriticismNotice.select().first().id}",
            f"/public/notices/{CriticismNotice.select().first().id}",
            f"/cycles/{CycleRun.select().first().id}",
            f"/deliveries/{Outbox.select().first().id}",
            "/tokens/",  # in the navigation for the office, beside 修改密码 for everyone else
            f"/lists/entries/{ListEntry.of_kind('department').first().id}",
            f"/honours/{quarter}",
            f"/public/honours/{quarter}",
            "/public/honours/",
            f"/scores/?quarter={quarter}",
            f"/inspections/{InspectionRound.select().first().id}",
            f"/inspections/bulletins/{InspectionBulletin.select().first().id}",
            f"/public/inspections/{InspectionBulletin.select().first().id}",
            f"/promotion/leads/{Lead.select().where(Lead.project.is_null(False)).get().id}",
            "/promotion/assessment",
        ]
    return {"accounts": accounts, "details": details}


def page_name(path):
    """projects-XM-LONG for /projects/XM-LONG: the screenshot's name."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", path.strip("/")).strip("-") or "dashboard"


def problems_on(page):
    """What reads badly: a sideways scroll, and cells with text narrower than NARROWEST_CELL."""
    return page.evaluate(
        """(narrowest) => {
        const found = [];
        const width = document.documentElement.scrollWidth;
        if (width > window.innerWidth) found.push(`scrolls sideways: ${width} > ${window.innerWidth}`);
        for (const cell of document.querySelectorAll('td, th')) {
            const box = cell.getBoundingClientRect();
            if (cell.innerText.trim() && box.width > 0 && box.width < narrowest)
                found.push(`cell ${Math.round(box.width)} px: ${cell.innerText.trim().slice(0, 20)}`);
        }
        return found.slice(0, 5);
    }""",
        NARROWEST_CELL,
    )


@pytest.mark.parametrize("width", [375, 1366])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_navigation_reads_without_a_sideways_scroll(server, city, role, width):
    shots = ARTIFACTS / "pages"
    shots.mkdir(parents=True, exist_ok=True)
    with browser_page(width) as page:
        log_in(page, server, city["accounts"][role])
        links = page.eval_on_selector_all("header nav a", "links => links.map(a => a.getAttribute('href'))")
        paths = [href.split("?")[0] for href in links if "/export" not in href]
        assert len(paths) >= 4, paths  # every role has a navigation worth the name
        if width < 600:  # the menu is folded behind one button; opened, every link is a touch target
            page.click(".menu-button")
            heights = page.eval_on_selector_all("header nav a", "links => links.map(a => a.offsetHeight)")
            assert min(heights) >= 44, heights
            page.screenshot(path=shots / f"{role}-menu-{width}.png")
        found = {}
        for path in dict.fromkeys(paths + city["details"]):
            response = page.goto(f"{server}{path}")
            if path in city["details"] and response.status in (403, 404):
                continue  # a page this role may not see
            assert response.status == 200, path
            page.screenshot(path=shots / f"{role}-{page_name(path)}-{width}.png", full_page=True)
            current = page.eval_on_selector_all('header nav a[aria-current="page"]', "a => a.map(a => a.href)")
            if path in paths:
                assert current == [f"{server}{path}"], (path, current)  # the page is marked in the menu
            if problems := problems_on(page):
                found[path] = problems
    assert not found, found
