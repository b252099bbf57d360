"""Mail goes out once per (run, kind, recipient), survives refusals and crashes, is never doubled,
and the office sees every email and can send a failed one again."""

import datetime as dt
import email
import email.policy
import multiprocessing
from collections import Counter
from pathlib import Path

import pytest
from conftest import csrf_token
from smtp_server import CHARTS, leader_summary, reminder, smtp_config, smtp_server  # noqa: F401 (fixture)

from tracker.core.db import bind_database, db
from tracker.cycles.runs import CycleRun
from tracker.mail.outbox import Outbox, claim_one, deliver_due, enqueue, message_id, resend

LEASE = dt.timedelta(minutes=10)


def queue(config, run, address, name="张三", kind="reminder"):
    """Queue a reminder; return whether this call queued it."""
    return enqueue(run, kind, address, name, reminder(config, address, name))


def queue_summary(config, run, address, name="王建国"):
    """Queue a lead official's summary, with its three charts."""
    return enqueue(run, "leader_summary", address, name, leader_summary(config, CHARTS, address, name))


def new_run(period="2026-W47"):
    return CycleRun.claim("weekly", period, LEASE)


def due(row_id):
    """When a row is next due, read afresh."""
    return Outbox.get_by_id(row_id).next_attempt_at


# Queueing -------------------------------------------------------------------


def test_queueing_the_same_message_twice_keeps_one_row(conn, config):
    run = new_run()
    assert queue(config, run, "li@example.gov.cn") is True
    assert queue(config, run, "li@example.gov.cn") is False
    assert queue(config, run, "li@example.gov.cn", kind="office_summary") is True  # another kind is another email
    assert queue(config, new_run("2026-W48"), "li@example.gov.cn") is True  # another week too
    assert Outbox.select().count() == 3


def test_an_unknown_kind_of_email_is_refused(conn, config):
    with pytest.raises(ValueError, match="kind"):
        queue(config, new_run(), "li@example.gov.cn", kind="newsletter")


# Delivering -----------------------------------------------------------------


