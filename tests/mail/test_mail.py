"""Emails are composed from template trios with inline charts, and handed to the outbox folder or a real SMTP server."""

import email
import email.policy
from pathlib import Path

import pytest
from smtp_server import (  # noqa: F401 (fixture)
    CHARTS,
    RecordingHandler,
    free_port,
    leader_summary,
    reminder,
    running,
    smtp_config,
    smtp_server,
)

from tracker.core.config import load_config
from tracker.mail.compose import DeliveryError, deliver


@pytest.fixture
def mail_config(tmp_path):
    """Composing and delivering need no database: one config, outbox backend in a temporary folder."""
    return load_config(overrides={"mail": {"backend": "outbox", "outbox_dir": str(tmp_path / "outbox")}})


def parsed(message):
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def test_chinese_subject_and_names_survive_the_wire(mail_config):
    raw = reminder(mail_config).as_bytes()
    raw.decode("ascii")  # every header encoded, every body base64/QP: no relay can mangle it
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "【提醒】请尽快填报 第47周（11月16日—11月22日） 重点项目周报（1 个项目）"
    assert message["To"].addresses[0].display_name == "张三"
    assert message["To"].addresses[0].addr_spec == "zhang@example.gov.cn"
    assert message["From"].addresses[0].display_name == "重点项目办公室"
    assert message["Date"].datetime.utcoffset().total_seconds() == 8 * 3600  # the city's time, Asia/Shanghai
    assert message["Message-ID"]
    assert "XM-001 化工园区污水处理厂" in message.get_body(preferencelist=("plain",)).get_content()


def test_charts_travel_inside_the_email_as_inline_images(mail_config):
    message = parsed(leader_summary(mail_config, CHARTS))
    html = message.get_body(preferencelist=("html",))
    assert 'src="cid:restart_rate"' in html.get_content()
    related = next(part for part in message.walk() if part.get_content_type() == "multipart/related")
    charts = {part["Content-ID"]: part for part in related.iter_parts() if part.get_content_type() == "image/png"}
    assert set(charts) == {"<own_restart_rate>", "<restart_rate>", "<investment>", "<funds>"}
    assert charts["<restart_rate>"].get_content() == CHARTS["restart_rate"]
    assert charts["<restart_rate>"].get_content_disposition() == "inline"


def test_an_email_refering_to_a_chart_it_does_not_carry_is_not_composed(mail_config):
    with pytest.raises(ValueError, match="restart_rate"):
        leader_summary(mail_config, images={k: v for k, v in CHARTS.items() if k != "restart_rate"})


@pytest.mark.parametrize("address", ["", "zhang", "zhang san@example.gov.cn"])
def test_a_malformed_address_is_refused_when_composing(mail_config, address):
    with pytest.raises(ValueError):
        reminder(mail_config, address=address)


def test_the_outbox_backend_writes_one_eml_per_message_that_parses_back(mail_config):
    first, second = reminder(mail_config), reminder(mail_config, "li@example.gov.cn", "李四")
    for message in (first, second, first):  # the same message again replaces its file
        deliver(message.as_bytes(), message["To"].addresses[0].addr_spec, mail_config)
    folder = Path(mail_config["mail"]["outbox_dir"])
    assert sorted(p.suffix for p in folder.iterdir()) == [".eml", ".eml"]  # and no temporary file left
    names = {email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"] for p in folder.iterdir()}
    assert names == {"张三 <zhang@example.gov.cn>", "李四 <li@example.gov.cn>"}


def test_the_outbox_backend_reports_a_folder_it_cannot_write(mail_config, tmp_path):
    (tmp_path / "blocked").write_text("a file where the folder should be")
    config = {**mail_config, "mail": {**mail_config["mail"], "outbox_dir": str(tmp_path / "blocked" / "outbox")}}
    with pytest.raises(DeliveryError):
        deliver(reminder(config).as_bytes(), "zhang@example.gov.cn", config)


def test_the_smtp_backend_logs_in_and_hands_the_message_over(mail_config):
    handler = RecordingHandler()
    with running(handler, authenticator=handler.authenticate, auth_require_tls=False) as port:
        config = smtp_config(mail_config, port, username="tracker", password="secret")
        deliver(reminder(config).as_bytes(), "zhang@example.gov.cn", config)
    [(recipients, message)] = handler.messages
    assert recipients == ["zhang@example.gov.cn"] and handler.logins == ["tracker"]
    assert message["Subject"].startswith("【提醒】")


@pytest.mark.parametrize("reply", ["451 4.3.0 try again later", "550 5.1.1 no such user"])
def test_a_refusal_raises_delivery_error_with_the_servers_reply(mail_config, smtp_server, reply):  # noqa: F811
    handler, port = smtp_server
    handler.refusing, handler.reply = True, reply
    config = smtp_config(mail_config, port)
    with pytest.raises(DeliveryError, match=reply.split()[0]):
        deliver(reminder(config).as_bytes(), "zhang@example.gov.cn", config)


def test_a_server_that_is_down_raises_delivery_error(mail_config):
    config = smtp_config(mail_config, free_port(), timeout_seconds=5)
    with pytest.raises(DeliveryError, match="ConnectionRefused"):
        deliver(reminder(config).as_bytes(), "zhang@example.gov.cn", config)


def test_starttls_demanded_of_a_server_without_it_fails_rather_than_sending_in_clear(mail_config, smtp_server):  # noqa: F811
    handler, port = smtp_server
    config = smtp_config(mail_config, port, starttls=True)
    with pytest.raises(DeliveryError, match="STARTTLS"):
        deliver(reminder(config).as_bytes(), "zhang@example.gov.cn", config)
    assert handler.messages == []
