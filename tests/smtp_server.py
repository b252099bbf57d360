"""A real SMTP server on loopback (aiosmtpd) that records what it receives, or refuses it;
and real emails, rendered from the project's templates, to send through it."""

import contextlib
import email
import email.policy
import socket
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tracker.mail.compose import make_message


class RecordingHandler:
    """Keeps every accepted message; while ``refusing``, answers ``reply`` to every message instead."""

    def __init__(self):
        self.messages = []
        self.refusing = False
        self.reply = "451 4.3.0 try again later"
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            return self.reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        """Accept any password, remembering who logged in."""
        self.logins.append(auth_data.login.decode())
        return AuthResult(success=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(handler, **options):
    """Serve ``handler`` on a free loopback port; yield the port; stop the server whatever happens."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server():
    """Yields (handler, port); the server stops even when the test fails."""
    handler = RecordingHandler()
    with running(handler) as port:
        yield handler, port


def smtp_config(config, port, **mail):
    """The app config pointed at the test server."""
    return {**config, "mail": {**config["mail"], "backend": "smtp", "host": "127.0.0.1", "port": port, **mail}}


def reminder(config, address="zhang@example.gov.cn", name="张三", images=None):
    """A weekly reminder (no charts in its HTML) for one missing project."""
    context = {
        "week": "2026-W47",
        "cutoff": "填报截止：11月23日（周一）09:00，还剩 3天",
        "projects": [SimpleNamespace(code="XM-001", name="化工园区污水处理厂")],
        "base_url": "http://tracker.example.gov.cn",
        "recipient": SimpleNamespace(name=name),
    }
    return make_message("weekly-reminder", (name, address), context, config, images=images)


def leader_summary(config, images, address="wang@example.gov.cn", name="王建国"):
    """A lead official's weekly summary, whose HTML shows four charts by cid: (their own beside the city's, then the city's)."""
    figures = {
        "projects": 2,
        "restart_rate": {"numerator": 1, "denominator": 2, "percent": 50.0},
        "investment_completed": 100,
        "annual_plan_investment": 200,
        "investment_percent": 50.0,
        "funds_secured": {"special_bonds": 80},
        "funds_secured_total": 80,
        "reports_missing": 0,
        "schedule_progress": {"plan_to_date": 52.5, "completed": 50.0, "difference_points": -2.5},
    }
    context = {
        "week": "2026-W47",
        "figures": figures,
        "city": figures,
        "flagged": [],
        "base_url": "http://tracker.example.gov.cn",
        "recipient": SimpleNamespace(name=name),
    }
    return make_message("weekly-leader", (name, address), context, config, images=images)


CHARTS = {
    name: b"\x89PNG\r\n\x1a\nnot really a chart: " + name.encode()
    for name in ("own_restart_rate", "restart_rate", "investment", "funds")
}
