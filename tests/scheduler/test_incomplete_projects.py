"""A project imported without a leader, a deadline or an annual plan (待完善) goes through the cycles:
the rules that need the field skip it, and the office's mail and the run page say so."""

import datetime as dt

import pytest
from smtp_server import smtp_config, smtp_server  # noqa: F401 (fixture)
from test_scheduler import WEEK

from scheduler.cycles import run_cycle
from tracker.accounts.models import LeadOfficial
from tracker.mail.outbox import deliver_due


@pytest.fixture
def city(conn, config, make_project, make_user):
    """One complete project long past its deadline, and one lacking its leader, deadline and plan."""
    LeadOfficial.create(name="李明", email="")  # created by an import: no address yet
    make_project(code="R-1", name="逾期项目", start_deadline=dt.date(2026, 10, 1))
    make_project(code="Q-1", name="李明的项目", lead_official="李明")
    make_project(code="N-1", name="待完善项目", lead_official="", start_deadline=None, annual_plan_investment=None)
    make_user("office", "office", email="office@example.gov.cn", display_name="项目办")


def plain(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_project_without_a_leader_is_in_no_leaders_mail_and_the_office_is_told(config, city, smtp_server):  # noqa: F811
    handler, port = smtp_server
    cfg = smtp_config(config, port)
    run = run_cycle("weekly", WEEK, cfg)
    deliver_due(cfg)
    [to_wang] = handler.to("wang@example.gov.cn")
    assert "N-1" not in plain(to_wang)
    [summary] = handler.to("office@example.gov.cn")
    text = plain(summary)
    assert "1 个项目未确定包抓领导，未纳入领导周报" in text
    assert "1 个项目未填开工时限，不判断开工时限预警" in text
    assert "1 个项目未填年度计划投资，不判断投资进度预警" in text
    assert "/projects/incomplete" in text
    assert "未收到周报摘要的包抓领导（无邮箱或手机可达）：李明" in text
    # Still counted where only its status matters: 3 projects in the restart rate.
    assert "0 / 3" in text
    assert run.data["skipped"][0] == "1 个项目未确定包抓领导，未纳入领导周报"


def test_the_run_page_states_what_the_rules_skipped(config, city, client, login):
    run = run_cycle("weekly", WEEK, config)
    login("office")
    page = client.get(f"/cycles/{run.id}").get_data(as_text=True)
    assert "1 个项目未确定包抓领导，未纳入领导周报" in page
    assert 'href="/projects/incomplete"' in page


def test_the_monthly_consultation_leaves_out_what_it_cannot_judge_and_says_so(config, city, smtp_server):  # noqa: F811
    handler, port = smtp_server
    cfg = smtp_config(config, port)
    run_cycle("weekly", WEEK, cfg)
    run_cycle("monthly", "2026-11", cfg)
    deliver_due(cfg)
    [email] = [m for m in handler.to("office@example.gov.cn") if "月会商" in m["Subject"]]
    listed = plain(email).split("红黑榜")[0]
    assert "R-1 逾期项目" in listed and "N-1" not in listed
    assert "1 个项目未填开工时限，未参与“开工时限已过未开复工”的判断" in listed
    assert "1 个项目未填年度计划投资，未参与“完成投资滞后于序时进度”的判断" in listed
