"""The demo city's 入库纳统 and county review: a few projects not yet included, one county under review."""

import datetime as dt
import secrets

from tracker.accounts.credentials import hash_password
from tracker.accounts.models import AccountCounty, User
from tracker.core.db import bulk_update
from tracker.core.weeks import utc_now
from tracker.projects.inclusion import months_before
from tracker.projects.models import UNDER_WAY, ProgressReport, Project

REVIEWED_COUNTY = "南湖县"
SENT_BACK_REASON = "累计完成投资较上周增加较多，与形象进度描述不符，请核实后附情况说明重新提交"


def write_review(city, today):
    """Inclusion for every project under way, the county office account of 南湖县 and its reviews; return its login."""
    _write_inclusion(today)
    password = secrets.token_urlsafe(9)
    county, _ = User.get_or_create(
        username="county", defaults={"role": "county", "display_name": f"{REVIEWED_COUNTY}重点项目办"}
    )
    county.password_hash = hash_password(password)
    county.save()
    AccountCounty.set_counties(county, [REVIEWED_COUNTY])
    _write_reviews(city, county, today)
    return [("county", "county", password)]


def _write_inclusion(today):
    """Projects under way are included about three weeks after their start; the two started longest ago
    that are not are one red (two months and more) and one yellow (one month and more)."""
    under_way = list(
        Project.select()
        .where(Project.status.in_(UNDER_WAY) & Project.started_on.is_null(False))
        .order_by(Project.started_on, Project.code)
    )
    red = next((p for p in under_way if p.started_on <= months_before(today, 2)), None)
    yellow = next((p for p in under_way if months_before(today, 2) < p.started_on <= months_before(today, 1)), None)
    included = [
        (True, min(project.started_on + dt.timedelta(days=21), today), project.id)
        for project in under_way
        if project not in (red, yellow)
    ]
    bulk_update(Project, (Project.statistics_included, Project.statistics_included_on), included)
    reasons = {red: "项目单位未按月报送固定资产投资统计报表", yellow: "入库资料正在整理，待统计部门审核"}
    for project, reason in reasons.items():
        if project is not None:
            Project.update(statistics_reason=reason).where(Project.id == project.id).execute()


def _write_reviews(city, county, today):
    """南湖县's projects that had not reported this week now have: the first report sent back with a reason,
    the others awaiting review. They repeat last week's figures, so the city's figures (accepted reports
    only) stay those of the demo's headline."""
    week = city.weeks[-1]
    waiting = (
        Project.select()
        .where((Project.county == REVIEWED_COUNTY) & (Project.last_report_week < week))
        .order_by(Project.code)
        .limit(3)
    )
    now = utc_now()
    for n, project in enumerate(waiting):
        last = ProgressReport.get(
            (ProgressReport.project == project) & (ProgressReport.week == project.last_report_week)
        )
        review = (
            {"review_state": "sent_back", "review_reason": SENT_BACK_REASON, "reviewed_by": county, "reviewed_at": now}
            if n == 0
            else {"review_state": "submitted"}
        )
        ProgressReport.create(
            project=project,
            week=week,
            status=last.status,
            investment_completed=last.investment_completed,
            physical_progress=last.physical_progress,
            problems=last.problems,
            next_week_plan=last.next_week_plan,
            submitted_by=project.owner_id,
            submitted_at=now,
            updated_at=now,
            version=1 if n == 0 else 0,
            **review,
        )
