"""Mail goes out once per (run, kind, recipient), survives refusals and crashes, and is never doubled."""

import datetime as dt
import email
import email.policy
import multiprocessing
from pathlib import Path
from types import SimpleNamespace

from smtp_server import smtp_config, smtp_server  # noqa: F401 (fixture)

from tracker.db import bind_database, db
from tracker.mail import make_message
from tracker.outbox import Outbox, claim_one, deliver_due, enqueue, resend
from tracker.runs import CycleRun

LEASE = dt.timedelta(minutes=10)
PNG = b"\x89PNG\r\n\x1a\nfake"


def queue(config, run, address, name="张三"):
    message = make_message(
        "weekly-reminder",
        (name, address),
        {"week": "2026-W47", "projects": [], "base_url": "http://t", "recipient": SimpleNamespace(name=name)},
        config,
        images={"restart_rate": PNG},
    )
    return enqueue(run, "reminder", address, name, message)


def new_run(period="2026-W47"):
    return CycleRun.claim("weekly", period, LEASE)


def test_a_queued_message_is_delivered_once_with_its_inline_chart(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    queue(config, new_run(), "zhang@example.gov.cn")
    cfg = smtp_config(config, port)
    assert deliver_due(cfg) == 1
    assert deliver_due(cfg) == 0
    [message] = handler.to("zhang@example.gov.cn")
    assert "2026-W47" in message["Subject"]
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert images and images[0]["Content-ID"] == "<restart_rate>"
    assert Outbox.get().state == "sent"


def test_queueing_the_same_message_twice_keeps_one_row(conn, config):
    run = new_run()
    assert queue(config, run, "li@example.gov.cn") is True
    assert queue(config, run, "li@example.gov.cn") is False
    assert Outbox.select().count() == 1


def test_a_refusing_server_leaves_mail_queued_until_it_accepts(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    queue(config, new_run(), "wang@example.gov.cn")
    cfg = smtp_config(config, port)
    handler.refusing = True
    now = Outbox.get().next_attempt_at
    deliver_due(cfg, now=now)
    row = Outbox.get()
    assert (row.state, row.attempts) == ("queued", 1) and "451" in row.last_error
    assert deliver_due(cfg, now=now) == 0  # not due again before the back-off
    handler.refusing = False
    deliver_due(cfg, now=row.next_attempt_at)
    assert Outbox.get().state == "sent"
    assert len(handler.to("wang@example.gov.cn")) == 1


def test_after_max_attempts_a_message_is_failed_visibly_and_can_be_resent(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    queue(config, new_run(), "zhao@example.gov.cn")
    cfg = smtp_config(config, port, max_attempts=2)
    handler.refusing = True
    deliver_due(cfg, now=Outbox.get().next_attempt_at)
    deliver_due(cfg, now=Outbox.get().next_attempt_at)
    assert Outbox.get().state == "failed"
    assert deliver_due(cfg, now=Outbox.get().next_attempt_at + dt.timedelta(days=1)) == 0
    handler.refusing = False
    resend(Outbox.get())
    deliver_due(cfg)
    assert Outbox.get().state == "sent" and len(handler.messages) == 1


def test_a_sender_that_died_after_claiming_is_replaced_once_its_lease_expires(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    queue(config, new_run(), "sun@example.gov.cn")
    cfg = smtp_config(config, port)
    now = Outbox.get().next_attempt_at
    assert claim_one(cfg, now=now, holder="dead") is not None  # ...and it never sends
    assert deliver_due(cfg, now=now) == 0
    later = now + dt.timedelta(seconds=cfg["mail"]["lease_seconds"] + 1)
    assert deliver_due(cfg, now=later) == 1
    assert len(handler.messages) == 1


def test_the_outbox_backend_writes_one_eml_per_message(conn, config):
    queue(config, new_run(), "zhou@example.gov.cn", name="周明")
    deliver_due(config)
    [path] = list(Path(config["mail"]["outbox_dir"]).glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"].addresses[0].display_name == "周明"


def _deliver_in_process(url, mail, barrier):
    bind_database(url)
    barrier.wait()
    with db.connection_context():
        deliver_due({"mail": mail})


def test_two_senders_at_once_deliver_each_message_exactly_once(conn, config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    run = new_run()
    addresses = [f"p{i}@example.gov.cn" for i in range(12)]
    for address in addresses:
        queue(config, run, address)
    db.close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    mail = smtp_config(config, port)["mail"]
    procs = [ctx.Process(target=_deliver_in_process, args=(config["database"]["url"], mail, barrier)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert sorted(r for rcpts, _ in handler.messages for r in rcpts) == sorted(addresses)
