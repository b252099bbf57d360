"""A real SMTP server on loopback (aiosmtpd) that records what it receives, or refuses it."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class RecordingHandler:
    """Keeps every accepted message; answers 451 to everything while ``refusing``."""

    def __init__(self):
        self.messages = []
        self.refusing = False

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Yields (handler, port); the server stops even when the test fails."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp_config(config, port, **mail):
    """The app config pointed at the test server."""
    return {**config, "mail": {**config["mail"], "backend": "smtp", "host": "127.0.0.1", "port": port, **mail}}
