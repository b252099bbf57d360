"""月跟进调度 in the monthly consultation's email, and this quarter's counts on the dashboard."""

import datetime as dt
import zoneinfo

from promotion_city import TODAY, leads_fixture, people_fixture  # noqa: F401 (fixtures)
from smtp_server import smtp_config, smtp_server  # noqa: F401 (fixture)

from scheduler.cycles import run_cycle
from tracker.core.db import db
from tracker.mail.outbox import deliver_due
from tracker.promotion.periods import quarter_of
from tracker.promotion.pipeline import record_visit
from tracker.reports.filing import file_report

FILED_AT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_the_monthly_consultation_email_carries_the_months_promotion_and_signed_leads_not_landed(
    config,
    people,
    leads,
    make_project,
    smtp_server,  # noqa: F811
):
    handler, port = smtp_server
    project = make_project(code="R-1")
    with db.connection_context():
        office = people["office"]
        office.email = "office@example.gov.cn"
        office.save()
        record_visit(leads["signed"], dt.date(2026, 11, 3), "", office, TODAY)
        values = {"status": "not_started", "investment_completed": 0, "physical_progress": "前期"}
        file_report(project, "2026-W47", values, office, config, now=FILED_AT, past_cutoff=True)
        cfg = smtp_config(config, port)
        run_cycle("weekly", "2026-W47", cfg)
        run_cycle("monthly", "2026-11", cfg)
        deliver_due(cfg)
    [email] = [m for m in handler.to("office@example.gov.cn") if "月会商" in m["Subject"]]
    text = email.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "招商引资月跟进：外出招商 0 批次，对接企业 1 家，来考察 1 家，达成意向 1 家，签约 1 个（1.2亿元）" in text
    assert "签约未落地（1 个）\n  市发展改革委：新材料产业园项目（上海新材料有限公司，2026-11-20 签约）" in text
    html = email.get_body(preferencelist=("html",)).get_content()
    assert f"/promotion/leads/{leads['signed'].id}" in html and "签约未落地（1 个）" in html


def test_the_dashboard_shows_this_quarters_promotion_beside_the_restart_rate(client, login, people, leads, config):
    login("leader")
    page = client.get("/").get_data(as_text=True)
    assert 'id="promotion"' in page and page.index('id="restart-rate"') < page.index('id="promotion"')
    this_quarter = quarter_of(dt.date.today())
    counts = 1 if this_quarter == "2026-Q4" else 0  # the fixture's trip is of 2026-10-12
    assert f'data-figure="batches">{counts} 批次' in page
    login("owner")
    assert 'id="promotion"' not in client.get("/").get_data(as_text=True)
