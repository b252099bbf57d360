"""Reminders and summaries reach WeCom and DingTalk groups and phones through the outbox: exactly once, retried
when refused, never faster than each robot's limit, and without a key or a secret on any page."""

import datetime as dt
import multiprocessing
import re
import threading

import pytest
from channel_servers import DINGTALK_SECRET, DINGTALK_TOKEN, SMS_KEY, WECOM_KEY, stand_ins, with_channels

from scheduler.cycles import run_cycle
from tracker.accounts.models import LeadOfficial, User
from tracker.core.config import DEFAULTS, ConfigError
from tracker.core.db import bind_database, db
from tracker.core.weeks import local_now, utc_now, week_of
from tracker.cycles.runs import CycleRun
from tracker.mail.outbox import Outbox, deliver_due, enqueue_text

LEASE = dt.timedelta(minutes=10)


@pytest.fixture
def robots():
    """The servers standing in for WeCom, DingTalk and the SMS gateway; they stop even when a test fails."""
    with stand_ins() as servers:
        yield servers


def this_week():
    return week_of(local_now(DEFAULTS["city"]["timezone"]).date())


def remind(config):
    """The reminder run of this week's Friday, queued (not yet delivered)."""
    return run_cycle("reminder", f"{this_week()} friday 09:00", config)


@pytest.fixture
def unreported(conn, make_project):
    """Two projects without this week's report; the owner of one chose SMS beside email."""
    project = make_project(
        code="XM-101", name="东城污水厂", responsible_phone="13900001111", responsible_email="owner1@example.gov.cn"
    )
    make_project(code="XM-102", name="西城物流园", responsible_email="p2@example.gov.cn")
    User.update(channels=["email", "sms"]).where(User.id == project.owner_id).execute()


def _deliver_in_process(url, config, barrier):
    bind_database(url)
    barrier.wait()
    with db.connection_context():
        deliver_due(config)


