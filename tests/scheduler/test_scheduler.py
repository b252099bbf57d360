"""The scheduler's cycles: who gets which email, exactly once, and what the office sees."""

import datetime as dt
import os
import signal
import subprocess
import sys
import zoneinfo

import pytest
from queries import recorded_queries, selects
from smtp_server import smtp_config, smtp_server  # noqa: F401 (fixture)

from scheduler.cycles import run_cycle, send_reminders
from scheduler.schedule import jobs, run_due
from tracker.accounts.models import LeadOfficial, User
from tracker.core.config import PROJECT_ROOT
from tracker.core.db import db
from tracker.core.weeks import week_monday
from tracker.cycles import charts
from tracker.cycles.runs import CycleRun
from tracker.mail.outbox import Outbox, deliver_due
from tracker.projects.models import Project
from tracker.reports.filing import file_report

WEEK = "2026-W47"
TZ = "Asia/Shanghai"
FILED_AT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def city(conn, config, make_project, make_user):
    """Two officials; one red project, one on track, one whose owner has not reported."""
    li = LeadOfficial.create(name="李明", email="li@example.gov.cn")
    wang = LeadOfficial.get(LeadOfficial.name == "王建国")
    red = make_project(code="R-1", name="逾期项目", start_deadline=dt.date(2026, 10, 1))
    ok = make_project(code="G-1", name="正常项目", lead_official="李明", start_deadline=dt.date(2027, 6, 1))
    silent = make_project(code="S-1", name="未报项目", lead_official="李明", responsible_email="silent@example.gov.cn")
    office = make_user("office", "office", email="office@example.gov.cn", display_name="项目办")
    for project in (red, ok):
        values = {"status": "not_started", "investment_completed": 0, "physical_progress": "前期"}
        file_report(project, WEEK, values, office, config, now=FILED_AT, past_cutoff=True)
    return {"li": li, "wang": wang, "red": red, "ok": ok, "silent": silent}


def weekly(config, port, now=None):
    cfg = smtp_config(config, port)
    run = run_cycle("weekly", WEEK, cfg, now=now)
    deliver_due(cfg)
    return run


def test_each_leader_gets_one_email_about_their_projects_with_an_inline_chart(config, city, smtp_server):  # noqa: F811
    handler, port = smtp_server
    weekly(config, port)
    [to_wang] = handler.to("wang@example.gov.cn")
    [to_li] = handler.to("li@example.gov.cn")
    text_wang = to_wang.get_body(preferencelist=("plain",)).get_content()
    assert "R-1 逾期项目" in text_wang and "尚未开复工" in text_wang
    assert "/projects/R-1" in text_wang
    assert "0 / 1 = 0.0%" in text_wang  # his one project, not started
    assert "R-1" not in to_li.get_body(preferencelist=("plain",)).get_content()
    assert "全市" in text_wang and "0 / 3" in text_wang
    assert any(p.get_content_type() == "image/png" for p in to_wang.walk())


def test_each_leader_email_charts_their_own_restart_rate_beside_the_citys(config, city, smtp_server, monkeypatch):  # noqa: F811
    handler, port = smtp_server
    values = {"status": "started", "investment_completed": 0, "physical_progress": "已开工"}
    file_report(city["ok"], WEEK, values, User.get(User.username == "office"), config, now=FILED_AT, past_cutoff=True)
    drawn = []
    draw = charts.restart_rate_comparison_chart

    def recording(own, city_weeks, target_percent=0):
        drawn.append(
            ([(r.week, r.under_way, r.projects) for r in own], [(r.week, r.under_way, r.projects) for r in city_weeks])
        )
        return draw(own, city_weeks, target_percent)

    monkeypatch.setattr(charts, "restart_rate_comparison_chart", recording)
    weekly(config, port)
    # 李明: G-1 started, S-1 not (1 of 2); 王建国: R-1 not started (0 of 1); the city: 1 of 3.
    assert sorted(own for own, _ in drawn) == [[(WEEK, 0, 1)], [(WEEK, 1, 2)]]
    assert all(city_weeks == [(WEEK, 1, 3)] for _, city_weeks in drawn)
    [to_li] = handler.to("li@example.gov.cn")
    images = {part["Content-ID"] for part in to_li.walk() if part.get_content_type() == "image/png"}
    assert "<own_restart_rate>" in images
    html = to_li.get_body(preferencelist=("html",)).get_content()
    assert 'src="cid:own_restart_rate"' in html and "包抓项目 / 全市" in html
    assert "包抓项目 / 全市" in to_li.get_body(preferencelist=("plain",)).get_content()