def test_a_queued_message_is_delivered_once_with_its_inline_chart(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    run = new_run()
    queue_summary(config, run, "zhang@example.gov.cn")
    cfg = smtp_config(config, port)
    assert deliver_due(cfg) == {"sent": 1, "retrying": 0, "failed": 0}
    assert deliver_due(cfg) == {"sent": 0, "retrying": 0, "failed": 0}  # nothing left to send
    [message] = handler.to("zhang@example.gov.cn")
    assert "第47周（11月16日—11月22日）" in message["Subject"]
    assert message["Message-ID"] == message_id(run, "leader_summary", "zhang@example.gov.cn", "localhost")
    images = {part["Content-ID"]: part.get_content() for part in message.walk() if part["Content-ID"]}
    assert images["<restart_rate>"] == CHARTS["restart_rate"]
    row = Outbox.get()
    assert (row.state, row.attempts, row.sent_at is not None) == ("sent", 1, True)


def test_a_refusing_server_leaves_mail_queued_until_it_accepts(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    queue(config, new_run(), "wang@example.gov.cn")
    cfg = smtp_config(config, port, retry_seconds=60)
    row_id = Outbox.get().id
    handler.refusing = True
    now = due(row_id)
    assert deliver_due(cfg, now=now) == {"sent": 0, "retrying": 1, "failed": 0}
    row = Outbox.get_by_id(row_id)
    assert (row.state, row.attempts) == ("queued", 1) and "451" in row.last_error
    assert row.next_attempt_at == now + dt.timedelta(seconds=60)
    assert deliver_due(cfg, now=row.next_attempt_at - dt.timedelta(seconds=1))["retrying"] == 0  # not due yet
    deliver_due(cfg, now=row.next_attempt_at)
    assert Outbox.get_by_id(row_id).next_attempt_at == row.next_attempt_at + dt.timedelta(
        seconds=120
    )  # back-off doubles
    handler.refusing = False
    deliver_due(cfg, now=due(row_id))
    assert Outbox.get_by_id(row_id).state == "sent"
    assert len(handler.to("wang@example.gov.cn")) == 1


def test_after_max_attempts_a_message_is_failed_visibly_and_can_be_resent(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    queue(config, new_run(), "zhao@example.gov.cn")
    cfg = smtp_config(config, port, max_attempts=2)
    row_id = Outbox.get().id
    handler.refusing, handler.reply = True, "550 5.1.1 mailbox unavailable"
    assert deliver_due(cfg, now=due(row_id))["retrying"] == 1
    assert deliver_due(cfg, now=due(row_id))["failed"] == 1
    row = Outbox.get_by_id(row_id)
    assert (row.state, row.attempts) == ("failed", 2) and "550" in row.last_error
    assert deliver_due(cfg, now=row.next_attempt_at + dt.timedelta(days=30))["sent"] == 0  # given up for good
    handler.refusing = False
    assert resend(row) is True
    assert resend(row) is False  # queued already: nothing to do
    assert deliver_due(cfg)["sent"] == 1
    assert Outbox.get_by_id(row_id).state == "sent" and len(handler.messages) == 1


def test_a_sender_that_died_after_claiming_is_replaced_once_its_lease_expires(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    queue(config, new_run(), "sun@example.gov.cn")
    cfg = smtp_config(config, port)
    now = due(Outbox.get().id)
    assert claim_one(cfg, now=now, holder="dead") is not None  # ...and it never sends
    expiry = now + dt.timedelta(seconds=cfg["mail"]["lease_seconds"])
    assert deliver_due(cfg, now=expiry)["sent"] == 0  # not before the lease has run out
    assert handler.messages == []
    assert deliver_due(cfg, now=expiry + dt.timedelta(seconds=1))["sent"] == 1
    assert deliver_due(cfg, now=expiry + dt.timedelta(days=1))["sent"] == 0
    assert len(handler.messages) == 1
    assert Outbox.get().claimed_by != "dead"


def test_a_retry_and_a_resend_send_the_very_same_bytes(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    queue(config, new_run(), "qian@example.gov.cn")
    cfg = smtp_config(config, port)
    handler.refusing = True
    deliver_due(cfg)
    handler.refusing = False
    row = Outbox.get()
    deliver_due(cfg, now=row.next_attempt_at)
    resend(Outbox.get())
    deliver_due(cfg)
    first, second = (m.as_bytes() for m in handler.to("qian@example.gov.cn"))
    assert first == second


def test_the_outbox_backend_writes_one_eml_per_message(conn, config):
    run = new_run()
    queue(config, run, "zhou@example.gov.cn", name="周明")
    queue(config, run, "wu@example.gov.cn", name="吴芳")
    assert deliver_due(config)["sent"] == 2
    resend(Outbox.get(Outbox.recipient == "zhou@example.gov.cn"))  # sent again: its file is replaced, not doubled
    deliver_due(config)
    paths = list(Path(config["mail"]["outbox_dir"]).glob("*.eml"))
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]
    assert sorted(m["To"].addresses[0].display_name for m in messages) == ["吴芳", "周明"]


def _deliver_in_process(url, config, barrier):
    bind_database(url)
    barrier.wait()
    with db.connection_context():
        deliver_due(config)


def test_two_senders_at_once_deliver_each_message_exactly_once(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    run = new_run()
    addresses = [f"p{i}@example.gov.cn" for i in range(20)]
    for address in addresses:
        queue(config, run, address)
    db.close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    cfg = smtp_config(config, port)
    procs = [ctx.Process(target=_deliver_in_process, args=(config["database"]["url"], cfg, barrier)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    received = Counter((rcpt, m["Message-ID"]) for rcpts, m in handler.messages for rcpt in rcpts)
    assert sorted(rcpt for rcpt, _ in received) == sorted(addresses)
    assert set(received.values()) == {1}
    assert Outbox.select().where(Outbox.state == "sent").count() == len(addresses)


# The office's pages ----------------------------------------------------------


@pytest.fixture
def mailbox(conn, config, make_user):
    """One message sent, one failed, one still queued; the office to look at them."""
    make_user("office", "office")
    run = new_run()
    queue_summary(config, run, "sent@example.gov.cn", name="收件人")
    for address in ("failed@example.gov.cn", "queued@example.gov.cn"):
        queue(config, run, address, name="收件人")
    deliver_due({**config, "mail": {**config["mail"], "max_attempts": 1}})  # all three written to the outbox folder
    Outbox.update(state="failed", attempts=1, last_error="SMTPDataError: (550, b'no such user')").where(
        Outbox.recipient == "failed@example.gov.cn"
    ).execute()
    resend(Outbox.get(Outbox.recipient == "queued@example.gov.cn"))
    db.close()
    return {row.recipient.partition("@")[0]: row for row in Outbox.select()}


@pytest.mark.parametrize("role", ["owner", "leader", "inspector"])
def test_only_the_office_sees_the_mail(client, login, make_user, mailbox, role):
    make_user(role, role)
    login(role)
    mail_id = mailbox["sent"].id
    for url in ("/deliveries/", f"/deliveries/{mail_id}", f"/deliveries/{mail_id}/html"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/deliveries/{mail_id}/resend").status_code in (400, 403)


def test_the_office_finds_every_email_with_its_state_and_error(client, login, mailbox):
    login("office")
    page = client.get("/deliveries/").get_data(as_text=True)
    for recipient in ("sent@", "failed@", "queued@"):
        assert recipient in page
    assert "已发送" in page and "发送失败" in page and "no such user" in page
    failed_only = client.get("/deliveries/?state=failed").get_data(as_text=True)
    assert "failed@" in failed_only and "sent@" not in failed_only
    run_id = mailbox["sent"].run_id
    assert f'href="/deliveries/?run={run_id}"' in page  # each row links to its run's mail
    assert "sent@" in client.get(f"/deliveries/?run={run_id}").get_data(as_text=True)
    assert "sent@" not in client.get("/deliveries/?run=999").get_data(as_text=True)
    assert "邮件" in client.get("/").get_data(as_text=True)


def test_the_office_reads_an_email_with_its_chart_and_nothing_else_loads(client, login, mailbox):
    login("office")
    mail_id = mailbox["sent"].id
    page = client.get(f"/deliveries/{mail_id}").get_data(as_text=True)
    assert "收件人 &lt;sent@example.gov.cn&gt;" in page and "您包抓的项目本周没有红灯" in page
    assert f'src="/deliveries/{mail_id}/html" sandbox' in page
    response = client.get(f"/deliveries/{mail_id}/html")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "img-src data:" in policy and "sandbox" in policy
    html = response.get_data(as_text=True)
    assert "cid:" not in html and html.count('src="data:image/png;base64,') == len(CHARTS)
    assert client.get("/deliveries/999999").status_code == 404


def test_the_office_resends_a_failed_email_with_a_csrf_token_only(client, login, mailbox):
    login("office")
    mail_id = mailbox["failed"].id
    assert client.post(f"/deliveries/{mail_id}/resend").status_code == 400
    assert Outbox.get_by_id(mail_id).state == "failed"
    token = csrf_token(client.get(f"/deliveries/{mail_id}").get_data(as_text=True))
    response = client.post(f"/deliveries/{mail_id}/resend", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/deliveries/{mail_id}")
    row = Outbox.get_by_id(mail_id)
    assert (row.state, row.attempts, row.last_error) == ("queued", 0, "")
    assert "已重新排队" in client.get(f"/deliveries/{mail_id}").get_data(as_text=True)
