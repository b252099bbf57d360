"""A round of inspection in a small city: two groups, three units (one a key project's), three findings."""

import datetime as dt

import pytest

from tracker.accounts.models import AccountCounty, User
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.inspections.rounds import add_finding, add_group, add_visit, create_round

TODAY = local_now("Asia/Shanghai").date()
STARTS = TODAY - dt.timedelta(days=40)
NDRC, HOUSING = "市发展改革委", "市住建局"


@pytest.fixture
def inspection(app, make_user, make_project):
    """The round, its groups, visits and findings; a county office for each of two counties, two departments."""
    with db.connection_context():
        for role in ("office", "leader", "inspector"):
            make_user(role, role)
        make_user("department", "department", department=NDRC)
        make_user("other_department", "department", department=HOUSING)
        for username, county in (("east", "东城区"), ("west", "西城区")):
            AccountCounty.set_counties(make_user(username, "county"), [county])
        project = make_project(code="XM-P", name="东城物流园", county="东城区")
        inspector = User.get(User.username == "inspector")
        inspection_round = create_round(
            "“三抓三促”行动督查",
            "关于开展“三抓三促”行动督查工作的通知",
            STARTS,
            STARTS + dt.timedelta(days=4),
            inspector,
        )
        first = add_group(inspection_round, "第一督查组", "李明", "王强、赵敏")
        second = add_group(inspection_round, "第二督查组", "张华", "刘洋")
        east = add_visit(first, "东城区城建局", "东城区", STARTS, ["实地走访", "查阅资料"])
        park = add_visit(first, "东城物流园项目部", "东城区", STARTS + dt.timedelta(days=1), ["实地走访"], project)
        west = add_visit(second, "西城区行政审批局", "西城区", STARTS + dt.timedelta(days=2), ["座谈交流"])
        raised = dt.datetime.combine(STARTS + dt.timedelta(days=5), dt.time(2))
        findings = {
            # Overdue: its deadline passed ten days ago, still open.
            "east": add_finding(east, "项目审批超时限", NDRC, TODAY - dt.timedelta(days=10), inspector, raised),
            "park": add_finding(park, "安全警示标志缺失", HOUSING, TODAY + dt.timedelta(days=20), inspector, raised),
            "west": add_finding(west, "并联审批未落实", NDRC, TODAY - dt.timedelta(days=3), inspector, raised),
        }
    return {"round": inspection_round, "findings": findings, "project": project}