def at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_missing_reporters_are_reminded_before_the_cutoff_and_the_office_summed_up_after(config, city, smtp_server):  # noqa: F811
    handler, port = smtp_server
    cfg = smtp_config(config, port)
    assert send_reminders(cfg, now=at(20, 9, 5)).period == f"{WEEK} friday 09:00"  # 2026-W47's Friday
    deliver_due(cfg)
    [reminder] = handler.to("silent@example.gov.cn")
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    assert "S-1" in text and "第47周（11月16日—11月22日）" in text
    assert "填报截止：11月23日（周一）09:00，还剩 3天" in text
    weekly(config, port)
    [summary] = handler.to("office@example.gov.cn")
    assert "未报 1 个" in summary["Subject"]
    assert len(handler.to("silent@example.gov.cn")) == 1  # the dispatch, at the cut-off, reminds no one
    assert CycleRun.get(cycle="weekly").data["reminded"] == 1


def test_reminders_go_at_the_configured_times_once_each(config, city):
    assert send_reminders(config, now=at(20, 8, 59)) is None  # Friday, before the first reminder
    assert send_reminders(config, now=at(20, 9, 0)).period == f"{WEEK} friday 09:00"
    assert send_reminders(config, now=at(21, 12, 0)) is None  # Saturday: the Friday one went already
    assert send_reminders(config, now=at(22, 18, 30)).period == f"{WEEK} sunday 18:00"
    assert send_reminders(config, now=at(22, 23, 0)) is None
    assert Outbox.select().where(Outbox.kind == "reminder").count() == 2
    triggers = {job_id: trigger for job_id, _, trigger in jobs(config)}
    monday = at(16, 0)
    assert triggers["reminder friday 09:00"].get_next_fire_time(None, monday) == at(20, 9)
    assert triggers["reminder sunday 18:00"].get_next_fire_time(None, monday) == at(22, 18)

    custom = {**config, "reporting": {**config["reporting"], "reminders": ["thursday 15:30"]}}
    assert [job_id for job_id, _, _ in jobs(custom) if job_id.startswith("reminder")] == ["reminder thursday 15:30"]