def race(config, senders=2):
    """``senders`` scheduler processes delivering at the same moment."""
    db.close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(senders)
    url = config["database"]["url"]
    procs = [ctx.Process(target=_deliver_in_process, args=(url, config, barrier)) for _ in range(senders)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    db.connect(reuse_if_open=True)
    return [p.exitcode for p in procs]


def test_a_reminder_reaches_each_group_robot_and_the_phone_exactly_once_with_two_senders_racing(
    config,
    unreported,
    robots,
):
    cfg = with_channels(config, robots["channels"])
    remind(cfg)
    assert race(cfg) == [0, 0]
    [wecom] = robots["wecom"].received
    assert wecom["body"]["msgtype"] == "markdown"
    content = wecom["body"]["markdown"]["content"]
    assert "XM-101 东城污水厂" in content and "XM-102 西城物流园" in content
    [dingtalk] = robots["dingtalk"].received
    assert dingtalk["query"]["access_token"] == [DINGTALK_TOKEN]
    assert "周报" in dingtalk["body"]["markdown"]["title"] and "XM-102" in dingtalk["body"]["markdown"]["text"]
    assert robots["dingtalk"].refused == []
    [sms] = robots["sms"].received
    assert sms["body"]["mobile"] == "13900001111" and sms["headers"]["X-Api-Key"] == SMS_KEY
    assert "1个项目未报" in sms["body"]["content"] and len(sms["body"]["content"]) <= 70
    channels = sorted(Outbox.select(Outbox.channel).where(Outbox.state == "sent").tuples())
    assert channels == [("dingtalk",), ("email",), ("email",), ("sms",), ("wecom",)]


def test_dingtalk_refuses_a_wrong_signature_and_the_refusal_is_kept_until_the_secret_is_right(
    config,
    unreported,
    robots,
):
    wrong = {**robots["channels"]["dingtalk"]["调度群"], "secret": "SECnot-the-secret"}
    channels = {**robots["channels"], "dingtalk": {"调度群": wrong}, "wecom": {}}
    cfg = with_channels(config, channels)
    remind(cfg)
    now = utc_now()
    deliver_due(cfg, now=now)
    assert robots["dingtalk"].received == [] and len(robots["dingtalk"].refused) == 1
    row = Outbox.get(Outbox.channel == "dingtalk")
    assert (row.state, row.attempts, row.last_error) == ("queued", 1, "errcode 310000: sign not match")
    deliver_due(with_channels(config, robots["channels"]), now=now + dt.timedelta(minutes=2))
    assert len(robots["dingtalk"].received) == 1
    assert Outbox.get_by_id(row.id).state == "sent"


@pytest.mark.parametrize("failure", ["errcode", "http500", "timeout"])
def test_a_failing_robot_is_retried_with_backoff_and_the_failure_shown(
    config,
    unreported,
    robots,
    failure,
    client,
    login,
    make_user,
):
    cfg = with_channels(config, {**robots["channels"], "dingtalk": {}})
    run = remind(cfg)
    robots["wecom"].fail = failure
    now = utc_now()
    assert deliver_due(cfg, now=now)["retrying"] == 1
    row = Outbox.get(Outbox.channel == "wecom")
    expected = {"errcode": "errcode 45009: api freq out of limit", "http500": "HTTP 500", "timeout": "timed out"}
    assert row.state == "queued" and row.attempts == 1 and expected[failure] in row.last_error
    assert row.next_attempt_at == now + dt.timedelta(seconds=cfg["mail"]["retry_seconds"])
    deliver_due(cfg, now=now + dt.timedelta(seconds=30))  # not yet due again
    assert Outbox.get_by_id(row.id).attempts == 1
    make_user("office", "office")
    db.close()
    login("office")
    page = client.get("/deliveries/?channel=wecom").get_data(as_text=True)
    assert "企业微信" in page and "办公室群" in page and expected[failure] in page
    run_page = client.get(f"/cycles/{run.id}").get_data(as_text=True)  # 调度记录: the run's messages by channel
    assert 'data-channel="wecom"' in run_page and '<td data-label="渠道">企业微信</td>' in run_page
    robots["wecom"].fail = None
    deliver_due(cfg, now=now + dt.timedelta(seconds=61))
    assert len(robots["wecom"].received) == 1
    assert Outbox.get_by_id(row.id).state == "sent"


def queue_many(count, channel="wecom", recipient="办公室群"):
    """``count`` messages to one robot, one per run."""
    for n in range(count):
        run = CycleRun.claim("weekly", f"2026-W{n + 1:02d}", LEASE)
        enqueue_text(run, "office_summary", channel, recipient, recipient, f"第{n + 1}周", f"第{n + 1}周汇总")


def test_25_messages_to_one_robot_send_20_in_the_first_minute_and_the_rest_in_the_next(
    conn,
    config,
    robots,
):
    cfg = with_channels(config, robots["channels"])
    queue_many(25)
    start = utc_now()
    assert deliver_due(cfg, now=start) == {"sent": 20, "retrying": 0, "failed": 0}
    assert len(robots["wecom"].received) == 20
    waiting = Outbox.select().where(Outbox.state == "queued")
    assert waiting.count() == 5 and {row.attempts for row in waiting} == {0}  # waiting is no failed attempt
    assert deliver_due(cfg, now=start + dt.timedelta(seconds=59))["sent"] == 0
    assert deliver_due(cfg, now=start + dt.timedelta(seconds=60))["sent"] == 5
    texts = [r["body"]["markdown"]["content"] for r in robots["wecom"].received]
    assert sorted(texts) == sorted(f"第{n}周汇总" for n in range(1, 26))


def test_a_robots_own_limit_wins_over_its_channels(conn, config, robots):
    channels = robots["channels"]
    slow = {**channels["wecom"]["办公室群"], "per_minute": 3}
    cfg = with_channels(config, {**channels, "wecom": {"办公室群": slow}})
    queue_many(5)
    assert deliver_due(cfg)["sent"] == 3


def test_the_limit_holds_across_two_racing_senders(conn, config, robots):
    cfg = with_channels(config, robots["channels"])
    queue_many(25)
    assert race(cfg) == [0, 0]
    assert len(robots["wecom"].received) == 20
    assert Outbox.select().where(Outbox.state == "queued").count() == 5


def test_two_threads_claiming_send_each_robot_message_once(conn, config, robots):
    cfg = with_channels(config, {**robots["channels"], "wecom_per_minute": 0})
    queue_many(30)
    barrier = threading.Barrier(2)

    def sender():
        barrier.wait()
        with db.connection_context():
            deliver_due(cfg)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    texts = [r["body"]["markdown"]["content"] for r in robots["wecom"].received]
    assert sorted(texts) == sorted(f"第{n}周汇总" for n in range(1, 31))


def test_keys_and_secrets_are_on_no_page(config, unreported, robots, client, login, make_user):
    cfg = with_channels(config, robots["channels"])
    remind(cfg)
    robots["dingtalk"].fail = "http500"
    deliver_due(cfg)
    # A gateway that echoes the request's address back in its error: what is kept is masked.
    row = Outbox.get(Outbox.channel == "dingtalk")
    make_user("office", "office")
    db.close()
    app_config = client.application.config["TRACKER"]
    app_config["channels"] = cfg["channels"]
    login("office")
    pages = [
        client.get("/deliveries/").get_data(as_text=True),
        client.get(f"/deliveries/{row.id}").get_data(as_text=True),
        client.get(f"/deliveries/{Outbox.get(Outbox.channel == 'wecom').id}").get_data(as_text=True),
    ]
    for page in pages:
        for secret in (WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET, SMS_KEY):
            assert secret not in page
    assert "key=***" in pages[2] and "access_token=***" in pages[1]
    assert "XM-101 东城污水厂" in pages[2]  # the robot's message as the group reads it


def test_an_error_naming_a_secret_is_kept_masked(conn, config, robots):
    from tracker.mail.channels import mask

    cfg = with_channels(config, robots["channels"])
    text = f"refused https://x/send?key={WECOM_KEY} with {DINGTALK_SECRET} and {SMS_KEY}"
    masked = mask(text, cfg)
    assert WECOM_KEY not in masked and DINGTALK_SECRET not in masked and SMS_KEY not in masked


def test_a_robot_with_an_unknown_key_stops_start_up(config):
    with pytest.raises(ConfigError, match=r"\[channels.wecom.office\]: unknown key token"):
        with_channels(config, {"wecom": {"office": {"webhook": "https://qyapi.weixin.qq.com/x", "token": "t"}}})
    with pytest.raises(ConfigError, match="webhook"):
        with_channels(config, {"dingtalk": {"group": {"secret": "SEC1"}}})


def test_an_account_without_sms_gets_no_text(config, conn, make_project, robots):
    make_project(code="XM-201", responsible_phone="13900002222", responsible_email="o2@example.gov.cn")
    cfg = with_channels(config, robots["channels"])
    remind(cfg)
    deliver_due(cfg)
    assert robots["sms"].received == []


def test_the_weekly_summary_reaches_an_sms_only_official_by_sms_and_the_office_groups_by_robot(
    conn, config, make_project, official, robots
):
    make_project(code="XM-301")
    LeadOfficial.update(channels=["sms"], phone="13800001234").where(LeadOfficial.id == official.id).execute()
    cfg = with_channels(config, robots["channels"])
    run_cycle("weekly", "2026-W47", cfg)
    deliver_due(cfg)
    [sms] = robots["sms"].received
    text = sms["body"]["content"]
    assert sms["body"]["mobile"] == "13800001234" and "\n" not in text and len(text) <= 70
    assert re.search(r"第47周 您包抓的1个项目开复工率[\d.]+%", text) and cfg["web"]["base_url"] in text
    assert not Outbox.select().where(Outbox.recipient == official.email).exists()  # they chose SMS only
    for robot in ("wecom", "dingtalk"):
        [message] = robots[robot].received
        markdown = message["body"]["markdown"]
        content = markdown.get("content") or markdown["text"]
        assert "周调度汇总" in content and "开复工率" in content and "本周未报 1 个" in content


def test_a_robot_given_a_kind_it_cannot_receive_stops_start_up(config):
    with pytest.raises(ConfigError, match="office_sumary"):
        with_channels(config, {"wecom": {"office": {"webhook": "https://x/send?key=k", "kinds": ["office_sumary"]}}})


def test_an_sms_gateway_taking_a_form_gets_the_phone_and_text_url_encoded(config, unreported, robots):
    form = {**robots["channels"]["sms"], "body_format": "form", "body": "mobile={phone}&content={text}&sign=X市"}
    cfg = with_channels(config, {**robots["channels"], "sms": form, "wecom": {}, "dingtalk": {}})
    remind(cfg)
    deliver_due(cfg)
    [sms] = robots["sms"].received
    assert sms["body"]["mobile"] == ["13900001111"] and "1个项目未报" in sms["body"]["content"][0]
    assert sms["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_an_sms_gateway_saying_no_is_a_failure_with_its_reason(config, unreported, robots):
    refusing = {**robots["channels"]["sms"], "success_value": "0"}  # the stand-in answers code "OK"
    cfg = with_channels(config, {**robots["channels"], "sms": refusing, "wecom": {}, "dingtalk": {}})
    remind(cfg)
    deliver_due(cfg)
    row = Outbox.get(Outbox.channel == "sms")
    assert (row.state, row.attempts, row.last_error) == ("queued", 1, "code OK: sent")


def test_a_message_to_a_robot_no_longer_configured_fails_saying_which(conn, config, robots):
    queue_many(1, recipient="已撤销的群")
    deliver_due(with_channels(config, robots["channels"]))
    row = Outbox.get()
    assert row.last_error == "配置中没有企业微信机器人“已撤销的群”（[channels.wecom.已撤销的群]）"
