"""The leaders' weekly mail states 序时进度 from the monthly plan, as of the week's close."""

import datetime as dt
from decimal import Decimal

from smtp_server import smtp_config, smtp_server  # noqa: F401 (fixture)
from test_scheduler import WEEK

from scheduler.cycles import run_cycle
from tracker.mail.outbox import deliver_due
from tracker.projects.models import MONTHLY_PLAN_COLUMNS

# 600 by the end of October, 900 by the end of November: on Sunday 22 November (2026-W47's close)
# 600 + 300 × 22/30 = 820 of 1,200 is due, 68.33 % (the even spread would ask 326/365 = 89.32 %).
PLAN = [Decimal(60 * m) for m in range(1, 11)] + [Decimal(900), Decimal(1200)]


def plain(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html(message):
    return message.get_body(preferencelist=("html",)).get_content()


def test_the_leader_and_the_office_read_the_plan_to_date_of_the_weeks_close(
    conn,
    config,
    make_project,
    make_user,
    smtp_server,  # noqa: F811
):
    make_project(
        code="M-1",
        annual_plan_investment=Decimal(1200),
        start_deadline=dt.date(2026, 12, 31),
        **dict(zip(MONTHLY_PLAN_COLUMNS, PLAN, strict=True)),
    )
    make_user("office", "office", email="office@example.gov.cn", display_name="项目办")
    handler, port = smtp_server
    cfg = smtp_config(config, port)
    run_cycle("weekly", WEEK, cfg)
    deliver_due(cfg)
    words = "完成年度计划的 0.0%，低于序时进度 68.3 个百分点"
    [to_wang] = handler.to("wang@example.gov.cn")
    assert f"序时进度：{words}" in plain(to_wang)
    assert words in html(to_wang)
    [summary] = handler.to("office@example.gov.cn")
    assert words in plain(summary)