def test_no_reminder_for_a_week_past_its_cutoff(config, city):
    # The scheduler was down from Friday morning until after Monday's cut-off: W47 can no longer be filed.
    after_cutoff = dt.datetime(2026, 11, 23, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert send_reminders(config, now=after_cutoff) is None
    assert run_due("weekly", config, now=after_cutoff).period == WEEK  # the dispatch at the cut-off reminds no one
    assert Outbox.select().where(Outbox.kind == "reminder").count() == 0


def test_running_the_same_week_again_sends_nothing(config, city, smtp_server):  # noqa: F811
    handler, port = smtp_server
    assert weekly(config, port) is not None
    assert weekly(config, port) is None
    assert len(handler.messages) == 3
    assert CycleRun.get().state == "sending"


def test_a_run_whose_process_died_is_taken_over_and_sends_once(config, city, smtp_server):  # noqa: F811
    handler, port = smtp_server
    started = dt.datetime(2026, 11, 23, 1, 0)
    CycleRun.claim("weekly", WEEK, dt.timedelta(minutes=15), now=started, holder="dead")
    assert weekly(config, port, now=started + dt.timedelta(minutes=5)) is None
    assert weekly(config, port, now=started + dt.timedelta(minutes=16)).attempts == 2
    assert len(handler.messages) == 3


def test_catch_up_runs_only_the_latest_missed_week_once(config, city):
    now = dt.datetime(2026, 12, 21, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    run = run_due("weekly", config, now=now)
    assert run.period == "2026-W51"
    assert run_due("weekly", config, now=now) is None
    assert CycleRun.select().count() == 1


def test_without_catch_up_a_long_missed_week_is_skipped(config, city):
    config = {**config, "scheduler": {**config["scheduler"], "catch_up": False}}
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert run_due("weekly", config, now=now) is None
    assert run_due("weekly", config, now=now.replace(day=23, hour=9, minute=30)).period == WEEK


def test_two_scheduler_processes_running_one_week_send_every_email_once(config, city, smtp_server):  # noqa: F811
    handler, port = smtp_server
    db.close()
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": config["database"]["url"],
        "TRACKER_MAIL_BACKEND": "smtp",
        "TRACKER_MAIL_HOST": "127.0.0.1",
        "TRACKER_MAIL_PORT": str(port),
    }
    command = [sys.executable, "-m", "scheduler", "run", "weekly", "--period", WEEK]
    procs = [
        subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    recipients = sorted(r for rcpts, _ in handler.messages for r in rcpts)
    assert recipients == sorted(["wang@example.gov.cn", "li@example.gov.cn", "office@example.gov.cn"])


def test_the_scheduler_stops_cleanly_on_sigterm(config, tmp_path):
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": config["database"]["url"],
        "TRACKER_MAIL_OUTBOX_DIR": str(tmp_path),
        # Nothing to catch up on, so the test measures stopping, not a dispatch on a busy machine.
        "TRACKER_SCHEDULER_CATCH_UP": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "scheduler"], env=env, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        for line in proc.stderr:
            if "scheduler started" in line:
                break
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "scheduler stopped" in rest


def test_the_office_sees_the_run_and_what_was_sent_to_whom(config, city, client, login, smtp_server):  # noqa: F811
    handler, port = smtp_server
    run = weekly(config, port)
    db.close()
    login("office")
    page = client.get(f"/cycles/{run.id}").get_data(as_text=True)
    assert "wang@example.gov.cn" in page and "已发送" in page
    assert client.get("/cycles/").status_code == 200


def test_a_failed_delivery_on_the_run_page_leads_to_where_it_is_resent(config, city, client, login, smtp_server):  # noqa: F811
    handler, port = smtp_server
    handler.refusing = True
    cfg = smtp_config(config, port, max_attempts=1)
    run = run_cycle("weekly", WEEK, cfg)
    deliver_due(cfg)
    row = Outbox.get(Outbox.recipient == "li@example.gov.cn")
    db.close()
    login("office")
    page = client.get(f"/cycles/{run.id}").get_data(as_text=True)
    assert "发送失败 3 封" in page
    assert f'href="/deliveries/?run={run.id}&amp;state=failed"' in page
    assert f'href="/deliveries/?run={run.id}">本次调度的全部邮件与消息</a>' in page
    assert f'href="/deliveries/{row.id}"' in page
    message = client.get(f"/deliveries/{row.id}").get_data(as_text=True)
    assert f'action="/deliveries/{row.id}/resend"' in message  # resending itself: test_outbox
    assert client.get(f"/cycles/mail/{row.id}").status_code == 404


@pytest.mark.parametrize("role", ["owner", "leader"])
def test_only_the_office_sees_the_mail_of_a_run(config, city, client, login, make_user, role):
    run = run_cycle("weekly", WEEK, config)
    if role == "leader":
        make_user("leader", "leader")
    db.close()
    login("13900000003" if role == "owner" else "leader")
    response = client.get(f"/cycles/{run.id}")
    if role == "owner":
        assert response.status_code == 403
    else:
        assert response.status_code == 200 and "silent@example.gov.cn" not in response.get_data(as_text=True)


def test_the_monthly_consultation_puts_lagging_projects_on_the_agenda_and_records_decisions(
    config, city, client, login
):
    from conftest import csrf_token

    from tracker.cycles.consultations import AgendaItem, Decision

    run_cycle("weekly", WEEK, config)
    run = run_cycle("monthly", "2026-11", config)
    items = list(AgendaItem.select().where(AgendaItem.run == run).order_by(AgendaItem.position))
    assert [i.project.code for i in items if i.kind == "lagging"] == ["R-1"]
    item = items[0]
    db.close()
    login("office")
    page = client.get(f"/cycles/{run.id}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "action": "协调自然资源局办理用地",
        "assignee": "市自然资源局",
        "due_on": "2026-12-15",
        "department": "",
    }
    assert client.post(f"/cycles/{run.id}/agenda/{item.id}/decisions", data=data).status_code == 302
    with db.connection_context():
        assert Decision.get().item_id == item.id
    assert "市自然资源局" in client.get(f"/cycles/{run.id}").get_data(as_text=True)
    project_page = client.get("/projects/R-1").get_data(as_text=True)
    assert "协调自然资源局办理用地" in project_page and "2026-12-15" in project_page


def test_the_quarterly_analysis_is_viewable_and_downloadable(config, city, client, login):
    run_cycle("weekly", WEEK, config)
    run = run_cycle("quarterly", "2026-Q4", config)
    assert run.data["closing_week"] == WEEK
    db.close()
    login("office")
    assert "按产业链" in client.get(f"/cycles/{run.id}").get_data(as_text=True)
    xlsx = client.get(f"/cycles/{run.id}/analysis.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    pdf = client.get(f"/cycles/{run.id}/analysis.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    chart = client.get(f"/cycles/{run.id}/charts/by_county.png")
    assert chart.data.startswith(b"\x89PNG")
    assert chart.cache_control.private and chart.cache_control.max_age == 300  # as the dashboard's charts


def test_each_recipient_appears_once_per_run_in_the_outbox(config, city):
    run_cycle("weekly", WEEK, config)
    rows = list(Outbox.select(Outbox.kind, Outbox.recipient).tuples())
    assert len(rows) == len(set(rows)) == 3
    assert User.select().where(User.role == "office").count() == 1
    assert Project.select().count() == 3


def test_reminding_30_unreported_projects_reads_no_more_than_reminding_3(config, conn, make_project):
    def unreported(first, count):
        """Projects whose owner account, not the project, has the address: each a reminder of its own."""
        for n in range(first, first + count):
            project = make_project(code=f"U-{n:03d}")
            User.update(email=f"owner{n}@example.gov.cn").where(User.id == project.owner_id).execute()

    def reads(week):
        friday = dt.datetime.combine(week_monday(week) + dt.timedelta(days=4), dt.time(9), zoneinfo.ZoneInfo(TZ))
        with recorded_queries() as statements:
            run = send_reminders(config, now=friday)
        return len(selects(statements)), run.data

    make_project(code="N-1", responsible_phone="")  # no account, no address: unreachable
    unreported(0, 3)
    few, summary_few = reads("2026-W46")
    unreported(3, 27)
    many, summary_many = reads("2026-W47")
    assert (summary_few["reminded"], summary_many["reminded"]) == (3, 30)
    assert summary_many["unreachable"] == ["N-1"]
    assert many == few


def test_the_monthly_email_carries_the_lagging_list_with_reasons_and_the_ranking(config, city, smtp_server):  # noqa: F811
    from tracker.problems.ledger import raise_problem

    handler, port = smtp_server
    office = User.get(username="office")
    raise_problem(
        city["ok"], "电力接入未落实", "国网供电公司", dt.date(2026, 11, 10), office, now=dt.datetime(2026, 11, 2)
    )
    cfg = smtp_config(config, port)
    run_cycle("weekly", WEEK, cfg)
    run_cycle("monthly", "2026-11", cfg)
    deliver_due(cfg)
    [email] = [m for m in handler.to("wang@example.gov.cn") if "月会商" in m["Subject"]]
    text = email.get_body(preferencelist=("plain",)).get_content()
    listed = text.split("红黑榜")[0]
    assert "滞后项目名单（截至 2026-11-30，2 个）" in listed
    assert "R-1 逾期项目" in listed and "开工时限已过未开复工：开工时限 2026-10-01" in listed
    assert "G-1 正常项目" in listed and "问题逾期未解决：问题“电力接入未落实”" in listed
    assert "S-1" not in listed  # one week unreported is not yet lagging
    assert "按包抓部门：1. 市发展改革委 2/1/1" in text
    assert "电力接入未落实（国网供电公司，限 2026-11-10，已逾期）" in text
